"""The watched folder: a real watcher (watchfiles) on a real folder, indexing what is written into it."""

from __future__ import annotations

import logging
import threading
import time

from assistant import Assistant
from assistant.library.watch import FolderWatcher

ARTICLE = ("Harbour news\nDate: 2025-12-21\n\nThe Tammerfield harbour master, Ilse Varga, reopened the harbour on "
           "Tuesday after the storm.\n")


def _watching(assistant: Assistant) -> FolderWatcher:
    assistant.ensure_index()
    watcher = FolderWatcher(assistant.store, debounce_ms=200).start()
    assert watcher.ready.wait(10)
    return watcher


def _until(check, seconds: float = 10.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")


def test_a_new_article_is_answered_with_a_citation_within_seconds_and_a_removed_one_is_gone(docs, make_settings):
    assistant = Assistant(make_settings(docs))
    watcher = _watching(assistant)
    try:
        (docs / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
        took = _until(lambda: "harbour.txt" in {c.source for c in assistant.ask(
            "Who reopened the Tammerfield harbour?").citations})
        assert took < 5
        (docs / "harbour.txt").unlink()
        _until(lambda: "harbour.txt" not in {c.source for c in assistant.ask(
            "Who reopened the Tammerfield harbour?").citations}, 5)
    finally:
        watcher.stop()


def test_a_moved_article_is_cited_under_its_new_name_only(docs, make_settings):
    assistant = Assistant(make_settings(docs))
    watcher = _watching(assistant)
    question = "Who reopened the Tammerfield harbour?"
    try:
        (docs / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
        _until(lambda: "harbour.txt" in assistant.store.catalog.files())
        (docs / "archive").mkdir()
        (docs / "harbour.txt").rename(docs / "archive" / "harbour-2025.txt")
        _until(lambda: set(assistant.store.catalog.files()) >= {"archive/harbour-2025.txt"}
               and "harbour.txt" not in assistant.store.catalog.files(), 5)
        assert {c.source for c in assistant.ask(question).citations} == {"archive/harbour-2025.txt"}
    finally:
        watcher.stop()


def test_a_file_still_being_written_is_not_indexed_half_way(docs, make_settings):
    assistant = Assistant(make_settings(docs))
    watcher = _watching(assistant)
    try:
        path = docs / "long.txt"
        with path.open("w", encoding="utf-8") as out:  # a slow copy: a line every 0.2 s for 2 s
            out.write("Long report\n\n")
            for n in range(10):
                out.write(f"Paragraph {n} says the ferry ran {n} times. ")
                out.flush()
                time.sleep(0.2)
            out.write("The last paragraph names the captain, Oskar Lind.\n")
        _until(lambda: "long.txt" in assistant.store.catalog.files())
        chunks = [c for c in assistant.store.catalog.all_chunks() if c.chunk.source == "long.txt"]
        assert "Oskar Lind" in " ".join(c.chunk.text for c in chunks)  # the whole file, not a part of it
    finally:
        watcher.stop()


def test_a_burst_of_files_is_indexed_in_few_batches_and_a_bad_file_is_reported(docs, make_settings, caplog,
                                                                            monkeypatch):
    caplog.set_level(logging.WARNING)
    assistant = Assistant(make_settings(docs))
    watcher = _watching(assistant)
    ingests = []
    real = assistant.store.ingest
    monkeypatch.setattr(assistant.store, "ingest", lambda *a, **k: ingests.append(1) or real(*a, **k))
    try:
        def write_burst() -> None:
            for n in range(200):
                (docs / f"brief-{n:03d}.txt").write_text(f"Brief {n}\n\nThe council met {n} times in town {n}.\n",
                                                         encoding="utf-8")
            (docs / "broken.txt").write_bytes(b"\xff\xfe\x00\x00binary")
        threading.Thread(target=write_burst).start()
        _until(lambda: sum(s.startswith("brief-") for s in assistant.store.catalog.files()) == 200, 120)
        assert len(ingests) <= 5, len(ingests)
        _until(lambda: "broken.txt" in caplog.text)
        assert "skipped broken.txt" in caplog.text
        (docs / "after.txt").write_text(ARTICLE.replace("Tammerfield", "Osttovton"), encoding="utf-8")
        _until(lambda: "after.txt" in assistant.store.catalog.files())  # still watching after the bad file
    finally:
        watcher.stop()
