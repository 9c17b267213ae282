"""Check a draft against the sources: each sentence is supported (with the passages that back it), contradicted
(with the passage that says otherwise, and what differs: a figure, a date, a name, a negation, a role), or not
found in the sources.

Each claim of a sentence (`claims.claims_of`) is looked up like a question (the hybrid retriever); of the
sentences of the passages found, those sharing most of its words are embedded, and the closest in meaning are read
against it with the support check (`answering.support`, matching words by meaning too: `word_meaning.py`), each
alone and with what comes before it in its article (its title, the sentence before, a dateline): the name a
sentence leaves out is often there. A sentence opening with 'He' or 'She' is read as the person its paragraph was
about (`_resolved`), and one lacking a name, figure or detail is read with the sentence after it. A claim is

- supported when one of them holds all it says (its figures, names and content words, none turned around);
- contradicted when one of them says nearly all of it (`CONTRADICTION_SHARE` of its words, `CONTRADICTION_MEANING`
  close) but differs on what the support check flags as a contradiction: another figure or date, a negation,
  two names or two figures in swapped roles, or a name put where the claim has another of the same kind (spaCy's
  entities), in the same words' place or, by the parse, in the same place on the same verb (`roles.py`: such a
  sentence never supports the claim, though it has all its words);
- not found otherwise: a passage that lacks part of what the claim says does not contradict it.

Measured on `evals/drafts.jsonl` (tuned on its tune split, reported on held-out) by `evals/check_drafts.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..answering.cite import Citation, citation_for_span
from ..answering.rank import prose_sentences
from ..answering.reader import neighbouring_sentence
from ..answering.retrieve import Passage
from ..answering.roles import NAMING, replaced, shortened
from ..answering.support import Support, counts_something_else, support
from ..answering.word_meaning import WordMeaning, word_meaning
from ..figures import figure_values, quantities
from ..library.embed import get_embedder
from ..nlp import DATE_LABELS, Entity, counts_time, entities_of, main_subject
from ..text import Span, capitalised_words, sentence_spans, terms, word_key
from ..tuning import (
    CHECK_CANDIDATES,
    CHECK_EMBEDDED,
    CHECK_PASSAGES,
    CONTRADICTION_CLOSE_SHARE,
    CONTRADICTION_MEANING,
    CONTRADICTION_SHARE,
    SLOT_REACH,
)
from .claims import claims_of, draft_sentences

if TYPE_CHECKING:
    from ..library.catalog import Catalog
    from ..pipeline import Assistant

Verdict = Literal["supported", "contradicted", "not_found"]
SUPPORTED: Verdict = "supported"
CONTRADICTED: Verdict = "contradicted"
NOT_FOUND: Verdict = "not_found"
VERDICT_WORDS = {SUPPORTED: "supported", CONTRADICTED: "contradicted", NOT_FOUND: "not found"}

# what the support check flags, as the kind of difference a reader is told about (first match wins)
# ('modality', a claim surer than its source, is left out: it is a claim the source does not make, not found)
DIFFERENCES = (("negation", "negation"), ("antonym", "negation"), ("swap", "role"), ("order", "role"),
               ("figure", "figure"), ("unit", "figure"), ("substitution", "name"), ("name", "name"))
CONTRADICTION_PROBLEMS = {kind for kind, _ in DIFFERENCES}
COMPLETED_NEXT = {"name", "figure", "added"}  # what a sentence may lack when the one after it gives it
TIME_COUNT = "TIME_COUNT"  # the kind of a length of time or an age, which NER calls a DATE
TOLERATED = {"attribution"}  # 'X said …' beside a sentence that states it without a speech verb: no conflict
NAME_RUN = re.compile(r"\b[A-Z][\w’'\-.]*(?:\s+[A-Z][\w’'\-.]*)*")  # 'Lil Baby', 'St. Petersburg'
YEAR = re.compile(r"1[5-9]\d\d|20\d\d")  # a year dates, it counts nothing
ORDINAL_VALUE = re.compile(r"\d+(?:st|nd|rd|th)")  # a rank ('23rd'), as figure_values writes one
PERSONAL = re.compile(r"(?:He|She)\b")  # a sentence about someone named before it
ROLE_DIFFERENCES = {"swap": "role", "substitution": "name", "figure": "figure"}  # roles.replaced → what differs
SUBJECT_LABELS = NAMING  # the entities that name someone or something (spaCy labels)


@dataclass(frozen=True)
class Evidence:
    passage: Passage
    start: int  # the sentence's span in its file
    end: int
    text: str
    context: str  # the title, any dateline and the sentence before, then the sentence
    context_start: int  # where the sentence before starts, when the context needed it
    meaning: float = 0.0  # cosine similarity to the claim
    after: Evidence | None = None  # the sentence that follows it in the article, for the best candidates
    resolved: str = ""  # the sentence as read when an opening 'He' or 'She' is put as whom it means (`_resolved`)

    @property
    def reads(self) -> str:
        return self.resolved or self.text


@dataclass
class ClaimCheck:
    text: str
    verdict: Verdict
    differs: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what the support check found, for the contradiction


@dataclass
class SentenceCheck:
    text: str
    start: int
    end: int
    verdict: Verdict
    differs: str | None
    citations: list[Citation]
    claims: list[ClaimCheck]

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "start": self.start, "end": self.end, "verdict": self.verdict,
                "differs": self.differs, "citations": [c.to_dict() for c in self.citations],
                "claims": [{"text": c.text, "verdict": c.verdict, "differs": c.differs} for c in self.claims]}


@dataclass
class DraftCheck:
    sentences: list[SentenceCheck]
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {"sentences": [s.to_dict() for s in self.sentences]}

    def markdown(self) -> str:
        """The checked draft: each sentence marked with its verdict, its citations as footnotes."""
        rows = ["# Checked draft", "", " · ".join(f"{n} {VERDICT_WORDS[v]}" for v, n in self.counts().items()), ""]
        for sentence in self.sentences:
            notes = "".join(f"[^{c.number}]" for c in sentence.citations)
            what = VERDICT_WORDS[sentence.verdict] + (f" ({sentence.differs})" if sentence.differs else "")
            rows.append(f"- **{what}**: {sentence.text}{notes}")
        cited = {c.number: c for s in self.sentences for c in s.citations}
        rows += ["", *(f"[^{n}]: {c.source}, characters {c.start}–{c.end}: “{c.quote}”"
                       for n, c in sorted(cited.items()))]
        return "\n".join(rows) + "\n"

    def counts(self) -> dict[Verdict, int]:
        found: dict[Verdict, int] = {SUPPORTED: 0, CONTRADICTED: 0, NOT_FOUND: 0}
        for sentence in self.sentences:
            found[sentence.verdict] += 1
        return found


def check_draft(assistant: Assistant, draft: str) -> DraftCheck:
    """Every sentence of the draft, in order, with its verdict and the passages behind it."""
    import time

    started = time.perf_counter()
    assistant.ensure_current_index()
    sentences = draft_sentences(draft)
    claims = [claims_of(s.text) for s in sentences]
    flat = [claim for group in claims for claim in group]
    evidence = gather(assistant, flat)
    meaning = word_meaning(assistant.settings.embed_threads)
    checked = {claim: judge(claim, evidence[claim], meaning) for claim in dict.fromkeys(flat)}
    numbering = Numbering()
    results = [_sentence_result(s, [checked[c] for c in group], numbering) for s, group in zip(sentences, claims)]
    return DraftCheck(results, time.perf_counter() - started)


def gather(assistant: Assistant, claims: list[str]) -> dict[str, list[Evidence]]:
    """The sentences closest in meaning to each claim among the passages retrieved for it (embedded together)."""
    pools = {claim: _closest_in_words(claim, _pool(assistant.retriever.search(claim, k=CHECK_PASSAGES).passages))
             for claim in dict.fromkeys(claims)}
    texts = list(dict.fromkeys([*pools, *(e.reads for pool in pools.values() for e in pool)]))
    vectors = dict(zip(texts, get_embedder(assistant.settings.embed_threads).embed(texts)))
    found = {}
    for claim, pool in pools.items():
        wanted = set(terms(claim))
        scored = [(float(np.dot(vectors[claim], vectors[e.reads])), e) for e in pool]
        scored.sort(key=lambda pair: -(pair[0] + _overlap(wanted, pair[1].reads)))
        found[claim] = [_with_meaning(e, meaning, _following(e, assistant.store.catalog))
                        for meaning, e in scored[:CHECK_CANDIDATES]]
    return found


def _following(evidence: Evidence, catalog: Catalog) -> Evidence | None:
    """The sentence after this one in its article (from the next chunk, when this one ends the chunk)."""
    piece = neighbouring_sentence(evidence.passage, evidence.end, catalog, before=False)
    return None if piece is None else _evidence(piece.passage, piece.span.start, piece.span.end, piece.span.text)


def _closest_in_words(claim: str, pool: list[Evidence]) -> list[Evidence]:
    """The sentences sharing most of the claim's words, the only ones embedded (embedding is most of the time)."""
    wanted = set(terms(claim))
    return sorted(pool, key=lambda e: -_overlap(wanted, e.reads))[:CHECK_EMBEDDED]


