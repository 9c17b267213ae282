"""Who the library is about, and example questions it answers: the people and organisations its sentences name
most (capitalised phrases, confirmed as names by spaCy's NER), asked about in well-formed questions ("Who is
Kirill Dmitriev?", "What did the White House say?"), each kept only when its own answer answers it (answered, and
naming whom it asks about).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..lexicon import SPEECH_VERBS
from ..library.catalog import Catalog
from ..nlp import entities_of
from ..text import capitalised_phrases, sentence_spans

SAMPLE_CHUNKS = 1000  # chunks read (spread over the files) for the names; all of them in smaller libraries
CANDIDATES = 24  # most frequent capitalised phrases whose kind NER is asked
SPEECH = re.compile(rf"\b({'|'.join(SPEECH_VERBS)})\b")


@dataclass(frozen=True)
class Named:
    name: str
    label: str  # PERSON or ORG
    count: int  # sentences naming it
    speaks: bool  # some of them say what it said
    with_the: bool  # usually written 'the White House'


def named_in(catalog: Catalog, sample: int = SAMPLE_CHUNKS) -> list[Named]:
    """The people and organisations the library's sentences name most, most named first."""
    counts: Counter[str] = Counter()
    speaking: set[str] = set()
    seen_in: dict[str, list[str]] = {}
    with_the: Counter[str] = Counter()
    for indexed in catalog.spread(sample):
        for sentence in sentence_spans(indexed.chunk.text):
            if sentence.text[-1:] not in ".!?\"\u201d":  # headings and captions are no sentences
                continue
            lowered = sentence.text.lower()
            for phrase in set(capitalised_phrases(sentence.text)):
                if len(phrase.split()) < 2 and not phrase.isupper():
                    continue
                counts[phrase] += 1
                seen_in.setdefault(phrase, []).append(sentence.text)
                with_the[phrase] += f"the {phrase.lower()}" in lowered
                if said_by(phrase, sentence.text):
                    speaking.add(phrase)
    top = [phrase for phrase, _ in counts.most_common(CANDIDATES)]
    labels = _labels(top, seen_in)
    return [Named(phrase, labels[phrase], counts[phrase], phrase in speaking, with_the[phrase] * 2 > counts[phrase])
            for phrase in top if _is_name_of(labels.get(phrase), phrase)]


def _is_name_of(label: str | None, phrase: str) -> bool:
    """An organisation, or a person written with a full name: a lone capitalised word NER calls a person is as
    often an acronym or a product ('COVID')."""
    return label == "ORG" or (label == "PERSON" and len(phrase.split()) >= 2 and not phrase.isupper())


def said_by(name: str, sentence: str) -> bool:
    """The sentence reports the name saying something: 'Rubio said', 'said Marco Rubio', 'Rubio told Reuters'."""
    escaped = re.escape(name)
    return bool(re.search(rf"{escaped}(?:[’']s? \w+)?,?(?: \w+){{0,2}} {SPEECH.pattern}|{SPEECH.pattern},? {escaped}",
                          sentence))


def _labels(phrases: list[str], seen_in: dict[str, list[str]]) -> dict[str, str]:
    """What NER calls each phrase in the first sentences naming it (the most common label, when it is the whole
    phrase)."""
    sentences = [(phrase, text) for phrase in phrases for text in seen_in[phrase][:2]]
    found: dict[str, Counter[str]] = {}
    for (phrase, _), entities in zip(sentences, entities_of([text for _, text in sentences])):
        for entity in entities:
            if entity.text.removeprefix("the ").removesuffix("'s").removesuffix("’s") == phrase:
                found.setdefault(phrase, Counter())[entity.label] += 1
    return {phrase: labels.most_common(1)[0][0] for phrase, labels in found.items()}


def question_about(named: Named) -> str | None:
    """A question a reader would ask about a name: who a person is, or what someone said."""
    subject = f"the {named.name}" if named.with_the else named.name
    if named.speaks:
        return f"What did {subject} say?"
    return f"Who is {named.name}?" if named.label == "PERSON" else None


def answers_itself(named: Named, text: str, quotes: list[str]) -> bool:
    """The answer names whom the question is about, and for 'What did … say?' quotes it saying something."""
    if named.name.lower() not in text.lower():
        return False
    return not named.speaks or any(said_by(named.name, quote) for quote in quotes)
