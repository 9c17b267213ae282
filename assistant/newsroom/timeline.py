"""A story's timeline: its dated events across the library, oldest first, each one line quoting its source.

An event is a sentence of one of the story's articles (`story.story_sources`) that states when something happened
(`when.stated_dates`: 'on Saturday' read against the article's date), or, failing that, the article's own lead
sentence on the article's date, marked as such. Sentences from several articles on the same date that say the
same thing (`SAME_EVENT` close in meaning) are one line with several citations; two that say the same thing on
different dates (`SAME_EVENT_ANY_DAY`), or give different figures for it, are one line that says the sources
differ and cites both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from ..answering.cite import Citation
from ..figures import conflicting_figures
from ..library.embed import get_embedder
from ..nlp import entities_of
from ..timeframe import Timeframe
from ..tuning import SAME_EVENT, SAME_EVENT_ANY_DAY, TIMELINE_LINES, TIMELINE_RELEVANCE
from .story import Sentence, article_sentences, lead_sentence, story_sources
from .when import Precision, StatedDate, may_state_a_date, stated_dates

if TYPE_CHECKING:
    from ..pipeline import Assistant


@dataclass
class Event:
    day: date
    precision: Precision
    stated: bool  # the sentence says when; False: the article's date stands in
    sentences: list[Sentence]  # the first is the line's quote
    relevance: float = 0.0
    differs: str | None = None  # "date" or "figure" when the sources disagree
    stated_as: str = ""  # the words of the first sentence that state the date


@dataclass
class TimelineLine:
    day: date
    precision: Precision
    stated: bool
    text: str
    citations: list[Citation]
    differs: str | None
    stated_as: str = ""  # the words of the quote that state the date ('on Saturday'); empty: the article's date

    @property
    def when(self) -> str:
        return StatedDate(self.day, self.precision, "", 0, 0).label()

    def to_dict(self) -> dict[str, object]:
        return {"date": self.day.isoformat(), "precision": self.precision, "when": self.when,
                "date_from": "passage" if self.stated else "article", "stated_as": self.stated_as, "text": self.text,
                "differs": self.differs, "citations": [c.to_dict() for c in self.citations]}


@dataclass
class Timeline:
    topic: str
    lines: list[TimelineLine]
    articles: int  # of the story
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"topic": self.topic, "articles": self.articles, "lines": [line.to_dict() for line in self.lines],
                "notes": self.notes}

    def markdown(self) -> str:
        rows = [f"# Timeline: {self.topic}", ""]
        for line in self.lines:
            marks = "".join(f"[{c.number}]" for c in line.citations)
            when = line.when if line.stated else f"{line.when} (article date)"
            differs = f" (the sources differ on the {line.differs})" if line.differs else ""
            rows.append(f"- **{when}**: {line.text} {marks}{differs}")
        rows += ["", *(f"[{c.number}] {c.source}: \u201c{c.quote}\u201d" for c in _all_citations(self.lines))]
        return "\n".join(rows) + "\n"


def timeline(assistant: Assistant, topic: str, *, since: date | None = None, until: date | None = None,
             lines: int = TIMELINE_LINES) -> Timeline:
    """The dated events of the story the topic names, oldest first."""
    started = time.perf_counter()
    assistant.ensure_current_index()
    bounded = Timeframe(since, until, strict=True) if since or until else None
    sources = story_sources(assistant, topic, bounded)
    catalog = assistant.store.catalog
    leads, candidates = set(), []
    for source in sources:
        sentences = article_sentences(catalog.chunks_of(source))
        lead = lead_sentence(sentences)
        leads |= {id(lead)} if lead is not None else set()
        candidates += [s for s in sentences if s is lead or (may_state_a_date(s.text) and not _asks(s.text))]
    relevant = _most_relevant(assistant, topic, candidates, lines * 3)
    entities_of([s.text for s, _ in relevant])  # one pass of NER; stated_dates reads its cache
    events = [e for s, relevance in relevant if (e := _event(s, id(s) in leads, relevance)) is not None]
    events = [e for e in events if bounded is None or bounded.holds(e.day)]
    merged = _merge(assistant, sorted(events, key=lambda e: -e.relevance))[:lines]
    merged.sort(key=lambda e: (e.day, min((s.published or e.day) for s in e.sentences)))
    result = Timeline(topic, _lines(merged), len(sources), time.perf_counter() - started)
    if not sources:
        result.notes.append(f"No article speaks of {topic}.")
    return result


def _asks(text: str) -> bool:
    """A question ('How many groups are in the 2023 World Cup?') tells no event."""
    return text.rstrip("\"”’' )").endswith("?")


def _event(sentence: Sentence, lead: bool, relevance: float) -> Event | None:
    """The date the sentence states; the article's, for its lead, when it states none."""
    dates = stated_dates(sentence.text, sentence.published)
    if dates:
        return Event(dates[0].day, dates[0].precision, True, [sentence], relevance, stated_as=dates[0].text)
    if lead and sentence.published is not None:
        return Event(sentence.published, "day", False, [sentence], relevance)
    return None


