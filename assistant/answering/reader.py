"""The reader: the short answer a question asks for (a name, figure, date or place), found among the named
entities (spaCy) of the best sentences, of their articles' titles and of the sentences around them, and cited
where it stands. A quoted sentence is evidence; the short answer is what was asked.

Two small models, fitted on every week of the real-news benchmark outside the test split
(`evals/fit_models.py`), decide: what kind of entity the question asks for (a softmax over the question's
embedding, `answer_types.json`), and which phrase answers it (a logistic model over where the phrase stands,
how well its kind fits, where it stands in its sentence's dependency parse relative to the question's words,
whether it names the noun the question asks for, how the sentence ranks…, `reader.json`).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..library.embed import get_embedder
from ..nlp import (
    ANSWER_LABELS,
    DATE_LABELS,
    FIGURE_LABELS,
    NAME_LABELS,
    NO_ENTITY,
    Entity,
    Structure,
    adjectives,
    nouns,
    parse,
    structures_of,
)
from ..text import Span, stem, terms
from ..tuning import READER_SENTENCES
from .rank import Candidate, prose_sentences
from .retrieve import KeywordIndex, Passage, question_terms
from .weights import LogisticModel

if TYPE_CHECKING:
    from spacy.tokens import Token

    from ..library.catalog import Catalog

TYPES_FILE = Path(__file__).with_name("answer_types.json")
READER_FILE = Path(__file__).with_name("reader.json")
PLACES = ("sentence", "title", "before", "after")
POSSESSIVE = re.compile(r"[’']s$")  # NER keeps the possessive: "Saudi Arabia's" names Saudi Arabia
WORD = re.compile(r"\w+")  # where a phrase stands, relative to its ranked sentence
SUBJECTS = ("nsubj", "nsubjpass", "csubj", "agent")
OBJECTS = ("dobj", "pobj", "attr", "oprd", "dative")
GENERIC_NOUNS = ("name", "one", "kind", "type", "number", "thing")  # "the name of the X" asks for an X


@dataclass(frozen=True)
class Piece:
    """A citable span of an article, with the indexed chunk that holds it."""
    passage: Passage
    span: Span


@dataclass(frozen=True)
class Surroundings:
    """A ranked sentence with its article's title and the sentences just before and after it."""
    rank: int
    candidate: Candidate
    pieces: dict[str, Piece]  # place → piece ("sentence" always; "title", "before", "after" when there are)


@dataclass
class Phrase:
    """A named entity, date or figure that may be the answer, where it stands, and how likely it is."""
    text: str
    label: str
    place: str  # one of PLACES
    start: int  # offsets in the file
    end: int
    surroundings: Surroundings
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0

    @property
    def piece(self) -> Piece:
        return self.surroundings.pieces[self.place]


# --- what surrounds a sentence ----------------------------------------------------------------------------

def surroundings(ranked: list[Candidate], catalog: Catalog, depth: int = READER_SENTENCES) -> list[Surroundings]:
    """The best `depth` sentences with their titles and neighbours, read from the catalog's chunks."""
    found = []
    for rank, candidate in enumerate(ranked[:depth]):
        passage = candidate.passage
        pieces = {"sentence": Piece(passage, candidate.span)}
        if title := _title_piece(passage, catalog):
            pieces["title"] = title
        if before := neighbouring_sentence(passage, candidate.span.start, catalog, before=True):
            pieces["before"] = before
        if after := neighbouring_sentence(passage, candidate.span.end, catalog, before=False):
            pieces["after"] = after
        found.append(Surroundings(rank, candidate, pieces))
    return found


def _title_piece(passage: Passage, catalog: Catalog) -> Piece | None:
    """The title where the file's text states it (a title taken from page metadata is not citable)."""
    title = passage.metadata.get("title", "").strip()
    first = catalog.chunk_covering(passage.chunk.source, 0) if title else None
    if first is None or (at := first.chunk.text.find(title)) < 0:
        return None
    start = first.chunk.start + at
    return Piece(Passage(first.chunk, first.metadata), Span(start, start + len(title), title))