def judge(claim: str, evidence: list[Evidence], meaning: WordMeaning | None = None) -> ClaimCheck:
    """Supported by the first candidate that holds the claim; else contradicted by the closest that says nearly
    all of it but differs; else not found."""
    readings = [(e, support(claim, e.reads, meaning), support(claim, e.context, meaning)) for e in evidence]
    backing = [e if alone.supported else _widened(e) for e, alone, in_context in readings
               if alone.supported or in_context.supported]
    instead = _contradicted_instead(claim, readings)
    if instead is not None:
        problem, evidence_against = instead
        return ClaimCheck(claim, CONTRADICTED, dict(DIFFERENCES)[problem], [evidence_against], [problem])
    if backing:
        return ClaimCheck(claim, SUPPORTED, None, _one_per_file(backing)[:2])
    for e, alone, _ in readings:
        if e.after is not None and _completed_next(claim, e, e.after, alone, meaning):
            return ClaimCheck(claim, SUPPORTED, None, [e, e.after])
    for e, alone, in_context in readings:
        differs, problems = _contradiction(claim, e, alone, in_context)
        if differs:
            return ClaimCheck(claim, CONTRADICTED, differs, [e], problems)
    return ClaimCheck(claim, NOT_FOUND)


def _contradicted_instead(claim: str, readings: list[tuple[Evidence, Support, Support]]) -> tuple[str, Evidence] | None:
    """The sentence that says the claim's words with a negation between them ('He did not see the first lady'), or
    with two of its names in each other's places ('Foxconn purchased the factory' for 'Lordstown purchased the
    factory from Foxconn'), when no sentence supports the claim by itself and every support found only with a
    sentence's context (its title and the sentence before lending the words) is further from the claim in meaning
    and in words."""
    if any(alone.supported for _, alone, _ in readings):
        return None
    contextual = [(e, in_context) for e, _, in_context in readings if in_context.supported]
    if not contextual:
        return None
    for e, alone, in_context in readings:
        problem, share = _single_difference(claim, e, alone, in_context)
        if problem and all(e.meaning > other.meaning and share >= backed.term_share for other, backed in contextual):
            return problem, e
    return None