def _most_relevant(assistant: Assistant, topic: str, sentences: list[Sentence], limit: int
                   ) -> list[tuple[Sentence, float]]:
    """The sentences closest in meaning to the topic (each read with its article's title), at most `limit`, none
    below `TIMELINE_RELEVANCE` of the closest one (a round-up's item on another story stays out)."""
    if not sentences:
        return []
    texts = [f"{s.passage.metadata.get('title', '')}. {s.text}" for s in sentences]
    vectors = get_embedder(assistant.settings.embed_threads).embed([topic] + texts)
    scored = sorted(zip(sentences, (float(v) for v in vectors[1:] @ vectors[0])), key=lambda pair: -pair[1])
    best = scored[0][1]
    return [(s, score) for s, score in scored[:limit] if score >= TIMELINE_RELEVANCE * best]


def _merge(assistant: Assistant, events: list[Event]) -> list[Event]:
    """One event per thing that happened: the same sentence meaning on the same date (or, closer still, on
    another date: then the sources differ on the date), from other articles, joins the first."""
    if not events:
        return []
    vectors = get_embedder(assistant.settings.embed_threads).embed([e.sentences[0].text for e in events])
    kept: list[tuple[Event, np.ndarray]] = []
    for event, vector in zip(events, vectors):
        home = _same_event(event, vector, kept)
        if home is None:
            kept.append((event, vector))
            continue
        first = home.sentences[0]
        if event.sentences[0].source in {s.source for s in home.sentences}:
            continue  # the same article telling it twice: one quote is enough
        home.sentences.append(event.sentences[0])
        if (event.day, event.precision) != (home.day, home.precision) and event.stated and home.stated:
            home.differs = "date"
        elif conflicting_figures(first.text, event.sentences[0].text):
            home.differs = home.differs or "figure"
    return [event for event, _ in kept]


def _same_event(event: Event, vector: np.ndarray, kept: list[tuple[Event, np.ndarray]]) -> Event | None:
    for other, other_vector in kept:
        similarity = float(vector @ other_vector)
        same_day = (event.day, event.precision) == (other.day, other.precision)
        if similarity >= SAME_EVENT_ANY_DAY or (same_day and similarity >= SAME_EVENT):
            return other
    return None


def _lines(events: list[Event]) -> list[TimelineLine]:
    numbers: dict[tuple[str, int], int] = {}
    found = []
    for event in events:
        citations = []
        for sentence in event.sentences:
            number = numbers.setdefault((sentence.source, sentence.start), len(numbers) + 1)
            citations.append(sentence.cite(number))
        found.append(TimelineLine(event.day, event.precision, event.stated, event.sentences[0].text, citations,
                                  event.differs, event.stated_as))
    return found


def _all_citations(lines: list[TimelineLine]) -> list[Citation]:
    return list({c.number: c for line in lines for c in line.citations}.values())