def neighbouring_sentence(passage: Passage, offset: int, catalog: Catalog, before: bool) -> Piece | None:
    """The prose sentence just before `offset` (or just after it), from this chunk or the next one over."""
    chunk = passage.chunk
    near = [s for s in prose_sentences(passage) if (s.end <= offset if before else s.start >= offset)]
    if near:
        return Piece(passage, near[-1] if before else near[0])
    other = catalog.chunk_beside(chunk.source, chunk.start if before else chunk.end, before)
    if other is None or other.chunk.id == chunk.id:
        return None
    beside = Passage(other.chunk, other.metadata)
    spans = [s for s in prose_sentences(beside) if (s.end <= offset if before else s.start >= offset)]
    if not spans:
        return None
    return Piece(beside, spans[-1] if before else spans[0])


# --- the phrases and what is known about each ---------------------------------------------------------------

def phrases(question: str, found: list[Surroundings], types: dict[str, float] | None = None,
            keyword: KeywordIndex | None = None) -> list[Phrase]:
    """Every entity in the sentences and their surroundings that the question does not already name, with the
    features the reader model weighs (`types`: the answer type probabilities, when not the fitted model's;
    `keyword`: the library's keyword index, for how rare a phrase's words are in it)."""
    pieces = [(s, place, piece) for s in found for place, piece in s.pieces.items()]
    structures = structures_of([piece.span.text for _, _, piece in pieces])
    asked = set(question_terms(question)) | set(terms(question))
    wanted = set(question_terms(question))
    asking = what_is_asked(question)
    types = answer_types().probabilities(question) if types is None else types
    result = []
    for (context, place, piece), structure in zip(pieces, structures):
        near = _asked_word_positions(piece.span.text, wanted)
        asked_at = asked_tokens(structure, wanted)
        for entity in structure.entities:
            text = POSSESSIVE.sub("", entity.text)
            words = set(terms(text))
            if not words or words <= asked:  # the question's own names are never its answer
                continue
            start = piece.span.start + entity.start
            phrase = Phrase(text, entity.label, place, start, start + len(text), context)
            phrase.features = {
                "piece_overlap": len(wanted & set(terms(piece.span.text))) / max(1, len(wanted)),
                "nearby": max((1 / (1 + abs(entity.start - at) / 30) for at in near), default=0.0),
                "words": math.log(len(text.split())),
                "asked_noun": float(bool(asking.noun) and asking.noun in words),
                **syntax_features(entity, structure, asked_at, wanted, asking),
            }
            result.append(phrase)
    counts: dict[str, int] = {}
    for phrase in result:
        counts[_key(phrase.text)] = counts.get(_key(phrase.text), 0) + 1
    for phrase in result:
        candidate = phrase.surroundings.candidate
        phrase.features.update({
            **type_fit(phrase.label, types),
            **{f"in_{p}": float(phrase.place == p) for p in PLACES},
            "sentence_rank": 1 / (1 + phrase.surroundings.rank),
            "sentence_overlap": candidate.lexical,
            "sentence_meaning": candidate.dense,
            "asked_share": len(set(terms(phrase.text)) & asked) / max(1, len(set(terms(phrase.text)))),
            "repeated": math.log(counts[_key(phrase.text)]),
            "rarity": rarity(phrase.text, keyword) if keyword else 0.0,
        })
    return result


def type_fit(label: str, types: dict[str, float]) -> dict[str, float]:
    """How well a phrase's kind fits the asked-for kind: that kind's probability, and that of any kind of name
    when the phrase is a name (NER often calls a team a person, or a hurricane an organisation)."""
    names = sum(types.get(name, 0.0) for name in NAME_LABELS) if label in NAME_LABELS else 0.0
    return {"type_fit": types.get(label, 0.0), "name_fit": names}


@dataclass(frozen=True)
class Asking:
    """What the question's parse says of its answer: its role in the asked clause ("subject", "object" or
    ""), the stem of the verb it hangs on, and of the noun it is an instance of ("which festival" → festiv)."""
    role: str
    verb: str
    noun: str