def _single_difference(claim: str, evidence: Evidence, alone: Support, in_context: Support) -> tuple[str | None, float]:
    """A negation of the sentence itself, or a swap of two names within it once its context lends the rest."""
    if alone.problems == ["negation"]:
        return "negation", alone.term_share
    if in_context.problems == ["swap"] and "swap" in alone.problems and _roles_swapped(claim, evidence.reads):
        return "swap", in_context.term_share
    return None, 0.0


def _widened(evidence: Evidence) -> Evidence:
    """The sentence cited with the one before it, when that is what names who or what it is about."""
    if evidence.context_start >= evidence.start:
        return evidence
    chunk = evidence.passage.chunk
    text = chunk.text[evidence.context_start - chunk.start:evidence.end - chunk.start]
    return replace(evidence, start=evidence.context_start, text=text, resolved="")


def _completed_next(claim: str, evidence: Evidence, after: Evidence, alone: Support,
                    meaning: WordMeaning | None) -> bool:
    """The sentence says part of the claim, lacking only names, figures or details (none of them replaced by
    others), and the sentence after it gives the rest: a name ('… in 2021, according to a new report.' then
    'According to Chainalysis, …'), or a detail ('… acquired comic book publisher Millarworld …' then 'That was
    Netflix's first-ever acquisition')."""
    if not alone.problems or not set(alone.problems) <= COMPLETED_NEXT or _name_replaced(claim, evidence.reads) or (
            _replaced_labels(claim, evidence.reads) & SUBJECT_LABELS):
        return False
    if "figure" in alone.problems and _figure_replaced(claim, evidence.reads):
        return False
    return support(claim, f"{evidence.reads} {after.reads}", meaning).supported


