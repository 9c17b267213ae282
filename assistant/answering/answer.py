"""The answer stage: the Answer type, the Generator interface, and the model-free extractive generator."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Protocol

from ..figures import NUMBER_WORDS, TIME_NAMES, conflicting_figures
from ..lexicon import synonym_of
from ..library.embed import get_embedder
from ..text import Span, capitalised_phrases, capitalised_words, numbers, sentence_spans, terms, word_key
from ..timeframe import article_date
from ..tuning import (
    DISAGREEMENT_RELEVANCE,
    PENALTY_JOINED,
    PENALTY_TITLE,
    RUNNER_UP_CONTEXT,
    RUNNER_UP_SCORE,
    SYNONYM_CREDIT,
    TYPE_PROMOTION,
    WEIGHT_MEANING,
    WEIGHT_NOVELTY,
    WEIGHT_OVERLAP,
    WEIGHT_PASSAGE,
    WEIGHT_TYPE,
)
from .cite import Citation, citation_for_span
from .followup import with_context
from .retrieve import QUESTION_WORDS, KeywordIndex, Passage, question_terms

CANNOT_ANSWER = "The sources don't say."
RELATED_SHOWN = 2  # closest sentences a refusal offers as "related, but not an answer"

PRONOUN_START = re.compile(r"^(He|She|They|It|This|That|These|Those|His|Her|Their|Its|The move|The decision)\b")
TIME_WORDS = re.compile(
    rf"\b(\d{{4}}|\d{{1,2}}/\d{{1,2}}|{'|'.join(TIME_NAMES)}|yesterday|today|tomorrow|week|month|year|day|earlier|"
    r"later|ago)\b", re.I,
)
AMOUNT_WORDS = re.compile(rf"\b({'|'.join(NUMBER_WORDS)}|several|half)\b", re.I)
DURATION = re.compile(rf"\b(?:\d[\d,.]*|{'|'.join(NUMBER_WORDS)}|several|a few|many)[\s-]+(?:more\s+)?"
                      r"(?:years?|months?|weeks?|days?|hours?|minutes?|decades?|centuries)\b|\bsince (?:\w+ )?\d{4}\b",
                      re.I)


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

    def render(self) -> str:
        lines = [self.text, *(c.label() for c in self.citations), f"(answered by: {self.generator})"]
        return "\n".join(lines)


class Generator(Protocol):
    name: str

    def stream(self, question: str, ranked: list[Candidate]) -> Iterator[str | Answer]:
        """Text pieces as they are written, then the final Answer, from sentences ranked for the question
        (the decision to answer has been made already)."""
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


@dataclass
class Candidate:
    passage: Passage
    span: Span
    score: float = 0.0
    lexical: float = 0.0  # IDF-weighted share of the question's words in the sentence
    context: float = 0.0  # the same, in the sentence or the chunk around it
    dense: float = 0.0
    joined: bool = False  # a pronoun sentence joined to the one before it


def expected_answer_type(question: str) -> str | None:
    q = question.lower()
    if re.search(r"\bhow long\b(?! (?:is|was|are|were) (?:the|a|an) (?:bridge|road|river|line|border|list|wall))", q):
        return "duration"
    if re.search(r"\bhow (many|much|long|old|far)\b|\bwhat (percentage|share|number|amount)\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (year|date|day|month|time)\b|\bwhich (year|day|month)\b", q):
        return "time"
    if re.search(r"\bwho(m|se)?\b|\bwhich (official|person|leader|envoy|minister|negotiator)\b", q):
        return "person"
    if re.search(r"\bwhere\b|\bwhich (city|country|state|town|place|region)\b|\bin what (city|place)\b", q):
        return "place"
    return None


def has_answer_type(kind: str | None, sentence: str, question: str) -> bool:
    if kind is None:
        return False
    if kind == "number":
        return bool(numbers(sentence) - numbers(question) or AMOUNT_WORDS.search(sentence))
    if kind == "duration":
        return bool(DURATION.search(sentence))
    if kind == "time":
        return bool(TIME_WORDS.search(sentence))
    asked = {word_key(w) for w in question.split()}
    new_names = {w for w in capitalised_words(sentence) if word_key(w) not in asked and not TIME_WORDS.fullmatch(w)}
    return bool(new_names)


def unknown_names(question: str, keyword: KeywordIndex) -> set[str]:
    """Names in the question most of whose words no indexed chunk contains."""
    unknown = set()
    for name in capitalised_phrases(question):
        name_terms = terms(name)
        missing = [t for t in name_terms if keyword.frequency(t) == 0]
        if name_terms and len(missing) > len(name_terms) / 2:
            unknown.add(name)
    return unknown


def rank_sentences(question: str, passages: list[Passage], keyword: KeywordIndex,
                   embed_threads: int = 2) -> list[Candidate]:
    """The retrieved passages' sentences, best answer first: keyword overlap (IDF-weighted, in the sentence
    and its chunk), meaning (embedding cosine) and whether they hold the kind of thing asked for."""
    candidates = _candidates(passages)
    if not candidates:
        return []
    wanted = question_terms(question)
    total_idf = sum(keyword.idf(t) for t in wanted) or 1.0
    vectors = get_embedder(embed_threads).embed([question] + [c.span.text for c in candidates])
    similarities = vectors[1:] @ vectors[0]
    kind = expected_answer_type(question)
    best_passage = max(p.score for p in passages) or 1.0
    sentence_terms = [set(terms(c.span.text)) for c in candidates]
    facet_weight = _within_chunk_weights(candidates, sentence_terms)
    for candidate, own, similarity in zip(candidates, sentence_terms, similarities):
        context = own | keyword.terms_of(candidate.passage.chunk.id)
        weights = facet_weight[candidate.passage.chunk.id]
        candidate.lexical = sum(keyword.idf(t) * _presence(t, own) for t in wanted) / total_idf
        candidate.context = sum(keyword.idf(t) * _presence(t, context) for t in wanted) / total_idf
        facets = sum(weights.get(t, 0.0) for t in wanted if t in own) / (
            sum(weights.get(t, 0.0) for t in wanted) or 1.0)
        candidate.dense = float(similarity)
        novelty = 1.0 if own - set(wanted) - QUESTION_WORDS else 0.0
        candidate.score = (
            WEIGHT_OVERLAP * (0.5 * candidate.context + 0.5 * facets) + WEIGHT_MEANING * candidate.dense
            + WEIGHT_TYPE * has_answer_type(kind, candidate.span.text, question)
            + WEIGHT_PASSAGE * candidate.passage.score / best_passage + WEIGHT_NOVELTY * novelty
            - PENALTY_TITLE * (candidate.span.text.strip() == candidate.passage.metadata.get("title", "").strip())
            - PENALTY_JOINED * candidate.joined
        )
    ranked = sorted(candidates, key=lambda c: -c.score)
    return _typed_first(ranked, kind, question) if kind else ranked


def _typed_first(ranked: list[Candidate], kind: str, question: str) -> list[Candidate]:
    """Sentences holding the kind of thing asked for (a figure, a duration, a name…) ahead of those that don't,
    among those scoring within TYPE_PROMOTION of the best: answer-type filtering, as factoid QA systems do."""
    floor = TYPE_PROMOTION * ranked[0].score
    close = [c for c in ranked if c.score >= floor]
    typed = [c for c in close if has_answer_type(kind, c.span.text, question)]
    return typed + [c for c in ranked if c not in typed]


def disagreeing_sentence(question: str, ranked: list[Candidate], chosen: list[Candidate]) -> Candidate | None:
    """A relevant sentence from another file that gives a different figure for what a chosen sentence counts,
    about what the question names: 1,577 homes in Tamtamby do not disagree with 3,278 in Tammerfield."""
    best = ranked[0]
    identifiers = question_identifiers(question)
    for candidate in ranked[1:]:
        if candidate.score < DISAGREEMENT_RELEVANCE * best.score:
            break
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


def _presence(term: str, present: set[str]) -> float:
    """1 when the term is there, SYNONYM_CREDIT when only a near-synonym is ('conflict' for 'war')."""
    if term in present:
        return 1.0
    return SYNONYM_CREDIT if synonym_of().get(term, frozenset()) & present else 0.0


def _candidates(passages: list[Passage]) -> list[Candidate]:
    """Sentences of the passages; one opening with a pronoun is joined to the sentence it refers back to."""
    seen: set[tuple[str, int]] = set()
    candidates = []
    for passage in passages:
        chunk = passage.chunk
        spans = sentence_spans(chunk.text, chunk.start)
        for previous, span in zip([None, *spans], spans):
            joined = previous is not None and bool(PRONOUN_START.match(span.text))
            if previous is not None and joined:
                text = chunk.text[previous.start - chunk.start:span.end - chunk.start]
                span = Span(previous.start, span.end, text)
            key = (chunk.source, span.end)
            if key not in seen and len(terms(span.text)) >= 2:
                seen.add(key)
                candidates.append(Candidate(passage, span, joined=joined))
    return candidates


class ExtractiveGenerator:
    """Answers with the ranked sentences that best answer the question, each cited; no model needed."""

    name = "extractive"

    def __init__(self, max_sentences: int = 3) -> None:
        self.max_sentences = max_sentences

    def answer_from(self, question: str, ranked: list[Candidate]) -> Answer:
        """The cited answer built from sentences already ranked for this question."""
        return self.compose(question, self.select(ranked, question))

    def standalone_question(self, question: str, history: list[tuple[str, str]] | None) -> str:
        return with_context(question, history)

    def stream(self, question: str, ranked: list[Candidate]) -> Iterator[str | Answer]:
        return whole(self.answer_from(question, ranked))

    def select(self, ranked: list[Candidate], question: str = "") -> list[Candidate]:
        """The best sentence, up to max_sentences close runners-up (of the kind asked for, if the question asks
        for one), and a sentence from another file that gives a different figure."""
        kind = expected_answer_type(question)
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

    def compose(self, question: str, chosen: list[Candidate]) -> Answer:
        citations = []
        parts = []
        for number, candidate in enumerate(chosen, start=1):
            citation = citation_for_span(number, candidate.passage, candidate.span.start, candidate.span.end)
            citations.append(citation)
            parts.append(f"{citation.quote} [{number}]")
        pairs = [(i, j) for i, a in enumerate(chosen) for j, b in enumerate(chosen) if i < j
                 and a.passage.chunk.source != b.passage.chunk.source and conflicting_figures(a.span.text, b.span.text)]
        conflict = bool(pairs)
        newer = newer_of(citations[pairs[0][0]], citations[pairs[0][1]]) if pairs else None
        prefix = ""
        if conflict:
            prefix = (f"The sources differ on this (the newer report, of {newer.date}, is [{newer.number}]): "
                      if newer else "The sources differ on this: ")
        notes = [Note(NoteKind.SOURCES_DIFFER, "The sources give different figures.")] if conflict else []
        return Answer(question=question, text=prefix + " ".join(parts), answered=True,
                      citations=citations, generator=self.name, notes=notes)


def newer_of(first: Citation, second: Citation) -> Citation | None:
    """Of two citations, the one from the later-dated article, when both have a full date and they differ."""
    one, other = article_date(first.date), article_date(second.date)
    if one is None or other is None or one == other:
        return None
    return first if one > other else second


def _within_chunk_weights(candidates: list[Candidate], sentence_terms: list[set[str]]) -> dict[str, dict[str, float]]:
    """Per chunk, how rare each term is among that chunk's sentences: what sets one sentence apart."""
    by_chunk: dict[str, list[set[str]]] = {}
    for candidate, own in zip(candidates, sentence_terms):
        by_chunk.setdefault(candidate.passage.chunk.id, []).append(own)
    weights = {}
    for chunk_id, sentences in by_chunk.items():
        counts = Counter(t for own in sentences for t in own)
        weights[chunk_id] = {t: math.log(1 + len(sentences) / n) for t, n in counts.items()}
    return weights


def _redundant(a: Candidate, b: Candidate) -> bool:
    if a.passage.chunk.source == b.passage.chunk.source and abs(a.span.start - b.span.start) < 1:
        return True
    if " ".join(a.span.text.split()) == " ".join(b.span.text.split()):
        return True  # the same sentence in two files (a copy under another name): quote it once
    ta, tb = set(terms(a.span.text)), set(terms(b.span.text))
    overlap = len(ta & tb) / max(1, min(len(ta), len(tb)))
    return overlap > 0.8 and a.passage.chunk.source == b.passage.chunk.source
