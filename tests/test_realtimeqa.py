"""The real-news benchmark builder, on a tiny made-up repository in RealTime QA's layout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.library.load import load_document

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "evals"))
import realtimeqa  # noqa: E402

FILLER = " The report added further detail about the week's events and what officials expect next." * 6


def _article(url: str, title: str, sentence: str) -> dict[str, str]:
    return {"url": url, "title": title, "text": sentence + FILLER, "authors": "[]", "publish_date": "2023/03/10"}


WEEK = {
    "q_0": ("Which state was hit by an atmospheric river this week?", ["Utah", "California"], "1",
            [_article("https://www.cnn.com/2023/03/10/weather/storm/index.html", "Storm",
                      "California was hit by an atmospheric river on Friday."),
             _article("https://www.usatoday.com/story/news/2023/03/09/snow/", "Snow",
                      "Heavy snow fell across the Rockies.")]),
    "q_1": ("Which drilling venture in Alaska did the president approve?", ["Willow Project", "Birch Plan"], "0",
            [_article("https://www.cnn.com/2023/03/13/politics/willow/index.html", "Willow",
                      "The administration approved the Willow Project in Alaska.")]),
    "q_2": ("Which bank collapsed this week?", ["Silicon Valley Bank", "Chase"], "0",
            [_article("https://www.cnn.com/2023/03/11/business/svb/index.html", "SVB",
                      "Silicon Valley Bank collapsed on Friday.")]),
    "q_3": ("Which of the following is not true?", ["All of the above", "None"], "0", []),
    "q_4": ("Which film won best picture?", ["Everything Everywhere All at Once", "Babylon"], "0",
            [_article("https://www.usatoday.com/story/life/2023/03/12/oscars/", "Oscars",
                      "The Academy Awards were handed out on Sunday in Los Angeles.")]),
}


def _write_repo(root: Path, years: dict[str, dict]) -> None:
    for year, weeks in years.items():
        folder = root / "past" / year
        folder.mkdir(parents=True)
        for week, questions in weeks.items():
            qa, gcs = [], []
            for suffix, (text, choices, answer, results) in questions.items():
                qid = f"{week}_{suffix}"
                qa.append({"question_id": qid, "question_date": f"{year}/03/10", "question_sentence": text,
                           "choices": choices, "answer": [answer]})
                gcs.append({"question_id": qid, "search_time": "", "search_result": results})
            (folder / f"{week}_qa.jsonl").write_text("\n".join(map(json.dumps, qa)) + "\n")
            (folder / f"{week}_gcs.jsonl").write_text("\n".join(map(json.dumps, gcs)) + "\n")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "realtimeqa"
    _write_repo(root, {"2022": {"20220610": {"q_9": WEEK["q_0"]}}, "2023": {"20230310": WEEK},
                       "2024": {"20240105": {"q_0": WEEK["q_1"]}}})
    return root


def _questions(out: Path) -> dict[str, dict]:
    return {row["id"]: row for row in map(json.loads, (out / "questions.jsonl").read_text().splitlines())}


def test_answerable_questions_cite_their_own_articles_and_unanswerable_ones_are_left_out(
        repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    realtimeqa.main(["--repo", str(repo), "--out", str(out), "--split", "dev",
                     "--answerable", "2", "--unanswerable", "5", "--seed", "1"])
    rows = _questions(out)
    answerable = {i: r for i, r in rows.items() if r["answer"] is not None}
    unanswerable = {i: r for i, r in rows.items() if r["answer"] is None}
    assert len(answerable) == 2 and set(answerable) <= {"20230310_q_0", "20230310_q_1", "20230310_q_2"}
    corpus = {p.name: p.read_text() for p in (out / "docs").iterdir()}
    for row in answerable.values():
        assert row["gold_sources"] and all(row["answer"] in corpus[name] for name in row["gold_sources"])
        assert row["as_of"] == "2023-03-10"
    # the third answerable question becomes unanswerable: its article is left out and nothing else holds it
    left = ({"20230310_q_0", "20230310_q_1", "20230310_q_2"} - set(answerable)).pop()
    assert left in unanswerable
    # q_4's own article lacks the answer, so it was never answerable; its article is not in the corpus
    assert "20230310_q_4" in unanswerable and "Academy Awards" not in "".join(corpus.values())
    assert "20230310_q_3" not in rows  # needs its choices to make sense
    assert not any(i.startswith(("2022", "2024")) for i in rows)  # dev is 2023 only; 2022 never used


def test_article_files_carry_title_publisher_url_and_date_the_loader_reads(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    realtimeqa.main(["--repo", str(repo), "--out", str(out), "--answerable", "3", "--unanswerable", "0"])
    storm = next(p for p in (out / "docs").iterdir() if "atmospheric" in p.read_text())
    document = load_document(storm)
    assert document.title == "Storm"
    assert document.publisher == "cnn.com"
    assert document.url == "https://www.cnn.com/2023/03/10/weather/storm/index.html"
    assert document.date == "2023-03-10"  # from the URL


def test_the_build_is_deterministic_and_reads_a_bare_git_directory(repo: Path, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                   check=True)
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True)
    first, second = tmp_path / "a", tmp_path / "b"
    realtimeqa.main(["--repo", str(repo), "--out", str(first), "--split", "test"])
    realtimeqa.main(["--repo", str(bare), "--out", str(second), "--split", "test"])
    assert (first / "questions.jsonl").read_text() == (second / "questions.jsonl").read_text()
    assert sorted(p.name for p in (first / "docs").iterdir()) == sorted(p.name for p in (second / "docs").iterdir())
    assert list(_questions(first)) == ["20240105_q_0"]


def test_a_folder_that_is_no_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="neither a checkout"):
        realtimeqa.main(["--repo", str(tmp_path), "--out", str(tmp_path / "out")])