def _contradiction(claim: str, evidence: Evidence, alone: Support, in_context: Support) -> tuple[str | None, list[str]]:
    """What differs, when the sentence says nearly all the claim does and differs in a way that contradicts it."""
    for reading in (in_context, alone):
        if evidence.meaning < CONTRADICTION_MEANING and reading.term_share < CONTRADICTION_CLOSE_SHARE:
            continue
        problems = [p for p in reading.problems if p not in TOLERATED]
        if reading is in_context:
            # two names swapped, or an opposite: within the sentence itself, never across its context
            problems = [p for p in problems if p != "swap" and (p != "antonym" or p in alone.problems)]
        if reading.term_share < CONTRADICTION_SHARE:
            continue
        differs = None
        if problems and set(problems) <= CONTRADICTION_PROBLEMS:
            differs = _what_differs(claim, evidence.reads, reading, problems)
        if not differs and reading is alone:  # all it says, but another name or figure in the place of one
            differs = ROLE_DIFFERENCES.get(replaced(claim, evidence.reads) or "")
        if differs:
            return differs, problems
    return None, []


def _what_differs(claim: str, quote: str, reading: Support, problems: list[str]) -> str | None:
    """The kind of difference; a name or figure the quote (the sentence itself, not its context) lacks contradicts
    only when the quote has another one of the same kind in its place (a person for a person, a date for a
    date)."""
    replaced = _replaced_labels(claim, quote)
    if replaced & DATE_LABELS:
        return "date"
    if TIME_COUNT in replaced:
        return "figure"
    for problem, kind in DIFFERENCES:
        if problem not in problems:
            continue
        if problem in ("name", "substitution") and not (replaced & SUBJECT_LABELS or _name_replaced(claim, quote)):
            continue
        if problem == "figure" and reading.missing_numbers and not _figure_replaced(claim, quote):
            continue
        if problem == "swap" and not _roles_swapped(claim, quote):
            continue
        if problem == "unit" and not counts_something_else(claim, quote):
            continue  # the figure counting something else is in the sentence before, not the one quoted
        return kind
    return None


def _name_replaced(claim: str, quote: str) -> bool:
    """A capitalised name of the claim none of whose words the quote has, right where the quote has one of its
    own ('with Robin Roberts on' for 'with Amy Robach on'; NER misses names such as 'Lil Baby')."""
    claim_words, quote_words = _name_words(claim), _name_words(quote)
    missing = [m for m in NAME_RUN.finditer(claim) if m.start() > 0 and not _run_words(m.group()) & quote_words]
    extra = [m for m in NAME_RUN.finditer(quote) if m.start() > 0 and not _run_words(m.group()) & claim_words]
    return any(_next_to_the_same(_around(claim, a.start(), a.end()), _around(quote, b.start(), b.end()))
               and not shortened(b.group(), a.group()) for a in missing for b in extra)


def _name_words(text: str) -> set[str]:
    return {word_key(w) for w in capitalised_words(text)}


