"""The answer stage: the Answer type, the Generator interface, and the model-free extractive generator."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from ..figures import conflicting_figures
from ..nlp import proper_names
from ..text import capitalised_words, numbers, terms, word_key
from ..timeframe import article_date
from ..tuning import DISAGREEMENT_RANKS, RUNNER_UP_CONTEXT, RUNNER_UP_SCORE
from .cite import Citation, citation_for_span
from .followup import with_context
from .rank import Candidate, expected_answer_type, has_answer_type, with_its_list
from .retrieve import KeywordIndex

if TYPE_CHECKING:
    from .reader import Phrase, Surroundings

CANNOT_ANSWER = "The sources don't say."
RELATED_SHOWN = 2  # closest sentences a refusal offers as "related, but not an answer"

class NoteKind(StrEnum):
    """What a note on an Answer reports; the eval counts these, never the wording."""
    REFUSED = "refused"  # the decision stage's reason for not answering
    FALLBACK = "fallback"  # the extractive answer was given instead of the model's
    SOURCES_DIFFER = "sources_differ"  # passages from different files give different figures
    RECITED = "recited"  # a claim was cited to another passage that supports it
    CITATION_REMOVED = "citation_removed"  # a citation that does not support its claim was removed
    CLAIM_DROPPED = "claim_dropped"  # a claim no passage supports was left out
    REPEAT_DROPPED = "repeat_dropped"  # a repeated claim was left out


VERIFICATION_KINDS = {NoteKind.RECITED, NoteKind.CITATION_REMOVED, NoteKind.CLAIM_DROPPED, NoteKind.REPEAT_DROPPED}


@dataclass(frozen=True)
class Note:
    kind: NoteKind
    message: str  # for a reader

    def __str__(self) -> str:
        return self.message


@dataclass
class Answer:
    question: str
    text: str  # with [n] markers
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    generator: str = "extractive"
    notes: list[Note] = field(default_factory=list)  # what the decision, verification or a fallback did
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    query: str = ""  # what was searched: the question, rewritten to stand alone for follow-ups
    confidence: float = 0.0  # the decision stage's probability that the sources hold the answer
    related: list[Citation] = field(default_factory=list)  # for a refusal: the closest passages, not an answer
    short_answer: str = ""  # the name, figure, date or place asked for, when the answer leads with one

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @property
    def refusal_reason(self) -> str:
        """Why the sources were taken not to hold the answer, in plain words ('' for an answer)."""
        return next((n.message for n in self.notes if n.kind == NoteKind.REFUSED), "")

    def render(self) -> str:
        """The answer as the terminal shows it: what the web UI shows, in plain text (a refusal with its reason
        and the closest passages, plainly not an answer; an answer with its sources and notes)."""
        if not self.answered:
            related = ["Related, but not an answer:", *(c.label() for c in self.related)] if self.related else []
            return "\n".join([self.text, *([self.refusal_reason] if self.refusal_reason else []), *related])
        told = [n.message for n in self.notes if n.kind not in VERIFICATION_KINDS]
        by = " · ".join([f"answered by: {self.generator}", *told])
        return "\n".join([self.text, *(c.label() for c in self.citations), f"({by})"])


@dataclass
class Reading:
    """What a backend answers from: the sentences ranked for the question and, when the reader found one, the
    short answer (a name, figure, date or place) with where it stands (reader.py)."""
    ranked: list[Candidate]
    short: Phrase | None = None
    phrases: list[Phrase] = field(default_factory=list)  # every phrase the reader weighed, likeliest first
    around: list[Surroundings] = field(default_factory=list)  # the best ranked sentences, in rank order, with
    # their titles and neighbouring sentences (what the reader and the LLM prompt see)


class Generator(Protocol):
    name: str

    def stream(self, question: str, reading: Reading) -> Iterator[str | Answer]:
        """Text pieces as they are written, then the final Answer, from what was read for the question (the
        decision to answer has been made already)."""
        ...

    def standalone_question(self, question: str, history: list[tuple[str, str]] | None) -> str:
        """A follow-up (followup.is_follow_up) rewritten to stand alone, for retrieval; any other question as it
        is."""
        ...


def final_answer(pieces: Iterator[str | Answer]) -> Answer:
    """Run a stream to its end and return the Answer it closes with."""
    answer = None
    for piece in pieces:
        if isinstance(piece, Answer):
            answer = piece
    if answer is None:
        raise RuntimeError("the answer stream ended without an Answer")
    return answer


def whole(answer: Answer) -> Iterator[str | Answer]:
    """An answer that arrives at once, as a stream: its text, then the Answer."""
    yield answer.text
    yield answer


def refusal(question: str, generator: str, why: str, closest: list[Candidate] | None = None) -> Answer:
    """The refusal, its reason in plain words, and the closest sentences (related, but not an answer)."""
    related = [citation_for_span(n, c.passage, c.span.start, c.span.end)
               for n, c in enumerate((closest or [])[:RELATED_SHOWN], start=1)]
    return Answer(question=question, text=CANNOT_ANSWER, answered=False, generator=generator,
                  notes=[Note(NoteKind.REFUSED, why)], related=related)


def unknown_names(question: str, keyword: KeywordIndex) -> set[str]:
    """Names in the question most of whose words no indexed chunk contains."""
    unknown = set()
    for name in proper_names(question):
        name_terms = terms(name)
        missing = [t for t in name_terms if keyword.frequency(t) == 0]
        if name_terms and len(missing) > len(name_terms) / 2:
            unknown.add(name)
    return unknown


def disagreeing_sentence(question: str, ranked: list[Candidate], chosen: list[Candidate]) -> Candidate | None:
    """A relevant sentence from another file that gives a different figure for what a chosen sentence counts,
    about what the question names: 1,577 homes in Tamtamby do not disagree with 3,278 in Tammerfield."""
    identifiers = question_identifiers(question)
    for candidate in ranked[1:DISAGREEMENT_RANKS]:
        if candidate not in chosen and _mentions(candidate, identifiers) and any(
                c.passage.chunk.source != candidate.passage.chunk.source
                and conflicting_figures(c.span.text, candidate.span.text) for c in chosen):
            return candidate
    return None


def question_identifiers(question: str) -> set[str]:
    """What the question names: its capitalised words (not its first) and its figures, as compared."""
    return {word_key(w) for w in capitalised_words(question)} | numbers(question)


def _mentions(candidate: Candidate, identifiers: set[str]) -> bool:
    """Every identifier is in the sentence or the rest of its chunk ('Russia' also as 'Russian', but 'Tovborfield'
    never as 'Tovbormere')."""
    words = {word_key(w) for w in re.findall(r"[\w’'.\-]+", candidate.passage.chunk.text)}
    words |= numbers(candidate.passage.chunk.text)
    return all(any(w == i or (len(i) >= 4 and w.startswith(i)) for w in words) for i in identifiers)


def _holds(candidate: Candidate, short: Phrase) -> bool:
    """The short answer stands inside this sentence."""
    return (candidate.passage.chunk.source == short.piece.passage.chunk.source
            and candidate.span.start <= short.start and short.end <= candidate.span.end)


def _holding(short: Phrase, ranked: list[Candidate]) -> Candidate | None:
    """The ranked sentence the short answer stands in (found beside another sentence, it is quoted itself)."""
    return next((c for c in ranked if _holds(c, short)), None)


class ExtractiveGenerator:
    """Answers with what was asked for (the reader's short answer, when it has one) and the ranked sentences
    that support it, each cited; no model needed."""

    name = "extractive"

    def __init__(self, max_sentences: int = 3) -> None:
        self.max_sentences = max_sentences

    def answer_from(self, question: str, reading: Reading) -> Answer:
        """The cited answer built from sentences already ranked for this question."""
        chosen = self.select(reading.ranked, question)
        if reading.short is not None:
            supporting = reading.short.surroundings.candidate
            if reading.short.place not in ("sentence", "title"):
                supporting = _holding(reading.short, reading.ranked) or supporting
            chosen = [supporting, *(c for c in chosen if not _redundant(c, supporting))]
        return self.compose(question, chosen, reading.short)

    def standalone_question(self, question: str, history: list[tuple[str, str]] | None) -> str:
        return with_context(question, history)

    def stream(self, question: str, reading: Reading) -> Iterator[str | Answer]:
        return whole(self.answer_from(question, reading))

    def select(self, ranked: list[Candidate], question: str = "") -> list[Candidate]:
        """The best sentence, up to max_sentences close runners-up (of the kind asked for, if the question asks
        for one), and a sentence from another file that gives a different figure."""
        kind = expected_answer_type(question)
        ranked = [c for c in ranked if not _is_a_question(c.span.text)] or ranked  # a heading asking it says nothing
        chosen = [ranked[0]]
        for candidate in ranked[1:]:
            if len(chosen) >= self.max_sentences or candidate.score < RUNNER_UP_SCORE * ranked[0].score:
                break
            relevant = candidate.context >= RUNNER_UP_CONTEXT * ranked[0].context
            typed = kind is None or has_answer_type(kind, candidate.span.text, question)
            if relevant and typed and not any(_redundant(candidate, c) for c in chosen):
                chosen.append(candidate)
        differing = disagreeing_sentence(question, ranked, chosen)
        return chosen + ([differing] if differing else [])

    def compose(self, question: str, chosen: list[Candidate], short: Phrase | None = None) -> Answer:
        """The quotes, each cited; led by the short answer when there is one ('Night Harbor — “…” [1]'), itself
        cited where it stands when that is not in the first quote (the title, a neighbouring sentence)."""
        citations: list[Citation] = []
        parts: list[str] = []
        if short is not None and not (chosen and _holds(chosen[0], short)):
            piece = short.piece
            citations.append(citation_for_span(1, piece.passage, piece.span.start, piece.span.end))
            parts.append(f"{short.text} [1] —")
        elif short is not None:
            parts.append(f"{short.text} —")
        for candidate in chosen:
            number = len(citations) + 1
            span = with_its_list(candidate.passage, candidate.span)
            citation = citation_for_span(number, candidate.passage, span.start, span.end)
            citations.append(citation)
            parts.append(f"{quoted(citation.quote) if short is not None else citation.quote} [{number}]")
        quotes = citations[len(citations) - len(chosen):]
        pairs = [(i, j) for i, a in enumerate(chosen) for j, b in enumerate(chosen) if i < j
                 and a.passage.chunk.source != b.passage.chunk.source and conflicting_figures(a.span.text, b.span.text)]
        newer = newer_of(quotes[pairs[0][0]], quotes[pairs[0][1]]) if pairs else None
        prefix = ""
        if pairs:
            prefix = (f"The sources differ on this (the newer report, of {newer.date}, is [{newer.number}]): "
                      if newer else "The sources differ on this: ")
        notes = [Note(NoteKind.SOURCES_DIFFER, "The sources give different figures.")] if pairs else []
        return Answer(question=question, text=prefix + " ".join(parts), answered=True, citations=citations,
                      generator=self.name, notes=notes, short_answer=short.text if short else "")


def quoted(text: str) -> str:
    """A quote in quotation marks, unless it opens or closes with its own (never doubled marks)."""
    if text[:1] in "\"“‘'" or text[-1:] in "\"”’'":
        return text
    return f"“{text}”"


def newer_of(first: Citation, second: Citation) -> Citation | None:
    """Of two citations, the one from the later-dated article, when both have a full date and they differ."""
    one, other = article_date(first.date), article_date(second.date)
    if one is None or other is None or one == other:
        return None
    return first if one > other else second


def _is_a_question(sentence: str) -> bool:
    """'Who is Nobel Peace Prize winner Narges Mohammadi?': an article's question (a subheading, a rhetorical
    question) states nothing to quote as an answer."""
    return sentence.rstrip(" \"'\u201d\u2019").endswith("?")


def _redundant(a: Candidate, b: Candidate) -> bool:
    """Quoting both would repeat a passage: the same span or overlapping spans of one file (a sentence and the
    sentence joined to the one before it), the same sentence in two files, or nearly the same words in one."""
    if a.passage.chunk.source == b.passage.chunk.source and a.span.start < b.span.end and b.span.start < a.span.end:
        return True
    if " ".join(a.span.text.split()) == " ".join(b.span.text.split()):
        return True  # the same sentence in two files (a copy under another name): quote it once
    ta, tb = set(terms(a.span.text)), set(terms(b.span.text))
    overlap = len(ta & tb) / max(1, min(len(ta), len(tb)))
    return overlap > 0.8 and a.passage.chunk.source == b.passage.chunk.source
