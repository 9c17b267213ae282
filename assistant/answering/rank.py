"""Ranking sentences: the candidate sentences of the retrieved passages (whole sentences of the articles' prose),
what is known about each, and the ranker model that orders them (ranker.json, fitted on every week of the
real-news benchmark outside the test split by `evals/fit_models.py`)."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..figures import NUMBER_WORDS, TIME_NAMES
from ..lexicon import synonym_of
from ..library.embed import get_embedder
from ..library.prose import decode as decode_spans
from ..nlp import parse
from ..text import Span, capitalised_words, numbers, sentence_spans, terms, word_key
from ..timeframe import Timeframe, article_date, newness
from ..tuning import FRESH_HALF_LIFE, LIST_ITEM_CHARS, LIST_QUOTE_CHARS, SYNONYM_CREDIT, TYPE_PROMOTION
from .retrieve import QUESTION_WORDS, KeywordIndex, Passage, question_terms
from .weights import linear, sigmoid

RANKER_FILE = Path(__file__).with_name("ranker.json")
SENTENCE_ENDS = (".", "!", "?", '"', "”", "’", "'", ")")
OPENING_MARKS = "\"“‘'(["  # a sentence may open with a quotation: '“Attaching Jake…,” said Matt Phelps'

PRONOUN_START = re.compile(r"^(He|She|They|It|This|That|These|Those|His|Her|Their|Its|The move|The decision)\b")


TIME_WORDS = re.compile(
    rf"\b(\d{{4}}|\d{{1,2}}/\d{{1,2}}|{'|'.join(TIME_NAMES)}|yesterday|today|tomorrow|week|month|year|day|earlier|"
    r"later|ago)\b", re.I,
)


AMOUNT_WORDS = re.compile(rf"\b({'|'.join(NUMBER_WORDS)}|several|half)\b", re.I)


DURATION = re.compile(rf"\b(?:\d[\d,.]*|{'|'.join(NUMBER_WORDS)}|several|a few|many)[\s-]+(?:more\s+)?"
                      r"(?:years?|months?|weeks?|days?|hours?|minutes?|decades?|centuries)\b|\bsince (?:\w+ )?\d{4}\b",
                      re.I)


@dataclass
class Candidate:
    passage: Passage
    span: Span
    score: float = 0.0
    lexical: float = 0.0  # IDF-weighted share of the question's words in the sentence
    context: float = 0.0  # the same, in the sentence or the chunk around it
    dense: float = 0.0
    joined: bool = False  # a pronoun sentence joined to the one before it
    features: dict[str, float] = field(default_factory=dict)  # what the ranker weighed


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


def rank_sentences(question: str, passages: list[Passage], keyword: KeywordIndex,
                   embed_threads: int = 2, model: RankerModel | None = None,
                   timeframe: Timeframe | None = None) -> list[Candidate]:
    """The retrieved passages' sentences, best answer first, scored by the ranker model (ranker.json) from what is
    known of each: the question's words in it and its chunk (IDF-weighted), its meaning (embedding cosine),
    whether it holds the kind of thing asked for, how its passage ranked, where it stands in its article, and
    whether its article is dated in the time the question speaks of (`timeframe`)."""
    asked = set(terms(question))
    candidates = [c for c in _candidates(passages) if not restates(c.span.text, asked)]
    if not candidates:
        return []
    model = model or ranker_model()
    features = sentence_features(question, candidates, passages, keyword, embed_threads, timeframe)
    for candidate, found in zip(candidates, features):
        candidate.features = found
        candidate.lexical, candidate.context, candidate.dense = found["overlap"], found["context"], found["meaning"]
        candidate.score = model.score(found)
    ranked = sorted(candidates, key=lambda c: -c.score)
    kind = expected_answer_type(question)
    return _typed_first(ranked, kind, question) if kind else ranked


def sentence_features(question: str, candidates: list[Candidate], passages: list[Passage], keyword: KeywordIndex,
                      embed_threads: int = 2, timeframe: Timeframe | None = None) -> list[dict[str, float]]:
    """What the ranker weighs for each candidate sentence, each roughly in [0, 1]."""
    wanted = question_terms(question)
    total_idf = sum(keyword.idf(t) for t in wanted) or 1.0
    vectors = get_embedder(embed_threads).embed([question] + [c.span.text for c in candidates])
    similarities = vectors[1:] @ vectors[0]
    kind = expected_answer_type(question)
    best_passage = max(p.score for p in passages) or 1.0
    sentence_terms = [set(terms(c.span.text)) for c in candidates]
    facet_weight = _within_chunk_weights(candidates, sentence_terms)
    timeframe = timeframe or Timeframe()
    days = [article_date(c.passage.metadata.get("date")) for c in candidates]
    timely = _timeliness(days, timeframe)
    found = []
    for candidate, own, similarity, in_time, day in zip(candidates, sentence_terms, similarities, timely, days):
        context = own | keyword.terms_of(candidate.passage.chunk.id)
        weights = facet_weight[candidate.passage.chunk.id]
        ranks = candidate.passage.ranks
        found.append({
            "overlap": sum(keyword.idf(t) * _presence(t, own) for t in wanted) / total_idf,
            "context": sum(keyword.idf(t) * _presence(t, context) for t in wanted) / total_idf,
            "facets": sum(weights.get(t, 0.0) for t in wanted if t in own) / (
                sum(weights.get(t, 0.0) for t in wanted) or 1.0),
            "meaning": float(similarity),
            "typed": float(has_answer_type(kind, candidate.span.text, question)),
            "passage": candidate.passage.score / best_passage,
            "keyword_rank": 1 / ranks["bm25"] if "bm25" in ranks else 0.0,
            "meaning_rank": 1 / ranks["dense"] if "dense" in ranks else 0.0,
            "novelty": 1.0 if own - set(wanted) - QUESTION_WORDS else 0.0,
            "title": float(candidate.span.text.strip() == candidate.passage.metadata.get("title", "").strip()),
            "joined": float(candidate.joined),
            "lead": 1 / (1 + candidate.span.start / 1000),
            "length": min(len(own), 40) / 40,
            "question_mark": float(candidate.span.text.rstrip("\"”’' ").endswith("?")),
            "timely": in_time,
            "fresh": _freshness(day, timeframe.today),
        })
    return found


def _timeliness(days: list[date | None], timeframe: Timeframe) -> list[float]:
    """1 for a sentence of an article dated in the span the question names ("this week", "yesterday"…), 0
    outside it or undated; for "the latest …", how new its article is among the candidates' (0 the oldest, 1 the
    newest). 0 throughout when the question names no time."""
    if timeframe.bounded:
        return [float(timeframe.holds(day)) for day in days]
    return newness(days) if timeframe.prefer_recent else [0.0] * len(days)


def _freshness(day: date | None, today: date | None) -> float:
    """How recent an article is on the day the question is asked: 1 that day, halving every FRESH_HALF_LIFE
    days before it; 0 when undated or dated after it."""
    if day is None or today is None or day > today:
        return 0.0
    return 0.5 ** ((today - day).days / FRESH_HALF_LIFE)


@dataclass(frozen=True)
class RankerModel:
    """A sentence's score from its features: logistic (fitted: the probability that it holds the answer), or the
    linear hand-set weights the project started with."""
    weights: dict[str, float]
    bias: float
    logistic: bool = True

    def score(self, features: dict[str, float]) -> float:
        z = linear(self.weights, self.bias, features)
        return sigmoid(z) if self.logistic else z

    def to_dict(self) -> dict[str, object]:
        return {"weights": self.weights, "bias": self.bias, "logistic": self.logistic}


@lru_cache(maxsize=2)
def ranker_model(path: Path = RANKER_FILE) -> RankerModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    return RankerModel({k: float(v) for k, v in data["weights"].items()}, float(data["bias"]),
                       bool(data.get("logistic", True)))


def restates(sentence: str, asked: set[str]) -> bool:
    """A sentence that says nothing the question does not (a planted copy of the question is no answer), or a
    question that adds at most one word to it."""
    new = set(terms(sentence)) - asked
    return not new or (sentence.rstrip("\"”’' ").endswith("?") and len(new) <= 1)


def _typed_first(ranked: list[Candidate], kind: str, question: str) -> list[Candidate]:
    """Sentences holding the kind of thing asked for (a figure, a duration, a name…) ahead of those that don't,
    among those scoring within TYPE_PROMOTION of the best: answer-type filtering, as factoid QA systems do."""
    floor = TYPE_PROMOTION * ranked[0].score
    close = [c for c in ranked if c.score >= floor]
    typed = [c for c in close if has_answer_type(kind, c.span.text, question)]
    return typed + [c for c in ranked if c not in typed]


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
        spans = prose_sentences(passage)
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


def prose_sentences(passage: Passage) -> list[Span]:
    """The whole sentences of a passage's chunk that are prose of the article: not its header lines, captions or
    list numbers (marked at load), and not a sentence the chunk cuts off at either end (a heading or a list line
    is kept: it is whole)."""
    chunk = passage.chunk
    skip = decode_spans(passage.metadata.get("not_prose"))
    spans = sentence_spans(chunk.text, chunk.start)
    found = []
    for number, span in enumerate(spans):
        for start, end in skip:
            if start <= span.start < end < span.end:  # a list number: the sentence after it
                span = Span(end, span.end, chunk.text[end - chunk.start:span.end - chunk.start].strip())
        if any(start < span.end and span.start < end for start, end in skip):
            continue
        cut_at_start = number == 0 and chunk.start > 0 and not span.text.lstrip(OPENING_MARKS)[:1].isupper()
        cut_at_end = (number == len(spans) - 1 and not chunk.text.endswith("\n")
                      and not span.text.rstrip("\"”’')]").endswith((".", "!", "?")))
        if not cut_at_start and not cut_at_end:
            found.append(span)
    return found


def with_its_list(passage: Passage, span: Span) -> Span:
    """A sentence that introduces a list ('Candidates confirmed to attend include:', '… which includes' with the
    names on the lines after it) with the list: the short lines that follow it in the chunk, up to
    LIST_QUOTE_CHARS. Any other sentence as it is; a quote that stops at 'include:' says nothing."""
    chunk = passage.chunk
    text = span.text.rstrip()
    rest = chunk.text[span.end - chunk.start:]
    if not (text.endswith(":") or (rest.startswith("\n") and _ends_unfinished(text))):
        return span
    end, items = span.end, 0
    for line in re.finditer(r"[^\n]+", rest):
        item = line.group().strip()
        if not item:
            continue
        if len(item) > LIST_ITEM_CHARS or line.end() > LIST_QUOTE_CHARS or _is_a_clause(item):
            break
        end, items = span.end + line.start() + len(line.group().rstrip()), items + 1
    if items < 2:
        return span
    return Span(span.start, end, chunk.text[span.start - chunk.start:end - chunk.start])


def _ends_unfinished(text: str) -> bool:
    """'… which includes': no closing mark, and its last word a verb or preposition waiting for what follows."""
    if text.endswith(SENTENCE_ENDS):
        return False
    last = [t for t in parse(text) if not t.is_punct][-1:]
    return bool(last) and last[0].pos_ in ("VERB", "AUX", "ADP")


def _is_a_clause(line: str) -> bool:
    """A line with a subject and its verb ('The rest is prose.') is the text going on, not an item of a list."""
    return any(t.dep_ in ("nsubj", "nsubjpass") and t.head.pos_ in ("VERB", "AUX") for t in parse(line))


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
