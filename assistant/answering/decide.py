"""Answer or refuse: one decision, made in code before any generator runs, for every backend.

Signals of whether the retrieved sentences hold the answer (coverage of the question's words, meaning, what the
reader found…) are combined by a logistic model fitted on every week of the real-news benchmark outside the test
split (`evals/fit_models.py` refits it with the reader's models and writes `answerability.json` beside this
file). Its threshold refuses at most 5% of the answerable questions it was fitted on; see the README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..nlp import proper_names
from ..text import terms
from ..tuning import MIN_COVERAGE, RAREST_WORDS, TOP_SENTENCES, TYPE_CHECK_DEPTH
from .answer import Reading, unknown_names
from .rank import expected_answer_type, has_answer_type
from .reader import asks_for_an_entity
from .retrieve import QUESTION_WORDS, KeywordIndex, Retrieval, question_terms
from .weights import LogisticModel

MODEL_FILE = Path(__file__).with_name("answerability.json")


@dataclass(frozen=True)
class Decision:
    answer: bool
    probability: float  # that the retrieved sentences hold the answer
    reason: str  # in plain words, for a refusal
    signals: dict[str, float] = field(default_factory=dict)


AnswerabilityModel = LogisticModel  # P(the passages hold the answer | the signals); answers from threshold up


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> AnswerabilityModel:
    return LogisticModel.load(path)


def signals(question: str, retrieval: Retrieval, reading: Reading, keyword: KeywordIndex) -> dict[str, float]:
    """What the decision looks at, each roughly in [0, 1]: how well the passages cover the question, and what the
    reader found in them."""
    best = reading.phrases[0].probability if reading.phrases else 0.0
    return {**base_signals(question, retrieval, reading, keyword),
            **reader_signals(best, asks_for_an_entity(question))}


def reader_signals(best_phrase: float, asks_entity: float) -> dict[str, float]:
    """The reader's likeliest phrase, and whether the question asks for a name, figure or date at all."""
    return {"reader_best": best_phrase, "asks_entity": asks_entity, "entity_found": best_phrase * asks_entity}


def base_signals(question: str, retrieval: Retrieval, reading: Reading, keyword: KeywordIndex) -> dict[str, float]:
    ranked = reading.ranked
    wanted = question_terms(question)
    idf = {t: keyword.idf(t) for t in wanted}
    total = sum(idf.values()) or 1.0
    top = ranked[:TOP_SENTENCES]
    kind = expected_answer_type(question)
    names = proper_names(question)
    unknown = unknown_names(question, keyword)
    best = retrieval.passages[0] if retrieval.passages else None
    rarest = sorted(idf, key=lambda t: -idf[t])[:RAREST_WORDS]
    return {
        "coverage": retrieval.coverage,
        "chunk_coverage": max((sum(idf[t] for t in wanted if t in keyword.terms_of(p.chunk.id)) / total
                               for p in retrieval.passages), default=0.0),
        "sentence_overlap": max((c.lexical for c in top), default=0.0),
        "context_overlap": max((c.context for c in top), default=0.0),
        "similarity": max((c.dense for c in top), default=0.0),
        "best_score": top[0].score if top else 0.0,
        "unknown_names": len(unknown) / len(names) if names else 0.0,
        "asks_type": float(kind is not None),
        "type_found": float(kind is not None and any(has_answer_type(kind, c.span.text, question)
                                                     for c in ranked[:TYPE_CHECK_DEPTH])),
        "both_retrievers": float(best is not None and len(best.ranks) == 2),
        "rare_missing": _rarest_missing(idf, retrieval, keyword),
        "rarest_in_sentence": max((_share(rarest, set(terms(c.span.text))) for c in top), default=0.0),
        "rarest_in_chunk": max((_share(rarest, keyword.terms_of(p.chunk.id)) for p in retrieval.passages),
                               default=0.0),
    }


def _share(words: list[str], present: set[str]) -> float:
    return sum(w in present for w in words) / len(words) if words else 0.0


def _rarest_missing(idf: dict[str, float], retrieval: Retrieval, keyword: KeywordIndex) -> float:
    """How rare the rarest question word absent from the best passage is, relative to the rarest overall."""
    if not idf or not retrieval.passages:
        return 0.0
    present = keyword.terms_of(retrieval.passages[0].chunk.id)
    missing = [v for t, v in idf.items() if t not in present]
    return max(missing, default=0.0) / (max(idf.values()) or 1.0)


def decide(question: str, retrieval: Retrieval, reading: Reading, keyword: KeywordIndex,
           model: AnswerabilityModel | None = None, threshold: float | None = None) -> Decision:
    if not retrieval.passages or not keyword.size:
        return Decision(False, 0.0, "No articles are indexed yet.")
    if not reading.ranked:
        return Decision(False, 0.0, "None of the retrieved passages has a sentence about this.")
    model = model or load_model()
    found = signals(question, retrieval, reading, keyword)
    probability = model.probability(found)
    if ruled_out := _ruled_out(question, keyword, found):  # certain: no threshold answers it
        return Decision(False, 0.0, ruled_out, found)
    if probability >= (model.threshold if threshold is None else threshold):
        return Decision(True, probability, "", found)
    return Decision(False, probability, _refusal_reason(keyword, found), found)


def _ruled_out(question: str, keyword: KeywordIndex, found: dict[str, float]) -> str:
    """Refusals no score can outweigh (on the dev split none of them refused an answerable question)."""
    articles = _articles(keyword)
    names = sorted(unknown_names(question, keyword)) if found["unknown_names"] else []
    missing = words_missing(question, keyword)
    in_names = {word for name in names for word in name.split()}
    if found["coverage"] < MIN_COVERAGE and not (names and set(missing) <= in_names):
        named = ", ".join(f"\u201c{w}\u201d" for w in missing[:4])  # a question in other words (another language)
        return (f"The {articles} share almost none of the question's words (none uses {named})." if missing
                else f"The {articles} share almost none of the question's words.")
    if names:
        return f"None of the {articles} mentions {', '.join(names)}."
    if expected_answer_type(question) in ("number", "duration") and not found["type_found"]:
        return f"The question asks for a figure, and the closest passages in the {articles} give none."
    return ""


def salient_words(question: str, keyword: KeywordIndex) -> list[str]:
    """The question's content words as written, rarest in the library first: what it is about."""
    words = {}
    for word in re.findall(r"[\w’'-]+", question):
        stems = terms(word)
        if stems and stems[0] not in QUESTION_WORDS and word.lower() not in words:
            words[word.lower()] = (keyword.idf(stems[0]), word)
    return [word for _, word in sorted(words.values(), key=lambda pair: -pair[0])]


def words_missing(question: str, keyword: KeywordIndex) -> list[str]:
    """The question's content words (as written) that no indexed chunk contains, rarest-sounding first."""
    found = []
    for word in re.findall(r"[\w’'-]+", question):
        stems = terms(word)
        if stems and stems[0] not in QUESTION_WORDS and keyword.frequency(stems[0]) == 0 and word not in found:
            found.append(word)
    return found


def _articles(keyword: KeywordIndex) -> str:
    count = keyword.sources
    return f"{count} article" if count == 1 else f"{count} articles"


def _refusal_reason(keyword: KeywordIndex, found: dict[str, float]) -> str:
    if found["asks_type"] and not found["type_found"]:
        return f"The closest passages in the {_articles(keyword)} don't give what the question asks for."
    return f"The {_articles(keyword)} have related passages, but none that answers this question."
