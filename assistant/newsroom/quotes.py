"""Who said what: the statements the library attributes to a person or an organisation, each the exact quoted
words with the speaker as the article names them, the article's date and a citation.

Quotations, their speaker and reporting verb come from textacy's direct-quotation finder over spaCy's parse, one
paragraph at a time (a paragraph whose quotation marks do not pair up is passed over, not guessed at). A speaker
named by surname alone ('Witkoff said') is read as the fullest name the article gives them before it ('Steve
Witkoff'); one named by a pronoun ('he said') as the person the sentences just before were about (their main
clause's subject, within a paragraph's reach), and shown so.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from ..answering.cite import Citation, citation_for_span
from ..answering.reader import POSSESSIVE
from ..answering.retrieve import Passage
from ..library.catalog import IndexedChunk
from ..nlp import entity_of, parse
from ..text import terms
from ..timeframe import Timeframe, article_date
from ..tuning import QUOTE_ARTICLES, QUOTES_SHOWN

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from ..pipeline import Assistant

SPEAKER_LABELS = ("PERSON", "ORG", "GPE", "NORP")  # who or what can say something
QUOTE_MARK = re.compile(r"[\"“”]")
PARAGRAPH = re.compile(r"[^\n]+")
PRONOUN_REACH = 400  # 'he said' is read as the person a sentence this close before was about


@dataclass
class Statement:
    speaker: str  # the fullest name the article gives the speaker
    named_as: str  # how the article names them where they speak: 'Witkoff', 'he'
    said: str  # the reporting verb: 'said', 'told'
    citation: Citation  # the quoted words, exactly as the file has them
    day: date | None  # the article's date

    def to_dict(self) -> dict[str, object]:
        return {"speaker": self.speaker, "named_as": self.named_as, "said": self.said,
                "date": self.day.isoformat() if self.day else None, "citation": self.citation.to_dict()}


@dataclass
class Statements:
    speaker: str
    statements: list[Statement]
    articles: int  # read for quotations
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"speaker": self.speaker, "articles": self.articles,
                "statements": [s.to_dict() for s in self.statements], "notes": self.notes}

    def markdown(self) -> str:
        rows = [f"# Who said what: {self.speaker}", ""]
        for s in self.statements:
            when = s.day.isoformat() if s.day else "undated"
            named = f" (“{s.named_as}” in the article)" if s.named_as != s.speaker else ""
            rows.append(f"- **{s.speaker}**{named}, {when}: {s.citation.quote} [{s.citation.number}]")
        rows += ["", *(f"[{s.citation.number}] {s.citation.source}" for s in self.statements), *self.notes]
        return "\n".join(rows) + "\n"


def who_said(assistant: Assistant, speaker: str, *, since: date | None = None, until: date | None = None,
             limit: int = QUOTES_SHOWN) -> Statements:
    """What the library quotes the speaker as saying, newest article first."""
    started = time.perf_counter()
    assistant.ensure_current_index()
    catalog = assistant.store.catalog
    dated = Timeframe(since, until, strict=True)
    sources = articles_naming(assistant, speaker)
    found: list[Statement] = []
    for source in sources:
        chunks = catalog.chunks_of(source)
        if dated.bounded and not (chunks and dated.holds(article_date(chunks[0].metadata.get("date")))):
            continue
        found += [s for s in article_statements(chunks, speaker) if names_the_same(speaker, s.speaker)]
    found.sort(key=lambda s: (s.day or date.min, -s.citation.start), reverse=True)
    found = found[:limit]
    for number, statement in enumerate(found, start=1):
        statement.citation = replace(statement.citation, number=number)
    result = Statements(speaker, found, len(sources), time.perf_counter() - started)
    if not found:
        result.notes.append(f"No article quotes {speaker}." if sources else f"No article names {speaker}.")
    return result


def articles_naming(assistant: Assistant, speaker: str) -> list[str]:
    """The files whose text holds every word of the name, those where it is most prominent first."""
    wanted = terms(speaker)
    if not wanted:
        return []
    keyword = assistant.retriever.keyword_index
    sources: list[str] = []
    for indexed in keyword.chunks(keyword.search(wanted, QUOTE_ARTICLES * 10)).values():
        if indexed.chunk.source not in sources and set(wanted) <= set(terms(indexed.chunk.text)):
            sources.append(indexed.chunk.source)
    return sources[:QUOTE_ARTICLES]


def names_the_same(asked: str, speaker: str) -> bool:
    """'Witkoff' and 'Steve Witkoff' name the same speaker; 'Steve Witkoff' and 'Witkoff' too."""
    a, b = terms(asked), terms(speaker)
    return bool(a and b) and (set(a) <= set(b) or set(b) <= set(a))


def article_statements(chunks: list[IndexedChunk], speaker: str) -> list[Statement]:
    """The quotations of one article that may be the speaker's, in order. Only the paragraphs that name the
    speaker, and those within a pronoun's reach after them, are parsed: the others cost nothing."""
    if not chunks:
        return []
    text = _article_text(chunks)
    paragraphs = [(m.start(), m.group(0)) for m in PARAGRAPH.finditer(text)]
    wanted = set(terms(speaker))
    seen = Seen()
    found = []
    reach_end = -1  # paragraphs starting before this are read: a 'he' or 'she' in them may be the speaker
    for offset, paragraph in paragraphs:
        if wanted & set(terms(paragraph)):
            reach_end = offset + len(paragraph) + PRONOUN_REACH
        if offset > reach_end:
            continue
        doc = parse(paragraph)
        if QUOTE_MARK.search(paragraph):
            found += _quotations(chunks, offset, doc, seen)
        seen.take_in(doc, offset)
    return found


