"""Checks that a cited sentence is backed by its quote, and spots sources that give different figures.

Support is lexical, and deliberately strict about the parts a reader would check first:
every number in the claim must appear in the quote, most of its names must, and most of its content words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cite import claims, strip_markers
from .text import capitalised_words, numbers, stem, terms

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
    "hundred": "100", "thousand": "1000", "million": "1000000", "billion": "1000000000",
}
_QUANTITY = re.compile(r"\b(\d[\d,.]*|" + "|".join(NUMBER_WORDS) + r")\s+([a-z]+)", re.I)
MIN_TERM_SHARE = 0.5
MIN_NAME_SHARE = 0.5
MIN_CLAIM_TERMS = 2  # a fragment such as "U.S. and Russian" is no claim


@dataclass
class Support:
    supported: bool
    term_share: float
    missing_numbers: set[str] = field(default_factory=set)
    missing_names: set[str] = field(default_factory=set)


def support(claim: str, quote: str) -> Support:
    claim = strip_markers(claim)
    claim_terms = set(terms(claim))
    quote_terms = set(terms(quote))
    term_share = len(claim_terms & quote_terms) / len(claim_terms) if claim_terms else 0.0
    missing_numbers = _numbers(claim) - _numbers(quote)
    names = {stem(n) for n in capitalised_words(claim)}
    quote_stems = {stem(w) for w in re.findall(r"[\w’'.\-]+", quote)} | quote_terms
    missing_names = {n for n in names if n not in quote_stems}
    name_share = 1 - len(missing_names) / len(names) if names else 1.0
    supported = (
        len(claim_terms) >= MIN_CLAIM_TERMS and not missing_numbers
        and term_share >= MIN_TERM_SHARE and name_share >= MIN_NAME_SHARE
    )
    return Support(supported, term_share, missing_numbers, missing_names)


def _numbers(text: str) -> set[str]:
    words = {NUMBER_WORDS[w.lower()] for w in re.findall(r"[A-Za-z]+", text) if w.lower() in NUMBER_WORDS}
    return numbers(text) | words


def quantities(text: str) -> dict[str, set[str]]:
    """unit (stemmed) → the values the text gives for it: 'three years' → {'year': {'3'}}."""
    found: dict[str, set[str]] = {}
    for value, unit in _QUANTITY.findall(text):
        value = NUMBER_WORDS.get(value.lower(), value.replace(",", ""))
        found.setdefault(stem(unit), set()).add(value)
    return found


def conflicting_figures(first: str, second: str) -> set[str]:
    """Units for which the two texts state different values (and neither shares a value)."""
    a, b = quantities(first), quantities(second)
    return {unit for unit in a.keys() & b.keys() if not (a[unit] & b[unit])}


@dataclass
class Verified:
    text: str  # the kept claims, each with the markers of the passages that support it
    numbers: list[int]  # passage numbers cited, in order of first use
    notes: list[str] = field(default_factory=list)  # what verification changed
    declined: bool = False  # the model said it cannot answer


def verify_answer(text: str, quotes: dict[int, str], cannot_answer: str) -> Verified:
    """Keep each claim only with citations whose quotes support it; re-cite or drop the rest."""
    kept: list[str] = []
    order: list[int] = []
    notes: list[str] = []
    declined = False
    for claim, cited in claims(text):
        body = strip_markers(claim)
        if any(_same(body, strip_markers(k)) for k in kept):
            notes.append(f"dropped repeated claim: {body[:80]}")
            continue
        if _is_refusal(body, cannot_answer):
            declined = True
            continue
        backing = _supporting(body, cited, quotes)
        if not backing:
            backing = _best_other_support(body, quotes)
            if backing:
                notes.append(f"re-cited to [{backing[0]}]: {body[:80]}")
        elif set(backing) != set(cited):
            dropped = sorted(set(cited) - set(backing))
            notes.append(f"removed citation {dropped} that does not support: {body[:80]}")
        if not backing:
            notes.append(f"dropped unsupported claim: {body[:80]}")
            continue
        kept.append(_with_markers(body, backing))
        order.extend(n for n in backing if n not in order)
    return Verified(" ".join(kept), order, notes, declined and not kept)


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
