"""A story's timeline over the seed articles: dated lines, oldest first, each quote exact and each date either
stated in its quote or marked as the article's date."""

from __future__ import annotations

from datetime import date

import pytest

from assistant import Assistant
from assistant.library.load import load_document
from assistant.pipeline import timeline
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def story(seed_assistant: Assistant):
    return timeline("the Florida talks", assistant=seed_assistant)


def test_lines_are_in_date_order_and_every_quote_is_exact(story) -> None:
    assert len(story.lines) >= 2
    assert [line.day for line in story.lines] == sorted(line.day for line in story.lines)
    for line in story.lines:
        assert line.citations and line.text == line.citations[0].quote
        for citation in line.citations:
            assert load_document(SEEDS / citation.source, SEEDS).text[citation.start:citation.end] == citation.quote


def test_a_date_is_stated_in_the_quote_or_is_the_articles_date_and_says_so(story) -> None:
    for line in story.lines:
        entry = line.to_dict()
        if line.stated:
            assert entry["date_from"] == "passage" and line.stated_as and line.stated_as in line.text
        else:
            assert entry["date_from"] == "article" and line.day == date.fromisoformat(line.citations[0].date)
            assert "(article date)" in story.markdown()


def test_a_range_keeps_to_its_dates_and_bad_ranges_are_refused(seed_assistant: Assistant) -> None:
    recent = timeline("the Florida talks", since=date(2025, 1, 1), assistant=seed_assistant)
    assert recent.lines and all(line.day >= date(2025, 1, 1) for line in recent.lines)
    with pytest.raises(ValueError):
        timeline("the Florida talks", since=date(2025, 12, 31), until=date(2025, 1, 1), assistant=seed_assistant)
    with pytest.raises(ValueError):
        timeline("   ", assistant=seed_assistant)
