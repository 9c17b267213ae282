"""Questions about time: the caller's date range, the question's own time words, and which source is newer."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.frontends.ui import ChatApp
from assistant.timeframe import article_date, resolve

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2024, 3, 2)


@pytest.mark.parametrize(("question", "since", "until", "recent"), [
    ("What did the port handle this week?", date(2024, 2, 25), AS_OF, False),
    ("What happened yesterday at the port?", date(2024, 3, 1), date(2024, 3, 1), False),
    ("What has happened since Monday?", date(2024, 2, 26), AS_OF, False),
    ("What did the port report last week?", date(2024, 2, 18), date(2024, 2, 24), False),
    ("What is the latest on the strike?", None, None, True),
    ("Who runs the port authority?", None, None, False),
])
def test_time_words_are_resolved_against_the_day_asked(question, since, until, recent) -> None:
    frame = resolve(question, as_of=AS_OF)
    assert (frame.since, frame.until, frame.prefer_recent, frame.strict) == (since, until, recent, False)


def test_the_callers_dates_win_and_are_strict() -> None:
    frame = resolve("What happened this week?", as_of=AS_OF, since=date(2024, 1, 1))
    assert (frame.since, frame.until, frame.strict) == (date(2024, 1, 1), None, True)


def test_an_article_without_a_date_line_is_dated_from_its_url(tmp_path: Path) -> None:
    from assistant.library.load import load_document

    (tmp_path / "a.txt").write_text("Flag Symbols\nURL: https://www.cnn.com/2022/06/17/us/juneteenth-flag/index.html\n\n"
                                    "The flag is full of symbols.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Flag Symbols\nURL: https://example.org/about\n\nNo date anywhere.",
                                    encoding="utf-8")
    assert load_document(tmp_path / "a.txt", tmp_path).date == "2022-06-17"
    assert load_document(tmp_path / "b.txt", tmp_path).date == ""  # unknown stays unknown


def test_only_full_dates_count_as_article_dates() -> None:
    assert article_date("2025-12-20") == date(2025, 12, 20)
    assert article_date("Dec 20") is None and article_date("") is None and article_date("2025-13-40") is None


@pytest.fixture
def dated(tmp_path: Path) -> Path:
    docs = tmp_path / "dated"
    docs.mkdir()
    articles = {
        "january.txt": ("2024-01-05", "The port of Gdansk handled 55 ships in its busiest week, the port "
                                      "authority said."),
        "march.txt": ("2024-03-01", "The port of Gdansk handled 40 ships this week as the strike ended, the port "
                                    "authority said."),
        "undated.txt": ("", "The port of Gdansk is run by a city-owned authority, the port authority said."),
    }
    for name, (day, body) in articles.items():
        header = f"Date: {day}\n" if day else ""
        (docs / name).write_text(f"Port Report\n{header}\n{body}\n", encoding="utf-8")
    return docs


def test_a_date_range_keeps_to_articles_dated_inside_it(dated: Path, make_settings) -> None:
    assistant = Assistant(make_settings(dated))
    question = "How many ships did the port of Gdansk handle?"
    answer = assistant.ask(question, since=date(2024, 1, 1), until=date(2024, 1, 31))
    assert {c.source for c in answer.citations} == {"january.txt"} and "55 ships" in answer.text
    empty = assistant.ask(question, since=date(2025, 1, 1))
    assert not empty.answered and empty.notes[0].message.startswith("No article is dated on or after 2025-01-01")
    assert "dated outside it speak" in empty.notes[0].message and "remove the date filter" in empty.notes[0].message


def test_this_week_prefers_that_weeks_article_and_says_which_source_is_newer(dated: Path, make_settings) -> None:
    answer = Assistant(make_settings(dated)).ask("How many ships did the port of Gdansk handle this week?",
                                                as_of=AS_OF)
    assert [c.source for c in answer.citations] == ["march.txt", "january.txt"]  # this week's article first
    assert answer.text.startswith("As reported on 2024-01-05 and 2024-03-01: ")  # the articles' dates
    assert "The sources differ on this (the newer report, of 2024-03-01, is [1])" in answer.text


def test_the_cli_and_the_ui_take_a_date_range(dated: Path, make_settings, tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_DOCS": str(dated), "ASSISTANT_INDEX": str(tmp_path / "cli-index"),
           "ASSISTANT_GENERATOR": "extractive"}
    result = subprocess.run([sys.executable, "-m", "assistant", "ask", "--since", "2024-02-01",
                             "How many ships did the port of Gdansk handle?"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "40 ships" in result.stdout and "january.txt" not in result.stdout
    app = ChatApp(make_settings(dated))
    *_, (messages, _, _, status) = app.respond("How many ships did the port of Gdansk handle?", [], [],
                                              "extractive", 6, "2024-01-01", "2024-01-31")
    assert "55 ships" in messages[-1]["content"] and "(article of 2024-01-05)\"" in messages[-1]["content"]
    *_, (_, _, kept, status) = app.respond("How many ships?", [], [], "extractive", 6, "last spring", "")
    assert status == "Dates in Settings must look like 2025-12-20." and kept == "How many ships?"


def test_a_refusal_under_a_date_filter_names_the_filter_and_what_it_leaves_out(dated: Path, make_settings) -> None:
    """Seen: with a date filter on, a question whose article is undated was refused with 'The 51 articles share
    almost none of the question's words'."""
    answer = Assistant(make_settings(dated)).ask("Which city-owned body runs the port of Gdansk?",
                                                 since=date(2024, 3, 1), until=date(2024, 3, 31))
    assert not answer.answered
    assert answer.notes[0].message == (
        "No article dated between 2024-03-01 and 2024-03-31 speaks of “city-owned”, “runs”, “port”; 1 undated "
        "article does — remove the date filter to include them.")


def test_a_question_in_words_the_articles_never_use_is_refused_naming_them(dated: Path, make_settings) -> None:
    answer = Assistant(make_settings(dated)).ask("¿Quién dirige el puerto de Gdansk según las autoridades?")
    assert not answer.answered and "“Quién”" in answer.notes[0].message and "puerto" in answer.notes[0].message


def test_this_week_is_answered_from_the_article_of_the_week_asked(tmp_path: Path, make_settings) -> None:
    """Seen on real news: "Which music legend turned 80 this week?" answered from a 2018 article about another
    legend, because the sentence ranker did not weigh the article's date. The same question asked on two days
    is answered from the article of the week it was asked in, whichever sentence is closer in words."""
    docs = tmp_path / "ports"
    docs.mkdir()
    (docs / "old.txt").write_text("Ship Count\nDate: 2024-01-05\n\nThe port of Gdansk handled 55 container ships, a "
                                  "record, the port authority of Gdansk said.\n", encoding="utf-8")
    (docs / "new.txt").write_text("Strike Ends\nDate: 2024-03-01\n\nDockers went back to work on Thursday. Some 40 "
                                  "ships were handled at Gdansk, officials said.\n", encoding="utf-8")
    assistant = Assistant(make_settings(docs))
    question = "How many ships did the port of Gdansk handle this week?"
    in_march = assistant.ask(question, as_of=date(2024, 3, 2))
    in_january = assistant.ask(question, as_of=date(2024, 1, 6))
    assert in_march.citations[0].source == "new.txt" and "40 ships" in in_march.text.split("[1]")[0]
    assert in_january.citations[0].source == "old.txt" and "55 container ships" in in_january.text.split("[1]")[0]
