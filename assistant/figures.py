"""Figures in text: numbers written as digits or words, what they count, and sources that disagree on them."""

from __future__ import annotations

import re

from .lexicon import synonym_of
from .text import stem, terms
from .tuning import CONFLICT_CONTEXT

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fifteen": "15",
    "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "dozen": "12",
    "thousand": "1000", "million": "1000000", "billion": "1000000000", "trillion": "1000000000000",
}
ORDINALS = {
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
    "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th", "twelfth": "12th",
}
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
TIME_NAMES = [*MONTHS, *(m[:3] for m in MONTHS), *WEEKDAYS]  # names of months (and their short forms) and days
# Words that never say what a figure counts: "voted 12 to 3", "one of the", "two in three"
_NOT_UNITS = {"to", "of", "in", "and", "or", "the", "a", "an", "for", "by", "from", "with", "at", "on", "as",
              "than", "per", "out", "more", "less", "about", "nearly", "around", "over", "under", "after", "before"}
_DIGITS = r"\d[\d,]*(?:\.\d+)?"
_FIGURE = re.compile(rf"(?<![\w.])(\$?{_DIGITS}%?|{'|'.join(NUMBER_WORDS)})\b", re.I)
_DIGIT_ORDINAL = re.compile(r"(?<![\w.])(\d+(?:st|nd|rd|th))\b", re.I)  # '43rd'
_QUANTITY = re.compile(rf"(?<![\w.\-])({_DIGITS}|{'|'.join(NUMBER_WORDS)})(?:\s*-\s*|\s+)([a-z]+)", re.I)
# (the figure of a name such as 'COVID-19 cases' or 'F-16 jets' counts nothing)
# what a figure can be about: who or what a sentence names
SUBJECT_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART"}
_SCALE = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000}


def normalise_figure(token: str) -> str:
    """'$1,400' → '1400', 'four' → '4', '3.40' → '3.4', 'second' → '2nd'."""
    word = token.lower()
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    if word in ORDINALS:
        return ORDINALS[word]
    value = word.strip("$%").replace(",", "")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value


def figure_values(text: str) -> set[str]:
    """Every figure in the text, normalised: digits, number words and ordinals, and '$2 billion' as 2000000000."""
    values = {normalise_figure(m.group(1)) for m in _FIGURE.finditer(text)}
    values |= {ORDINALS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in ORDINALS}
    values |= {m.lower() for m in _DIGIT_ORDINAL.findall(text)}
    for amount, scale in re.findall(rf"({_DIGITS})\s+(thousand|million|billion|trillion)\b", text, re.I):
        values.add(_scaled(amount, scale))
    return values - {""}


def _scaled(amount: str, scale: str) -> str:
    value = float(amount.replace(",", "")) * _SCALE[scale.lower()]
    return str(int(value)) if value.is_integer() else str(value)


def quantities(text: str) -> dict[str, set[str]]:
    """What each figure counts (stemmed unit) → the values given for it: 'three years' → {'year': {'3'}}."""
    found: dict[str, set[str]] = {}
    for value, unit in _QUANTITY.findall(text):
        if unit.lower() in _NOT_UNITS or unit.lower() in NUMBER_WORDS:
            continue
        found.setdefault(stem(unit), set()).add(normalise_figure(value))
    return found


def conflicting_figures(first: str, second: str) -> set[str]:
    """Units that both sentences count, about the same thing and the same subject, with no value in common.

    'nearly three years of conflict since Russia's invasion' and 'after nearly four years of fighting' conflict on
    'year' only if the words around the two figures overlap: two sentences that both happen to count years of
    different things do not. Nor do two that count the same thing of different subjects: one athlete's 62 home
    runs and another's 73.
    """
    a, b = quantities(first), quantities(second)
    shared = {unit for unit in a.keys() & b.keys() if not (a[unit] & b[unit])}
    return {unit for unit in shared if _same_subject(first, second, unit)} if shared and _same_names(
        first, second) else set()


def _same_names(first: str, second: str) -> bool:
    """Where both sentences name people (or organisations, places…), they name at least one in common."""
    from .nlp import entities  # spaCy loads on first use

    named = [{(e.label, w) for e in entities(text) if e.label in SUBJECT_LABELS for w in terms(e.text)}
             for text in (first, second)]
    labels = {label for label, _ in named[0]} & {label for label, _ in named[1]}
    return all({w for lab, w in named[0] if lab == label} & {w for lab, w in named[1] if lab == label}
               for label in labels)


def _same_subject(first: str, second: str, unit: str) -> bool:
    context_a, context_b = _context(first, unit), _context(second, unit)
    synonyms = synonym_of()
    return any(a == b or b in synonyms.get(a, ()) for a in context_a for b in context_b)


def _context(sentence: str, unit: str) -> set[str]:
    """Content words next to the unit: what is being counted ('years of conflict', 'votes in the Senate')."""
    words = [w for w in terms(sentence) if w not in _APPROXIMATORS]
    places = [i for i, w in enumerate(words) if w == unit]
    near = {w for i in places for w in words[max(0, i - CONFLICT_CONTEXT - 1): i + CONFLICT_CONTEXT + 1]}
    return {w for w in near if w != unit and not any(ch.isdigit() for ch in w) and w not in _NUMBER_STEMS}


_NUMBER_STEMS = {stem(w) for w in NUMBER_WORDS}
_APPROXIMATORS = {stem(w) for w in ("nearly", "almost", "about", "around", "roughly", "some", "approximately",
                                   "least", "more", "less", "than", "over", "under", "just", "only")}