@lru_cache(maxsize=4096)
def what_is_asked(question: str) -> Asking:
    doc = parse(question)
    for token in doc:
        if token.tag_ in ("WP", "WDT", "WP$", "WRB") or token.lower_ in ("what", "which", "who", "whom"):
            node = token if token.tag_ == "WP" else token.head
            noun = _asked_noun(token)
            return Asking(_role(node.dep_), stem(node.head.lemma_), stem(noun.text) if noun is not None else "")
    return Asking("", "", "")


@lru_cache(maxsize=4096)
def asks_what_a_name_is(question: str) -> bool:
    """'Who is Kirill Dmitriev?', 'What is the Strait of Hormuz?': the question names its subject and asks what
    it is, so its answer is a description, never another name (but not 'Who is the envoy?', which asks for
    one, nor 'Who is X dating?')."""
    doc = parse(question)
    wh = next((t for t in doc if t.tag_ == "WP" and t.dep_ == "attr"), None)
    if wh is None or wh.head.lemma_ != "be":
        return False
    others = [c for c in wh.head.children if c.i != wh.i and c.dep_ != "punct"]
    if len(others) != 1 or others[0].dep_ not in ("nsubj", "attr"):
        return False
    subject = [t for t in others[0].subtree if t.pos_ != "PUNCT"]
    if any(t.dep_ in ("poss", "case") for t in subject):  # a role held by someone: "Putin's envoy", "X's Word
        return False                                      # of the Year" ask for a name
    named = [t for t in subject if t.pos_ != "DET"]
    if named and all(t.ent_type_ for t in named):  # a name NER knows ('the CEO of X' is not one)
        return True
    # a name the small NER model misses in a short question ('Who is Narges Mohammadi?'): capitalised words that
    # are no common noun or adjective ('Who is Prime Minister?' asks for a name), with no article or preposition
    return all((t.is_title or t.is_upper) and t.lower_ not in nouns() and t.lower_ not in adjectives()
               for t in subject)


def short_answer(question: str, phrases: list[Phrase], model: ReaderModel | None = None) -> Phrase | None:
    """The phrase the answer leads with: the likeliest, when it is likely enough and a name is asked for; for
    'how many', 'how long' or 'when', the likeliest figure or date (a name never answers them)."""
    threshold = (model or reader_model()).threshold
    if not phrases or asks_what_a_name_is(question):
        return None
    kinds = measured_kinds(question)
    best = next((p for p in phrases if kinds is None or p.label in kinds), None)
    return best if best is not None and best.probability >= threshold else None


def measured_kinds(question: str) -> frozenset[str] | None:
    """The entity labels that can answer 'how many …', 'how long …', 'when …' or 'what year …' (by the question's
    asking words, so 'Which team did he play for when he won?' asks for a name); None for any other question."""
    asking = asking_words(question).lower().split()
    if asking[:2] in (["how", "many"], ["how", "much"], ["how", "long"]):
        return FIGURE_LABELS | DATE_LABELS  # spaCy calls a count of days or years ('366 days', 'five years') a DATE
    if asking[:1] == ["when"] or (asking[:1] in (["what"], ["which"]) and asking[1:2] in (
            ["year"], ["date"], ["day"], ["month"])):
        return DATE_LABELS
    return None


