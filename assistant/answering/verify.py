"""Verification of a written answer: every claim keeps only the citations whose quotes support it (support.py),
is re-cited to another passage that does, or is dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..text import sentence_spans, terms
from .answer import Note, NoteKind
from .cite import claims, strip_markers
from .support import support


@dataclass
class Verified:
    text: str  # the kept claims, each with the markers of the passages that support it
    numbers: list[int]  # passage numbers cited, in order of first use
    notes: list[Note] = field(default_factory=list)  # what verification changed
    declined: bool = False  # the model said it cannot answer


def verify_answer(text: str, quotes: dict[int, str], cannot_answer: str) -> Verified:
    """Keep each claim only with citations whose quotes support it; re-cite or drop the rest."""
    kept: list[str] = []
    order: list[int] = []
    notes: list[Note] = []
    declined = False
    for body, cited in _sentences(text):
        if any(_same(body, strip_markers(k)) for k in kept):
            notes.append(Note(NoteKind.REPEAT_DROPPED, f"A repeated sentence was left out: “{body[:80]}”"))
            continue
        if _is_refusal(body, cannot_answer):
            declined = True
            continue
        backing = _supporting(body, cited, quotes)
        if not backing:
            backing = _best_other_support(body, quotes)
            if backing:
                notes.append(Note(NoteKind.RECITED, f"Cited to the passage that supports it: “{body[:80]}”"))
        elif set(backing) != set(cited):
            notes.append(Note(NoteKind.CITATION_REMOVED,
                              f"A citation that does not support the sentence was removed: “{body[:80]}”"))
        if not backing:
            notes.append(Note(NoteKind.CLAIM_DROPPED, f"No passage supports this, so it was left out: “{body[:80]}”"))
            continue
        kept.append(_with_markers(body, backing))
        order.extend(n for n in backing if n not in order)
    return Verified(" ".join(kept), order, notes, declined and not kept)


def _sentences(text: str) -> list[tuple[str, list[int]]]:
    """Every sentence with the markers that follow its claim: a sentence written before a marker that belongs
    to a later sentence is checked on its own, never carried by another sentence's citation."""
    found = []
    for claim, cited in claims(text):
        for sentence in sentence_spans(strip_markers(claim)):
            found.append((sentence.text, cited))
    return found


def _same(a: str, b: str) -> bool:
    return set(terms(a)) == set(terms(b))


def _is_refusal(body: str, cannot_answer: str) -> bool:
    simple = re.sub(r"\W+", " ", body.lower()).strip()
    return simple.startswith(re.sub(r"\W+", " ", cannot_answer.lower()).strip()) or simple in {
        "not found", "i don t know", "unknown"}


def _supporting(body: str, numbers: list[int], quotes: dict[int, str]) -> list[int]:
    given = [n for n in dict.fromkeys(numbers) if n in quotes]
    single = [n for n in given if support(body, quotes[n]).supported]
    if single:
        return single
    if len(given) > 1 and support(body, " ".join(quotes[n] for n in given)).supported:
        return given
    return []


def _best_other_support(body: str, quotes: dict[int, str]) -> list[int]:
    scored = [(support(body, quote), n) for n, quote in quotes.items()]
    backing = [(s.term_share, n) for s, n in scored if s.supported]
    return [max(backing)[1]] if backing else []


def _with_markers(body: str, numbers: list[int]) -> str:
    markers = "".join(f"[{n}]" for n in numbers)
    if body[-1:] in ".!?":
        return f"{body[:-1].rstrip()} {markers}{body[-1]}"
    return f"{body} {markers}"
