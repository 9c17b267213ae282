"""When a sentence says something happened: the dates it states ('on Saturday', 'Dec. 4', 'in February 2022',
'yesterday'), found by spaCy's NER and read by dateparser against the article's publication date.

A weekday is the one nearest the publication date: the same day if it is that weekday, else the one before when
the sentence is in the past tense and the one after when it is not ('are set to meet on Saturday'). Spans of time
('nearly three years', 'the 1980s') and vague ones ('recently', 'earlier this week') are no dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..figures import MONTHS, WEEKDAYS
from ..nlp import entities, parse

Precision = str  # "day", "month" or "year"
_ANCHORS = re.compile(rf"\b(?:{'|'.join(MONTHS)}|{'|'.join(m[:3] for m in MONTHS)}|{'|'.join(WEEKDAYS)}|"
                      r"today|yesterday|tomorrow|tonight|(?:1[6-9]|20)\d\d)\b", re.I)
_SPAN_OF_TIME = re.compile(r"\b(?:years|months|weeks|days|decades|centuries|\d{4}s)\b|\b\d{4}\s*[-–]\s*\d{2,4}\b",
                           re.I)
_YEAR = re.compile(r"\b(?:1[6-9]|20)\d\d\b")
_WEEKDAY = re.compile(rf"\b({'|'.join(WEEKDAYS)})\b", re.I)


@dataclass(frozen=True)
class StatedDate:
    day: date  # the first day of the month or year when that is all it says
    precision: Precision
    text: str  # the words that state it, as written
    start: int  # their offsets in the sentence
    end: int

    def label(self) -> str:
        if self.precision == "year":
            return f"{self.day.year}"
        if self.precision == "month":
            return self.day.strftime("%B %Y")
        return self.day.isoformat()


def may_state_a_date(sentence: str) -> bool:
    """Cheap test before NER: the sentence names a month, a weekday, a year or a day like 'yesterday'."""
    return bool(_ANCHORS.search(sentence))


def stated_dates(sentence: str, published: date | None) -> list[StatedDate]:
    """The calendar dates a sentence states, resolved against its article's date (relative ones need it)."""
    found = []
    for entity in entities(sentence):
        if entity.label != "DATE" or not _ANCHORS.search(entity.text) or _SPAN_OF_TIME.search(entity.text):
            continue
        resolved = _resolve(entity.text, sentence, entity.start, published)
        if resolved is not None and resolved[1] == "year" and _names_a_thing(sentence, entity.start):
            continue  # 'the 2023 World Cup', '2021’s boxes': a year in a name says when nothing happened
        if resolved is not None:
            day, precision = resolved
            found.append(StatedDate(day, precision, entity.text, entity.start, entity.end))
    return found


def _resolve(text: str, sentence: str, at: int, published: date | None) -> tuple[date, Precision] | None:
    weekday = _WEEKDAY.search(text)
    if weekday and not re.search(r"\d", text):
        if published is None:
            return None
        return _nearest_weekday(WEEKDAYS.index(weekday.group(1).lower()), published, _in_past(sentence, at)), "day"
    base = datetime.combine(published or date.today(), datetime.min.time())
    if published is None and not _YEAR.search(text):
        return None  # 'Dec. 4' or 'yesterday' with no article date to read it against
    data = _parse(text, base)
    if data is None:
        return None
    day, period = data
    if published is not None and period in ("day", "month") and not _YEAR.search(text):
        day = _nearest_year(day, published, _in_past(sentence, at))
    if period == "month":
        return day.replace(day=1), "month"
    if period == "year":
        return day.replace(month=1, day=1), "year"
    return day, "day"


def _nearest_year(day: date, published: date, past: bool) -> date:
    """'Dec. 4' in an article of Nov. 17 is the coming Dec. 4, in one of Dec. 20 the one just gone; in a sentence
    in the past tense, never one after the article."""
    options = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            options.append(day.replace(year=year))
        except ValueError:  # 29 February
            continue
    if past:
        options = [o for o in options if o <= published] or options
    return min(options, key=lambda o: abs((o - published).days))


def _parse(text: str, base: datetime) -> tuple[date, str] | None:
    from dateparser.date import DateDataParser

    parser = DateDataParser(languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past",
                                                        "RETURN_AS_TIMEZONE_AWARE": False})
    data = parser.get_date_data(re.sub(r"^(?:on|in|since|by|from|until|the)\s+", "", text, flags=re.I))
    if data.date_obj is None:
        return None
    return data.date_obj.date(), data.period or "day"


def _nearest_weekday(weekday: int, published: date, past: bool) -> date:
    if published.weekday() == weekday:
        return published
    if past:
        return published - timedelta(days=(published.weekday() - weekday) % 7)
    return published + timedelta(days=(weekday - published.weekday()) % 7)


def _names_a_thing(sentence: str, at: int) -> bool:
    """The year at `at` qualifies a noun ('the 2023 World Cup') rather than saying when ('in 2023')."""
    token = _token_at(parse(sentence), at)
    return token.dep_ in ("compound", "nummod", "amod", "poss", "nmod") and token.head.pos_ in ("NOUN", "PROPN")


def _token_at(doc, at: int):
    return next((t for t in doc if t.idx <= at < t.idx + len(t.text) + 1), None) or doc[0]


def _in_past(sentence: str, at: int) -> bool:
    """The verb the date belongs to (the one governing the words at `at`) is in the past tense ('met', 'said',
    'has signed'); 'are set to meet', 'will meet' are not."""
    verb = _token_at(parse(sentence), at)
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:  # spaCy makes a new Token each time
        verb = verb.head
    helpers = [t for t in verb.children if t.dep_ in ("aux", "auxpass")]
    finite = helpers or [verb]  # 'are set to meet': the tense is the helper's, not the participle's
    if any(t.lower_ in ("will", "'ll", "would") for t in finite):
        return False
    perfect = any(t.lemma_ == "have" for t in helpers) and "Past" in verb.morph.get("Tense")  # 'has signed'
    return perfect or any("Past" in t.morph.get("Tense") for t in finite)
