"""Publication dates come only from where publishers put them, never from the article's body."""

from pathlib import Path

import pytest

from assistant.library.dates import date_in_header, date_in_path, dateline
from assistant.library.load import load_document, parse_text_metadata

OBITUARY = ("Broadcaster who called the Tigers' games for 40 years dies at 89\n\n"
            "He was born on May 3, 1934, in Detroit and joined the station on April 1, 1960.\n"
            "His first broadcast, on March 30, 1960, was a spring training game.\n")


@pytest.mark.parametrize("text", [
    OBITUARY,
    "Annual pie contest returns\n\nThe contest, first held on July 4, 1925, drew 300 bakers this year.\n",
    "Court rules on merger\n\nJanuary 5, 2023, was the deadline the judge had set, the ruling said.\n",
])
def test_dates_in_the_body_are_never_taken_for_the_publication_date(text: str) -> None:
    meta = parse_text_metadata(text, "obituary.txt")
    assert (meta["date"], meta["date_source"]) == ("", "")


@pytest.mark.parametrize(("line", "expected"), [
    ("Date: 2023-06-02", "2023-06-02"),
    ("Published: Dec. 20, 2025", "2025-12-20"),
    ("Published 10:32 AM EST, Fri January 6, 2023", "2023-01-06"),
    ("12/20/2025", "2025-12-20"),
    ("Updated: Jan 5, 2023", ""),  # when it was changed, not when it was published
    ("Saturday", ""),
])
def test_header_lines_that_state_the_date(line: str, expected: str) -> None:
    assert date_in_header([line]) == expected


def test_a_date_line_after_the_body_has_begun_is_not_the_header() -> None:
    lines = ["Mitch Albom", '"Chika," someone asks, "what do you want to be when you grow up?"', "APRIL 7, 2017"]
    assert date_in_header(lines) == ""
    assert date_in_header(["Mitch Albom", "Detroit Free Press", "APRIL 7, 2017"]) == "2017-04-07"


def test_a_dateline_gives_a_date_only_with_its_year() -> None:
    assert dateline("LONDON (Reuters) Dec. 20, 2025 - Shares fell") == ("London", "2025-12-20")
    assert dateline("WASHINGTON, Dec 20 — Senior officials met") == ("Washington", "")


@pytest.mark.parametrize(("path", "expected"), [
    ("https://www.cnn.com/2022/10/30/asia/seoul-itaewon/index.html", "2022-10-30"),
    ("https://www.usatoday.com/story/news/health/2023/08/08/4000-steps-per-day/70548600007/", "2023-08-08"),
    ("archive/2023-01-05-port-strike.txt", "2023-01-05"),
    ("https://example.com/story/123456789/", ""),
    ("2099/01/01/not-yet.txt", ""),  # a date after today is no publication date
])
def test_dated_urls_and_file_paths(path: str, expected: str) -> None:
    assert date_in_path(path) == expected


def test_a_dated_file_path_dates_an_article_that_states_no_date(tmp_path: Path) -> None:
    folder = tmp_path / "2024" / "03" / "01"
    folder.mkdir(parents=True)
    (folder / "vote.txt").write_text("Council votes on budget\n\nThe council voted on Friday.\n", encoding="utf-8")
    document = load_document(folder / "vote.txt", tmp_path)
    assert (document.date, document.date_source) == ("2024-03-01", "file path")


def test_html_dates_come_from_the_page_metadata_not_its_text(tmp_path: Path) -> None:
    body = ("<body><article><h1>Broadcaster dies at 89</h1><p>He was born on May 3, 1934, in Detroit. He called "
            "games for forty years and was inducted into the hall of fame on July 21, 1988.</p></article></body>")
    (tmp_path / "dated.html").write_text(
        "<html><head><title>Broadcaster dies</title><meta property='article:published_time' "
        f"content='2023-02-14T09:00:00Z'></head>{body}</html>", encoding="utf-8")
    (tmp_path / "undated.html").write_text(f"<html><head><title>Broadcaster dies</title></head>{body}</html>",
                                           encoding="utf-8")
    dated = load_document(tmp_path / "dated.html", tmp_path)
    assert (dated.date, dated.date_source) == ("2023-02-14", "page metadata")
    undated = load_document(tmp_path / "undated.html", tmp_path)
    assert (undated.date, undated.date_source) == ("", "")
