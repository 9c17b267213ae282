"""The digest: what happened in a span of days, as stories, newest first.

The articles dated inside the span (only those with a publication date they state) are grouped into stories:
an article joins the story whose articles' titles and leads are closest in meaning to its own, when that is at
least `DIGEST_SAME_STORY`, else it starts one. Each story is one line, the lead sentence of its most typical
article (the one closest to the others), cited, with the story's articles listed newest first. An article's lead
is whichever of its first `LEAD_CHOICES` sentences is closest in meaning to its title.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from ..answering.answer import Answer, refusal
from ..answering.cite import Citation
from ..library.embed import get_embedder
from ..timeframe import Timeframe, article_date, describe, resolve
from ..tuning import DIGEST_SAME_STORY, LEAD_CHOICES
from .story import Sentence, article_sentences

if TYPE_CHECKING:
    from ..pipeline import Assistant

# What a request for a digest says besides its span of time ('What happened this week?', 'Catch me up on
# today', "What's new since Monday?"): nothing else, so 'What happened to the Florida talks this week?' is a question.
_DIGEST_WORDS = {"what", "whats", "happen", "happened", "new", "news", "catch", "me", "up", "on", "the", "in",
                 "has", "have", "did", "is", "was", "s", "since", "so", "far", "week", "today", "yesterday",
                 "this", "last", "past", "month", "morning", "tonight", "digest", "summary", "summarise",
                 "summarize", "give", "a", "of", "stories", "story", "headlines", "top", "been", "going", "there",
                 "any", "few", "days", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}


@dataclass(frozen=True)
class Article:
    source: str
    title: str
    date: date


@dataclass
class Story:
    summary: str  # the line: a lead sentence, quoted exactly
    citation: Citation
    articles: list[Article]  # newest first

    @property
    def newest(self) -> date:
        return self.articles[0].date

    def to_dict(self) -> dict[str, object]:
        return {"summary": self.summary, "citations": [self.citation.to_dict()],
                "articles": [{"source": a.source, "title": a.title, "date": a.date.isoformat()}
                             for a in self.articles]}


@dataclass
class Digest:
    since: date
    until: date
    stories: list[Story]
    undated: int = 0  # articles with no date of their own, which no digest can place
    newest: date | None = None  # of the whole library, to say where the news ends when the span is empty
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(), "undated": self.undated,
                "stories": [s.to_dict() for s in self.stories], "notes": self.notes}

    def markdown(self) -> str:
        span = describe(Timeframe(self.since, self.until))
        rows = [f"# The news {span}", ""]
        for story in self.stories:
            others = f" ({len(story.articles)} articles)" if len(story.articles) > 1 else ""
            rows.append(f"- **{story.newest.isoformat()}** {story.summary} [{story.citation.number}]{others}")
        rows += ["", *(f"[{s.citation.number}] {s.citation.source}: \u201c{s.citation.quote}\u201d"
                       for s in self.stories)]
        if self.undated:
            rows += ["", f"{self.undated} article{'s have' if self.undated != 1 else ' has'} no date of "
                         f"{'their' if self.undated != 1 else 'its'} own and cannot be placed in a span of days."]
        return "\n".join(rows + self.notes) + "\n"


    def as_answer(self, question: str) -> Answer:
        """The digest as the chat's answer to 'What happened this week?': one cited line per story, newest first;
        with no article dated in the span, a refusal that says so."""
        span = describe(Timeframe(self.since, self.until))
        if not self.stories:
            why = " ".join(self.notes) or f"No article in the library is dated {span}."
            if self.newest:
                why += f" The newest dated article is of {self.newest}."
            if self.undated:
                why += f" {self.undated} undated article{'s' * (self.undated != 1)} cannot be placed in time."
            return refusal(question, "extractive", why)
        lines = [f"The news {span}, newest first:"]
        for story in self.stories:
            others = f" ({len(story.articles)} articles)" if len(story.articles) > 1 else ""
            lines.append(f"{story.newest.isoformat()}: {story.summary} [{story.citation.number}]{others}")
        # one paragraph per story: the chat renders Markdown, where a single line break joins lines
        return Answer(question=question, text="\n\n".join(lines), answered=True,
                      citations=[s.citation for s in self.stories], generator="extractive",
                      timings={"total": self.seconds})


def is_digest_request(question: str) -> bool:
    """The question asks what happened in a span of time and nothing more."""
    words = re.findall(r"[a-z]+", question.lower().replace("’", "'").replace("'", ""))
    return bool(words) and all(w in _DIGEST_WORDS for w in words) and resolve(question).bounded


def digest(assistant: Assistant, since: date, until: date | None = None) -> Digest:
    """The stories of the articles dated from `since` to `until` (inclusive), newest first."""
    started = time.perf_counter()
    until = until or since
    assistant.ensure_current_index()
    catalog = assistant.store.catalog
    inside, undated, days = [], 0, []
    for first, _ in catalog.articles():
        day = article_date(first.metadata.get("date"))
        if day is None:
            undated += 1
            continue
        days.append(day)
        if since <= day <= until:
            inside.append((first.chunk.source, day))
    openings = {source: (article_sentences(catalog.chunks_of(source))[:LEAD_CHOICES], day) for source, day in inside}
    leads = _leads(assistant, {s: o for s, o in openings.items() if o[0]})
    stories = _stories(assistant, leads)
    result = Digest(since, until, stories, undated, max(days, default=None), time.perf_counter() - started)
    if not stories:
        result.notes.append(f"No article in the library is dated {describe(Timeframe(since, until))}.")
    return result


def digest_for(assistant: Assistant, question: str, as_of: date | None = None) -> Digest:
    """The digest for a request such as 'What happened this week?', read against `as_of` (today)."""
    timeframe = resolve(question, as_of)
    today = as_of or date.today()
    return digest(assistant, timeframe.since or today - timedelta(days=6), timeframe.until or today)


def _leads(assistant: Assistant, openings: dict[str, tuple[list[Sentence], date]]
           ) -> dict[str, tuple[Sentence, date]]:
    """Each article's line: of its first sentences, the one closest in meaning to its title (not an editor's note
    or a photo credit that happens to come first)."""
    texts = list(dict.fromkeys(t for sentences, _ in openings.values()
                               for t in [sentences[0].passage.metadata.get("title", ""), *(s.text for s in sentences)]))
    vectors = dict(zip(texts, get_embedder(assistant.settings.embed_threads).embed(texts)))
    found = {}
    for source, (sentences, day) in openings.items():
        title = sentences[0].passage.metadata.get("title", "")
        whole = [s for s in sentences if s.text.strip() != title.strip() and s.text.rstrip("\"”’' )").endswith(
            (".", "!", "?"))] or sentences
        found[source] = (max(whole, key=lambda s: float(vectors[s.text] @ vectors[title])), day)
    return found


def _stories(assistant: Assistant, leads: dict[str, tuple[Sentence, date]]) -> list[Story]:
    if not leads:
        return []
    sources = sorted(leads, key=lambda s: (-leads[s][1].toordinal(), s))
    texts = [f"{leads[s][0].passage.metadata.get('title', '')}. {leads[s][0].text}" for s in sources]
    vectors = get_embedder(assistant.settings.embed_threads).embed(texts)
    groups: list[list[int]] = []
    for i, vector in enumerate(vectors):
        best, home = -1.0, None
        for group in groups:
            similarity = float(np.mean([vector @ vectors[j] for j in group]))
            if similarity > best:
                best, home = similarity, group
        if home is not None and best >= DIGEST_SAME_STORY:
            home.append(i)
        else:
            groups.append([i])
    stories = []
    for number, group in enumerate(groups, start=1):
        typical = max(group, key=lambda i: sum(float(vectors[i] @ vectors[j]) for j in group))
        lead, _ = leads[sources[typical]]
        articles = [Article(sources[i], leads[sources[i]][0].passage.metadata.get("title", ""), leads[sources[i]][1])
                    for i in group]
        stories.append(Story(lead.text, lead.cite(number), articles))
    return stories

