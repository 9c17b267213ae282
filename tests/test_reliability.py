"""Issue 10: one bad or big file never stops the assistant, answers are the same from many threads, damaged
indexes and bad input get a clear message, near-identical articles are not a disagreement."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.frontends.ui import ChatApp
from assistant.library.index import IndexDamaged, Store
from assistant.library.load import load_document, load_folder

ROOT = Path(__file__).resolve().parent.parent
RUSSIA_REPORT = "003_001337cf8562453b.txt"


def _cli(*args: str, docs: Path, index: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_DOCS": str(docs), "ASSISTANT_INDEX": str(index),
           "ASSISTANT_GENERATOR": "extractive"}
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


# --- 1. big files and files that fail ----------------------------------------------------------------------

def test_a_file_with_more_chunks_than_one_store_write_takes_is_written_in_batches(docs, make_settings) -> None:
    (docs / "long.txt").write_text("Long Report\n\n" + " ".join(
        f"Sentence {i} says the harbour handled {i} ships." for i in range(400)), encoding="utf-8")
    store = Store(make_settings(docs, chunk_size=200, chunk_overlap=0))
    store._max_batch = 7  # the client's limit is ~5,461; a small one shows the same path quickly
    writes: list[int] = []
    original = store.collection.upsert
    store.collection.upsert = lambda **kw: (writes.append(len(kw["ids"])), original(**kw))[1]  # type: ignore[method-assign]
    report = store.ingest()
    assert "long.txt" in report.added and not report.skipped
    assert max(writes) <= 7 and sum(writes) == store.collection.count() == report.chunks_embedded


def test_a_file_that_fails_is_skipped_with_its_reason_and_the_rest_answer(docs, make_settings, monkeypatch) -> None:
    from assistant.library import embed

    (docs / "poison.txt").write_text("Poison Pill\n\nThe POISON token breaks the embedder.", encoding="utf-8")
    real = embed.MiniLMEmbedder.embed

    def failing(self, texts):
        if any("POISON" in t for t in texts):
            raise MemoryError("simulated failure while embedding")
        return real(self, texts)

    monkeypatch.setattr(embed.MiniLMEmbedder, "embed", failing)
    assistant = Assistant(make_settings(docs))
    report = assistant.ingest()
    assert report.skipped == ["poison.txt: could not be indexed (MemoryError: simulated failure while embedding)"]
    assert "poison.txt" not in report.added and len(report.added) == 2
    assert {c.chunk.source for c in assistant.store.chunks()} == {"000_f3ed65131ccd6e47.txt", RUSSIA_REPORT}
    assert "Dmitriev" in assistant.ask("Who leads the Russian delegation?").text
    monkeypatch.setattr(embed.MiniLMEmbedder, "embed", real)
    assert Store(make_settings(docs)).ingest().added == ["poison.txt"]  # tried again, and now it works


def test_an_ingest_cut_off_midway_resumes_where_it_stopped(docs, make_settings, monkeypatch) -> None:
    from assistant.library import embed, index

    settings = make_settings(docs, chunk_size=200, chunk_overlap=0)
    monkeypatch.setattr(index, "EMBED_PIECE", 8)
    real = embed.MiniLMEmbedder.embed
    calls: list[int] = []

    def killed_after_two_pieces(self, texts):
        calls.append(len(texts))
        if len(calls) > 2:
            raise KeyboardInterrupt  # as if the process were stopped
        return real(self, texts)

    monkeypatch.setattr(embed.MiniLMEmbedder, "embed", killed_after_two_pieces)
    with pytest.raises(KeyboardInterrupt):
        Store(settings).ingest()
    monkeypatch.setattr(embed.MiniLMEmbedder, "embed", real)
    store = Store(settings)
    total = store.catalog.count()
    assert store.collection.count() == 16 and total > 16
    report = store.ingest()
    assert report.chunks_embedded == total - 16  # only what was left, nothing embedded twice
    assert store.collection.count() == total == len(store.chunks())
    assert Store(settings).ingest().chunks_embedded == 0


def test_a_vector_store_holding_only_part_of_a_file_gets_the_file_again(docs, make_settings) -> None:
    """Written by another process or an older version: the catalog is copied from the store, and a file whose
    chunks are not all there is read and embedded again."""
    settings = make_settings(docs)
    store = Store(settings)
    store.ingest()
    held = store.collection.get(where={"source": RUSSIA_REPORT})["ids"]
    store.collection.delete(ids=held[:2])
    store.collection.modify(metadata={"generation": "written-elsewhere"})
    again = Store(settings)
    assert again.indexed_files()[RUSSIA_REPORT] == "incomplete"
    report = again.ingest()
    assert report.updated == [RUSSIA_REPORT] and again.collection.count() == len(again.chunks())


def test_files_over_the_size_limit_are_skipped_with_a_message(docs) -> None:
    (docs / "big.txt").write_text("Big\n\n" + "word " * 3000, encoding="utf-8")
    documents, problems = load_folder(docs, max_bytes=10_000)
    assert "big.txt" not in {d.source for d in documents} and len(documents) == 2
    assert problems == ["big.txt: 0.0 MB is over the 0.01 MB limit (ASSISTANT_MAX_FILE_MB); skipped"]


def test_uploads_over_the_limit_are_refused_and_nothing_is_overwritten(docs, make_settings, tmp_path) -> None:
    app = ChatApp(make_settings(docs, max_file_mb=0.01))
    big = tmp_path / "big.txt"
    big.write_text("Big\n\n" + "word " * 3000, encoding="utf-8")
    same = tmp_path / RUSSIA_REPORT
    same.write_text("Ferry News\n\nThe ferry to the island resumed service on Tuesday.", encoding="utf-8")
    _, _, status = app.upload([str(big), str(same)])
    assert "big.txt: 0.0 MB is over the 0.01 MB limit" in status and not (docs / "big.txt").exists()
    renamed = RUSSIA_REPORT.replace(".txt", "-2.txt")
    assert f"added as {renamed}" in status
    assert "Dmitriev" in (docs / RUSSIA_REPORT).read_text(encoding="utf-8")  # the original is untouched
    assert "ferry" in (docs / renamed).read_text(encoding="utf-8")


# --- 2. many threads ---------------------------------------------------------------------------------------

def test_answers_from_ten_threads_are_the_answers_given_one_at_a_time(seed_assistant: Assistant) -> None:
    import json

    questions = [json.loads(line)["question"] for line in (ROOT / "evals" / "questions.jsonl").open()
                 if '"history"' not in line][:30]
    serial = [seed_assistant.ask(q).text for q in questions]
    with ThreadPoolExecutor(10) as pool:
        concurrent = [a.text for a in pool.map(seed_assistant.ask, questions * 2)]
    assert concurrent == serial * 2


# --- 3. news HTML ------------------------------------------------------------------------------------------

NEWS_PAGE = """<!doctype html><html><head><title>Dock strike ends | The Harbour Post</title>
<meta property="og:site_name" content="The Harbour Post"><meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2024-03-02T10:00:00Z"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="ad">Subscribe today for just $1 a week!</div>
<article><h1>Dock strike ends after nine days</h1><p class="byline">By Jane Roe, Port Reporter</p>
<p>GDANSK — The dockworkers' union led by <b>Marta Lindqvist</b> ended its <em>nine-day</em> strike on Friday,
after the port authority agreed to a 6 percent raise over two years.</p>
<p>Cranes were moving again by Saturday morning, officials said, and the backlog of 40 ships should clear
within a week.</p></article>
<aside><h3>Related stories</h3><ul><li><a href="/a">Ferry fares rise again</a></li></ul></aside>
<footer>© 2024 The Harbour Post · Privacy · Terms</footer></body></html>"""


def test_news_html_keeps_inline_text_inline_and_drops_the_page_around_the_article(tmp_path: Path) -> None:
    (tmp_path / "strike.html").write_text(NEWS_PAGE, encoding="utf-8")
    document = load_document(tmp_path / "strike.html", tmp_path)
    flat = " ".join(document.text.split())
    assert "union led by Marta Lindqvist ended its nine-day strike on Friday" in flat
    assert "the backlog of 40 ships should clear within a week." in flat
    for boilerplate in ("Subscribe today", "Related stories", "Ferry fares", "Privacy", "Sport"):
        assert boilerplate not in document.text
    assert (document.title, document.publisher, document.author, document.date) == (
        "Dock strike ends | The Harbour Post", "The Harbour Post", "Jane Roe", "2024-03-02")


def test_a_question_about_a_news_page_is_answered_with_the_whole_name(tmp_path, make_settings) -> None:
    docs = tmp_path / "pages"
    docs.mkdir()
    (docs / "strike.html").write_text(NEWS_PAGE, encoding="utf-8")
    answer = Assistant(make_settings(docs)).ask("Who led the dockworkers' union during the strike?")
    assert answer.answered and "Marta Lindqvist ended its nine-day strike" in answer.text


# --- 4. damaged indexes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("damage", ["truncated", "random bytes", "a file"])
def test_a_damaged_index_gets_a_message_and_a_way_out_not_a_traceback(docs, tmp_path, damage: str) -> None:
    index = tmp_path / "index"
    assert _cli("ingest", docs=docs, index=index).returncode == 0
    database = index / "chroma.sqlite3"
    if damage == "truncated":
        with database.open("r+b") as handle:
            handle.truncate(database.stat().st_size // 2)
    elif damage == "random bytes":
        with database.open("r+b") as handle:
            handle.seek(4096)
            handle.write(os.urandom(64_000))
    else:
        index = tmp_path / "index-file"
        index.write_text("not a folder")
    result = _cli("ask", "Who leads the Russian delegation?", docs=docs, index=index)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")
    if damage != "a file":
        assert "assistant ingest --rebuild" in result.stderr
        rebuilt = _cli("ingest", "--rebuild", docs=docs, index=index)
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert "Dmitriev" in _cli("ask", "Who leads the Russian delegation?", docs=docs, index=index).stdout


def test_store_reports_damage_as_its_own_error(tmp_path, make_settings, docs) -> None:
    (tmp_path / "index").write_text("x")
    with pytest.raises(IndexDamaged, match="is a file, not a folder"):
        Store(make_settings(docs))


# --- 5. bad characters and odd questions -------------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "Who leads the Russian delegation?\udcff",  # a stray byte from the shell (surrogateescape)
    "Who leads the \ud800Russian delegation?",  # a lone surrogate from Python or a browser
])
def test_characters_that_cannot_be_encoded_are_replaced_not_fatal(seed_assistant: Assistant, question: str) -> None:
    assert "Dmitriev" in seed_assistant.ask(question).text


@pytest.mark.parametrize(("question", "message"), [
    (None, "must be text, not NoneType"), (42, "must be text, not int"), ("   ", "empty"),
    ("Why " + "war " * 2998 + "now?", "12,000 characters long; the limit is 2,000"),
])
def test_questions_that_cannot_be_asked_get_a_clear_message(seed_assistant: Assistant, question, message) -> None:
    with pytest.raises(ValueError, match=message):
        seed_assistant.ask(question)


def test_the_ui_stream_survives_a_lone_surrogate(docs, make_settings) -> None:
    app = ChatApp(make_settings(docs))
    *_, (messages, answers, _, status) = app.respond("Who leads the \ud800Russian delegation?", [], [],
                                                    "extractive", 6)
    assert status.startswith("Answered by: extractive") and "Dmitriev" in messages[-1]["content"]
    messages[-1]["content"].encode("utf-8")  # what the page is sent can be encoded


# --- 6. near-identical articles ----------------------------------------------------------------------------

def test_look_alike_articles_with_other_figures_are_not_a_disagreement(tmp_path, make_settings) -> None:
    docs = tmp_path / "lookalikes"
    docs.mkdir()
    for number, word in [(149, "amber"), (150, "cobalt"), (151, "violet"), (152, "saffron")]:
        (docs / f"article-{number}.txt").write_text(
            f"Bulletin {number}\n\nThe code word for article {number} is {word}, and 3{number} people received it "
            f"on Monday.", encoding="utf-8")
    answer = Assistant(make_settings(docs)).ask("What is the code word for article 150?")
    assert "cobalt" in answer.text and not answer.text.startswith("The sources differ")
    assert {c.source for c in answer.citations} == {"article-150.txt"}


# --- 7. links, copies, repeated warnings, logins -----------------------------------------------------------

def test_links_are_followed_only_inside_the_folder_and_bad_ones_are_named(docs, tmp_path) -> None:
    outside = tmp_path / "private.txt"
    outside.write_text("Private\n\nSalary list for the whole newsroom.", encoding="utf-8")
    (docs / "outside.txt").symlink_to(outside)
    (docs / "broken.txt").symlink_to(docs / "missing.txt")
    (docs / "loop-a.txt").symlink_to(docs / "loop-b.txt")
    (docs / "loop-b.txt").symlink_to(docs / "loop-a.txt")
    (docs / "alias.txt").symlink_to(docs / RUSSIA_REPORT)
    documents, problems = load_folder(docs)
    assert "outside.txt" not in {d.source for d in documents} and "alias.txt" in {d.source for d in documents}
    assert sorted(problems) == [
        "broken.txt: a broken or looping link; skipped",
        "loop-a.txt: a broken or looping link; skipped",
        "loop-b.txt: a broken or looping link; skipped",
        "outside.txt: links to a file outside the documents folder; not followed",
    ]


def test_a_copy_under_another_name_is_quoted_once(docs, make_settings) -> None:
    (docs / "copy.txt").write_text((docs / RUSSIA_REPORT).read_text(encoding="utf-8"), encoding="utf-8")
    answer = Assistant(make_settings(docs)).ask("Where have previous discussions taken place?")
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == len(set(quotes)), answer.text


def test_each_skipped_file_is_reported_once(docs, tmp_path) -> None:
    (docs / "empty.txt").write_text("", encoding="utf-8")
    result = _cli("ingest", docs=docs, index=tmp_path / "index")
    assert result.stderr.count("empty.txt") == 1, result.stderr


def test_rebuilding_the_index_keeps_the_trash(docs, make_settings, tmp_path) -> None:
    from assistant.frontends.cli import remove_index

    store = Store(make_settings(docs))
    store.ingest()
    assert store.remove_file(RUSSIA_REPORT) == RUSSIA_REPORT
    remove_index(tmp_path / "index")
    assert [entry.split("/", 1)[1] for entry in Store(make_settings(docs)).trashed()] == [RUSSIA_REPORT]