def _run_words(run: str) -> set[str]:
    return {word_key(w.strip(".,")) for w in run.split()}


def _replaced_labels(claim: str, quote: str, anywhere: bool = False) -> set[str]:
    """Labels of the claim's entities the quote lacks where the quote has, in the same place, another entity of
    that label the claim lacks: 'with Robin Roberts on' where it says 'with Amy Robach on', 'on Wednesday' where it
    says 'on Tuesday'."""
    claim_entities, quote_entities = entities_of([claim, quote])
    missing = [(e, _kind(e)) for e in claim_entities if not _holds(quote, e.text)]
    extra = [(e, _kind(e)) for e in quote_entities if not _holds(claim, e.text)]
    return {kind for a, kind in missing for b, other in extra
            if kind == other and not shortened(b.text, a.text)
            and (anywhere or _same_place(_around(claim, a.start, a.end), _around(quote, b.start, b.end)))}


def _kind(entity: Entity) -> str:
    """Its label, but a length of time or an age NER calls a DATE ('13 years', 'Banks, 52,') is a figure."""
    return TIME_COUNT if entity.label == "DATE" and counts_time(entity.text) else entity.label


def _holds(text: str, name: str) -> bool:
    """The text names it, in so many words or with every word of it ('Meriwether Lewis and William Clark' holds
    'Lewis and Clark')."""
    return name.lower().removeprefix("the ") in text.lower() or set(terms(name)) <= set(terms(text))


def _around(text: str, start: int, end: int, reach: int = SLOT_REACH) -> tuple[list[str], list[str]]:
    before = re.findall(r"[\w'’-]+", text[:start].lower())[-reach:]
    after = re.findall(r"[\w'’-]+", text[end:].lower())[:reach]
    return before, after


def _next_to_the_same(claim_side: tuple[list[str], list[str]], quote_side: tuple[list[str], list[str]]) -> bool:
    (claim_before, claim_after), (quote_before, quote_after) = claim_side, quote_side
    return bool((claim_before[-1:] and claim_before[-1:] == quote_before[-1:]) or (
        claim_after[:1] and claim_after[:1] == quote_after[:1]))


def _same_place(claim_side: tuple[list[str], list[str]], quote_side: tuple[list[str], list[str]]) -> bool:
    """The word right before (or after) is the same, or a content word next to one is next to the other."""
    if _next_to_the_same(claim_side, quote_side):
        return True
    (claim_before, claim_after), (quote_before, quote_after) = claim_side, quote_side
    content = set(terms(" ".join(claim_before + claim_after)))
    return bool(content & set(terms(" ".join(quote_before + quote_after))))


def _roles_swapped(claim: str, quote: str) -> bool:
    """Two names of one kind (two countries, two companies) that the quote has in the opposite order."""
    quote_low = quote.lower()
    named = [(e.label, quote_low.find(e.text.lower())) for e in entities_of([claim])[0] if e.label in SUBJECT_LABELS]
    named = [(label, at) for label, at in named if at >= 0]
    return any(a[0] == b[0] and a[1] > b[1] for i, a in enumerate(named) for b in named[i + 1:])


def _figure_replaced(claim: str, quote: str) -> bool:
    """The quote gives another figure for what the claim's counts ('8% increase' for '12% increase'), or, when it
    gives none for that, a figure of the same kind the claim lacks ('five, to be exact' for 'three changes'): a
    count for a count, a rank for a rank, never a year, nor a figure counting something else ('21 can' beside
    'three hours')."""
    claimed, given = quantities(claim), quantities(quote)
    claimed_values, given_values = figure_values(claim), figure_values(quote)
    missing = claimed_values - given_values
    counted = [unit for unit, values in claimed.items() if unit in given and values & missing]
    if counted:
        return any(given[unit] - claimed[unit] for unit in counted)
    units_of_missing = {unit for unit, values in claimed.items() if values & missing}
    elsewhere = {v for unit, values in given.items() if unit not in units_of_missing for v in values}
    ranks = {bool(ORDINAL_VALUE.fullmatch(v)) for v in missing}
    return any(not YEAR.fullmatch(v) and bool(ORDINAL_VALUE.fullmatch(v)) in ranks
               and not (units_of_missing and v in elsewhere) for v in given_values - claimed_values)


