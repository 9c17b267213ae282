"""When a sentence says something happened: weekdays and year-less dates resolved against the article's date."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.newsroom.when import stated_dates

SATURDAY = date(2025, 12, 20)


@pytest.mark.parametrize(("sentence", "day", "precision"), [
    ("Officials met on Tuesday in Florida.", date(2025, 12, 16), "day"),  # past tense: the Tuesday before
    ("Officials will meet on Monday in Geneva.", date(2025, 12, 22), "day"),  # future: the Monday after
    ("The talks were held on Dec. 2 in Moscow.", date(2025, 12, 2), "day"),
    ("The summit is planned for January 14.", date(2026, 1, 14), "day"),  # year-less: the nearest one ahead
    ("The strike began in March 2023.", date(2023, 3, 1), "month"),
])
def test_a_stated_date_is_resolved_against_the_publication_date(sentence: str, day: date, precision: str) -> None:
    found = stated_dates(sentence, SATURDAY)
    assert [(d.day, d.precision) for d in found] == [(day, precision)]
    assert all(sentence[d.start:d.end] == d.text for d in found)  # the words that state it, where they are


def test_a_year_that_only_qualifies_a_noun_and_a_span_of_time_are_not_dates_of_events() -> None:
    assert stated_dates("The 2022 invasion changed everything.", SATURDAY) == []
    assert stated_dates("After nearly four years of fighting, the lines are stable.", SATURDAY) == []


def test_without_a_publication_date_a_weekday_cannot_be_placed() -> None:
    assert stated_dates("Officials met on Tuesday.", None) == []
