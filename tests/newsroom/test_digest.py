"""The digest: the stories of a span of days, newest first, each a cited lead sentence; asked in the chat too."""

from __future__ import annotations

from datetime import date

from assistant import Assistant
from assistant.library.load import load_document
from assistant.newsroom.digest import is_digest_request
from assistant.pipeline import digest
from tests.conftest import SEEDS


def test_the_week_of_the_talks_is_one_story_with_a_cited_lead(seed_assistant: Assistant) -> None:
    week = digest(date(2025, 12, 14), date(2025, 12, 20), assistant=seed_assistant)
    assert len(week.stories) == 1 and week.undated == 1  # one seed states no year: it is never guessed
    story = week.stories[0]
    assert story.newest == date(2025, 12, 20) and story.summary == story.citation.quote
    text = load_document(SEEDS / story.citation.source, SEEDS).text
    assert text[story.citation.start:story.citation.end] == story.citation.quote
    assert "[1]" in week.markdown() and "no date of its own" in week.markdown()


def test_a_span_with_no_articles_says_so_and_where_the_news_ends(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask("What happened this week?", as_of=date(2026, 3, 4))
    assert not answer.answered and "newest dated article is of 2025-12-20" in answer.notes[0].message


def test_the_chat_answers_a_request_for_the_news_with_the_digest(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask("What happened this week?", as_of=date(2025, 12, 21))
    assert answer.answered and answer.text.startswith("The news between 2025-12-15 and 2025-12-21")
    assert "[1]" in answer.text and answer.citations[0].date == "2025-12-20"
    today = seed_assistant.ask("Catch me up on today", as_of=date(2025, 12, 20))
    assert today.answered and today.text.startswith("The news on 2025-12-20")


def test_only_a_request_for_the_news_is_a_digest_request() -> None:
    assert all(is_digest_request(q) for q in ("What happened this week?", "What's new since Monday?",
                                              "What happened today?", "Catch me up on last week"))
    assert not any(is_digest_request(q) for q in ("What happened to the Florida talks this week?",
                                                  "Who leads the Russian delegation?", "What happened?"))