def _pool(passages: list[Passage]) -> list[Evidence]:
    seen: set[tuple[str, int]] = set()
    found = []
    for passage in passages:
        for sentence in prose_sentences(passage):
            key = (passage.chunk.source, sentence.start)
            if key not in seen and len(terms(sentence.text)) >= 2:
                seen.add(key)
                found.append(_evidence(passage, sentence.start, sentence.end, sentence.text))
    return found


def _evidence(passage: Passage, start: int, end: int, text: str) -> Evidence:
    """The sentence with what a reader has read before it: the title, and the sentence (or dateline) before."""
    chunk = passage.chunk
    before = [s for s in sentence_spans(chunk.text, chunk.start) if s.end <= start]
    context_start = before[-1].start if before else start
    lead = chunk.text[context_start - chunk.start:start - chunk.start].strip()
    title = passage.metadata.get("title", "")
    context = " ".join(part for part in (title + "." if title else "", lead, text) if part)
    paragraph_start = chunk.text.rfind("\n", 0, start - chunk.start) + 1 + chunk.start
    resolved = _resolved(text, [s for s in before if s.start >= paragraph_start])
    return Evidence(passage, start, end, text, context, context_start, resolved=resolved)


def _resolved(text: str, earlier: list[Span]) -> str:
    """The sentence with an opening 'He' or 'She' put as the person the paragraph's sentences before it (`earlier`)
    were last about, the subject of their main clause ('President Biden initially tested positive … He isolated …
    He did not see the first lady' → 'President Biden did not see the first lady'); '' when it is not read so."""
    opening = PERSONAL.match(text)
    if not opening:
        return ""
    for sentence in reversed(earlier):
        subject = main_subject(sentence.text)
        if subject is not None and subject[1] == "PERSON":
            return subject[0] + text[opening.end():]
        if subject is not None and subject[1] != "PRON":
            return ""  # the sentence before is about something or someone else: not guessed at
    return ""


def _with_meaning(evidence: Evidence, meaning: float, after: Evidence | None = None) -> Evidence:
    return replace(evidence, meaning=meaning, after=after)


def _overlap(wanted: set[str], text: str) -> float:
    return len(wanted & set(terms(text))) / len(wanted) if wanted else 0.0


def _one_per_file(evidence: list[Evidence]) -> list[Evidence]:
    seen: set[str] = set()
    found = []
    for e in evidence:
        if e.passage.chunk.source not in seen:
            seen.add(e.passage.chunk.source)
            found.append(e)
    return found


class Numbering:
    """One citation number per quoted span across the whole draft, in order of first use."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[str, int, int], int] = {}

    def cite(self, evidence: Evidence) -> Citation:
        key = (evidence.passage.chunk.source, evidence.start, evidence.end)
        number = self.numbers.setdefault(key, len(self.numbers) + 1)
        return citation_for_span(number, evidence.passage, evidence.start, evidence.end)


def _sentence_result(sentence, checks: list[ClaimCheck], numbering: Numbering) -> SentenceCheck:
    """A sentence is contradicted if any of its claims is, supported if all are, else not found."""
    contradicted = [c for c in checks if c.verdict == CONTRADICTED]
    if contradicted:
        verdict, differs, cited = CONTRADICTED, contradicted[0].differs, contradicted
    elif all(c.verdict == SUPPORTED for c in checks):
        verdict, differs, cited = SUPPORTED, None, checks
    else:
        verdict, differs, cited = NOT_FOUND, None, [c for c in checks if c.verdict == SUPPORTED]
    citations = list({c.number: c for c in (numbering.cite(e) for check in cited for e in check.evidence)}.values())
    return SentenceCheck(sentence.text, sentence.start, sentence.end, verdict, differs, citations, checks)
