"""What kind of thing a question asks for (a person, a place, a date, a figure… or a description), and whether a
sentence holds one: spaCy's named entities weighed by the answer type model's probabilities (`answer_types.json`,
a softmax over the question's embedding and its asking words, fitted by `evals/fit_models.py`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..library.embed import get_embedder
from ..nlp import NO_ENTITY, Entity, entities_of, parse
from ..text import terms

TYPES_FILE = Path(__file__).with_name("answer_types.json")
FIGURE_LABELS = ("CARDINAL", "QUANTITY", "MONEY", "PERCENT")  # what 'how many', 'how much', 'what share' ask for


def asking_words(question: str) -> str:
    """The words that say what kind of thing is asked for: 'Which technology company', 'how many viewers', 'Who
    won' (the question word with the noun it modifies, the words after 'how', or the main verb)."""
    doc = parse(question)
    for token in doc:
        if token.tag_ in ("WDT", "WP$") or (token.lower_ == "what" and token.dep_ == "det"):
            noun = token.head
            return " ".join(t.text for t in sorted({token, noun, *(c for c in noun.children if c.dep_ in (
                "amod", "compound"))}, key=lambda t: t.i))
        if token.lower_ == "how":
            return " ".join(t.text for t in doc[token.i:token.i + 3])
        if token.tag_ in ("WP", "WRB"):
            return f"{token.text} {token.head.lemma_}"
    return " ".join(t.text for t in doc[:3])


def type_features(question: str) -> np.ndarray:
    """What the answer type model reads: the question's embedding beside that of its asking words."""
    vectors = get_embedder().embed([question, asking_words(question)])
    return np.concatenate([vectors[0], vectors[1]])


@dataclass(frozen=True, eq=False)  # hashed by identity: its probabilities are cached per question
class AnswerTypeModel:
    """P(kind of answer | question): a softmax over the embeddings of the question and of its asking words."""
    labels: tuple[str, ...]
    weights: np.ndarray  # (embedding dimensions + 1, labels): the last row is the bias

    def probabilities(self, question: str) -> dict[str, float]:
        return _type_probabilities(self, question)

    def to_dict(self) -> dict[str, object]:
        return {"labels": list(self.labels), "weights": np.round(self.weights, 5).tolist()}


@lru_cache(maxsize=4096)
def _type_probabilities(model: AnswerTypeModel, question: str) -> dict[str, float]:
    logits = np.append(type_features(question), 1.0) @ model.weights
    exp = np.exp(logits - logits.max())
    return dict(zip(model.labels, (exp / exp.sum()).tolist()))


@lru_cache(maxsize=2)
def answer_types(path: Path = TYPES_FILE) -> AnswerTypeModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    return AnswerTypeModel(tuple(data["labels"]), np.asarray(data["weights"], dtype=np.float32))


def asks_for_an_entity(question: str) -> float:
    """How likely the question's answer is a named entity, date or figure (not a description)."""
    return 1.0 - answer_types().probabilities(question).get(NO_ENTITY, 0.0)


def new_labels(question: str, found: tuple[Entity, ...]) -> set[str]:
    """The labels of a sentence's entities that the question does not already name."""
    asked = set(terms(question))
    return {e.label for e in found if (words := set(terms(e.text))) and not words <= asked}


def kind_share(question: str, found: tuple[Entity, ...]) -> float:
    """How likely the kinds of entity a sentence holds are what the question asks for: the probability of the
    likeliest of them (a sentence naming a person, a place and a date holds no more of a flat guess than one)."""
    probabilities = answer_types().probabilities(question)
    return max((probabilities.get(label, 0.0) for label in new_labels(question, found)), default=0.0)


def kind_shares(question: str, sentences: list[str]) -> list[float]:
    """kind_share of each sentence (their entities found together, and cached)."""
    return [kind_share(question, found) for found in entities_of(sentences)]


def likeliest_kind(question: str) -> float:
    """The probability of the likeliest kind of entity the question may ask for."""
    return max((p for label, p in answer_types().probabilities(question).items() if label != NO_ENTITY), default=0.0)


def gives_a_figure(question: str, sentence: str) -> bool:
    return bool(new_labels(question, entities_of([sentence])[0]) & set(FIGURE_LABELS))


def asks_for_a_figure(question: str) -> bool:
    probabilities = answer_types().probabilities(question)
    return sum(probabilities.get(label, 0.0) for label in FIGURE_LABELS) >= 0.5