@dataclass
class Seen:
    """What the article said before: the names it gave (to read a surname by) and the people its sentences were
    about, each the main clause's subject (to read a 'he' or 'she' by)."""
    named: list[tuple[int, str, str]] = field(default_factory=list)  # (where, label, fullest name)
    subjects: list[tuple[int, str]] = field(default_factory=list)  # (where, fullest name)

    def take_in(self, doc: Doc, offset: int, before: int | None = None) -> None:
        """The entities and subjects of a parsed paragraph (up to `before`, an offset in the article)."""
        limit = before if before is not None else offset + len(doc.text) + 1
        self.named += [(offset + e.start_char, e.label_, _fullest(e.text, e.label_, self.named) or e.text)
                       for e in doc.ents if e.label_ in SPEAKER_LABELS and offset + e.start_char < limit]
        for sentence in doc.sents:
            for subject in (c for c in sentence.root.children if c.dep_ == "nsubj"):
                where = offset + subject.idx
                name = _person(subject, doc, self.named)
                if name and where < limit:
                    self.subjects.append((where, name))

    def before(self, doc: Doc, offset: int, start: int) -> Seen:
        """What was seen up to `start` (an offset in the article), the paragraph's own sentences included."""
        seen = Seen(list(self.named), list(self.subjects))
        seen.take_in(doc, offset, before=start)
        return seen

    def pronoun_means(self, start: int) -> str | None:
        """The person the last main clause within reach before `start` was about."""
        near = [name for where, name in sorted(self.subjects) if start - PRONOUN_REACH <= where < start]
        return near[-1] if near else None


def _person(token: Token, doc: Doc, named: list[tuple[int, str, str]]) -> str | None:
    """The person a subject names ('Rep. Ralph Norman', 'Lopez' after 'Maria Lopez'), or None."""
    if (entity := entity_of(token, doc)) is not None:
        return _fullest(entity.text, "PERSON", named) if entity.label_ == "PERSON" else None
    return _fullest(token.text, "PERSON", named, exact=False) if token.pos_ == "PROPN" else None


def _quotations(chunks: list[IndexedChunk], offset: int, doc: Doc, seen: Seen) -> list[Statement]:
    from textacy.extract.triples import direct_quotations

    try:
        triples = list(direct_quotations(doc))
    except ValueError:  # quotation marks that do not pair up: textacy will not guess
        return []
    found = []
    for triple in triples:
        if not _told_in_one_sentence(triple.speaker, triple.content):
            continue  # a cue in the next sentence is someone else's: 'a plan to "stop …". Yellen warned …'
        start, end = offset + triple.content.start_char, offset + triple.content.end_char
        earlier = seen.before(doc, offset, start)
        speaker = (earlier.pronoun_means(start) if _is_pronoun(triple.speaker)
                   else _speaker(triple.speaker, doc, earlier.named))
        passage = _passage_holding(chunks, start, end)
        if speaker and passage:
            found.append(Statement(speaker, " ".join(t.text for t in triple.speaker), " ".join(
                t.text for t in triple.cue), citation_for_span(0, passage, start, end),
                article_date(passage.metadata.get("date"))))
    return found


def _told_in_one_sentence(speaker: list[Token], content: Span) -> bool:
    """The speaker is named in a sentence the quotation is part of."""
    return bool(speaker) and any(t.sent.start_char < content.end_char and content.start_char < t.sent.end_char
                                 for t in speaker)


def _speaker(tokens: list[Token], doc: Doc, named: list[tuple[int, str, str]]) -> str | None:
    """The speaker's fullest name, or None when the quotation's speaker is no one the article names."""
    if not tokens or tokens[-1].pos_ == "PRON":  # 'they', 'it', 'someone': no one in particular
        return None
    head = tokens[-1]
    entity = entity_of(head, doc)
    if entity is not None and entity.label_ in SPEAKER_LABELS:
        return _fullest(entity.text, entity.label_, named)
    return _fullest(head.text, "", named, exact=False)


def _is_pronoun(tokens: list[Token]) -> bool:
    return bool(tokens) and tokens[-1].lower_ in ("he", "she")


def _fullest(name: str, label: str, named: list[tuple[int, str, str]], exact: bool = True) -> str | None:
    """The longest name met before that ends with this one ('Witkoff' → 'Steve Witkoff'); the name itself when
    there is none (or None, for a word that is no name: `exact` False)."""
    name = POSSESSIVE.sub("", name).strip()
    words = name.lower().split()
    longer = [full for _, kind, full in named if (not label or kind == label)
              and full.lower().split()[-len(words):] == words]
    if longer:
        return max(longer, key=len)
    return name if exact else None


def _article_text(chunks: list[IndexedChunk]) -> str:
    """The article's text as the file has it, from its overlapping chunks."""
    text = ""
    for indexed in sorted(chunks, key=lambda c: c.chunk.start):
        chunk = indexed.chunk
        text = text[:chunk.start].ljust(chunk.start) + chunk.text if chunk.end > len(text) else text
    return text


def _passage_holding(chunks: list[IndexedChunk], start: int, end: int) -> Passage | None:
    for indexed in chunks:
        if indexed.chunk.start <= start and end <= indexed.chunk.end:
            return Passage(indexed.chunk, indexed.metadata)
    return None