def _asked_noun(wh: Token) -> Token | None:
    """'Which festival …' → festival; 'What is the volcano called?' → volcano; 'the name of the X' → X."""
    if wh.tag_ in ("WDT", "WP$") or (wh.lower_ in ("what", "which") and wh.dep_ == "det"):
        noun: Token | None = wh.head
    elif wh.tag_ == "WP":
        noun = next((c for c in wh.head.children if c.dep_ in ("nsubj", "nsubjpass", "attr") and c.i != wh.i
                     and c.pos_ in ("NOUN", "PROPN")), None)
    else:
        return None
    while noun is not None and noun.lemma_.lower() in GENERIC_NOUNS:
        noun = next((g for c in noun.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"), None)
    return noun if noun is not None and noun.pos_ in ("NOUN", "PROPN") else None


def _role(dep: str) -> str:
    return "subject" if dep in SUBJECTS else "object" if dep in OBJECTS else ""


def asked_tokens(structure: Structure, wanted: set[str]) -> list[int]:
    """The indices of a parsed piece's tokens that are words of the question."""
    return [i for i, token in enumerate(structure.tokens) if stem(token.text) in wanted]


def syntax_features(entity: Entity, structure: Structure, asked_at: list[int], wanted: set[str],
                    asking: Asking) -> dict[str, float]:
    """Where the entity stands in its sentence's parse: how few arcs from the question's words (tree_near; they
    stand at token indices `asked_at`), in the role the question asks about (same_role), hanging on a word of
    the question (head_asked)."""
    outside = [i for i in asked_at if not entity.start <= structure.tokens[i].start < entity.end]
    root = structure.tokens[entity.root]
    head = structure.tokens[root.head]
    if root.dep == "pobj":  # "in Colorado": the preposition's head
        head = structure.tokens[head.head]
    return {
        "tree_near": max((1 / (1 + structure.path_length(entity.root, i)) for i in outside), default=0.0),
        "same_role": float(bool(asking.role) and _role(root.dep) == asking.role),
        "head_asked": float(stem(head.lemma) in wanted or (bool(asking.verb) and stem(head.lemma) == asking.verb)),
    }


def rarity(text: str, keyword: KeywordIndex) -> float:
    """How rare a phrase's words are in the library: their mean IDF over the IDF of a word in one chunk only
    (1: that rare or rarer; near 0: in almost every chunk, like the name of the news outlet or the country)."""
    words = terms(text)
    if not words or not keyword.size:
        return 0.0
    rarest = math.log(1 + (keyword.size - 0.5) / 1.5)  # > 0 from one chunk up
    return min(1.0, sum(keyword.idf(w) for w in words) / len(words) / rarest)


def _asked_word_positions(text: str, wanted: set[str]) -> list[int]:
    """Where the question's words stand in a piece (character offsets)."""
    return [m.start() for m in WORD.finditer(text) if stem(m.group(0)) in wanted]


def _key(text: str) -> str:
    return " ".join(terms(text))


# --- the two fitted models ---------------------------------------------------------------------------------

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


ReaderModel = LogisticModel  # P(a phrase is the answer | its features); a short answer from threshold up


@lru_cache(maxsize=2)
def answer_types(path: Path = TYPES_FILE) -> AnswerTypeModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    return AnswerTypeModel(tuple(data["labels"]), np.asarray(data["weights"], dtype=np.float32))


@lru_cache(maxsize=2)
def reader_model(path: Path = READER_FILE) -> ReaderModel:
    return LogisticModel.load(path)


def asks_for_an_entity(question: str) -> float:
    """How likely the question's answer is a named entity, date or figure (not a description)."""
    return 1.0 - answer_types().probabilities(question).get(NO_ENTITY, 0.0)


def read(question: str, around: list[Surroundings], keyword: KeywordIndex | None = None,
         model: ReaderModel | None = None) -> list[Phrase]:
    """The phrases that may answer the question, most likely first (each kept once: its likeliest place), among
    the best READER_SENTENCES of `around` (the ranked sentences with their titles and neighbours)."""
    model = model or reader_model()
    found = phrases(question, around[:READER_SENTENCES], keyword=keyword)
    for phrase in found:
        phrase.probability = model.probability(phrase.features)
    best: dict[str, Phrase] = {}
    for phrase in sorted(found, key=lambda p: -p.probability):
        best.setdefault(_key(phrase.text), phrase)
    return list(best.values())


__all__ = ["ANSWER_LABELS", "AnswerTypeModel", "Phrase", "Piece", "ReaderModel", "Surroundings", "read",
           "short_answer", "surroundings"]
