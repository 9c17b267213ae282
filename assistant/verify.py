"""Checks that a cited sentence is backed by its quote, and spots sources that give different figures.

Support is lexical, and deliberately strict about the parts a reader would check first:
every number in the claim must appear in the quote, most of its names must, and most of its content words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cite import strip_markers
from .text import capitalised_words, numbers, stem, terms

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
    "hundred": "100", "thousand": "1000", "million": "1000000", "billion": "1000000000",
}
_QUANTITY = re.compile(r"\b(\d[\d,.]*|" + "|".join(NUMBER_WORDS) + r")\s+([a-z]+)", re.I)
MIN_TERM_SHARE = 0.5
MIN_NAME_SHARE = 0.5


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
        bool(claim_terms) and not missing_numbers
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
