import json
import os
import subprocess
import sys
from pathlib import Path

from assistant.index import Store

ROOT = Path(__file__).resolve().parent.parent


def test_ingest_then_reingest_embeds_nothing(docs, make_settings) -> None:
    store = Store(make_settings(docs))
    first = store.ingest()
    assert sorted(first.added) == ["000_f3ed65131ccd6e47.txt", "003_001337cf8562453b.txt"]
    assert first.chunks_embedded == store.collection.count() > 0
    second = store.ingest()
    assert second.chunks_embedded == 0 and not second.changed
    assert sorted(second.unchanged) == sorted(first.added)


def test_changed_files_are_replaced_and_deleted_files_removed(docs, make_settings) -> None:
    store = Store(make_settings(docs))
    store.ingest()
    (docs / "003_001337cf8562453b.txt").write_text("Short replacement\nThe ferry service resumed on Tuesday.")
    (docs / "000_f3ed65131ccd6e47.txt").unlink()
    (docs / "new.md").write_text("# New piece\nA second ferry route opens in spring.")
    report = store.ingest()
    assert (report.added, report.updated, report.removed) == (
        ["new.md"], ["003_001337cf8562453b.txt"], ["000_f3ed65131ccd6e47.txt"])
    texts = " ".join(c.chunk.text for c in store.chunks())
    assert "ferry service resumed" in texts and "Kirill Dmitriev" not in texts
    assert {c.chunk.source for c in store.chunks()} == {"003_001337cf8562453b.txt", "new.md"}


def test_a_file_that_turns_unreadable_keeps_its_old_entries(docs, make_settings) -> None:
    store = Store(make_settings(docs))
    store.ingest()
    (docs / "003_001337cf8562453b.txt").write_bytes("Caf\xe9".encode("latin-1"))
    report = store.ingest()
    assert report.skipped and "003_001337cf8562453b.txt" in report.skipped[0]
    assert not report.removed
    assert "003_001337cf8562453b.txt" in {c.chunk.source for c in store.chunks()}


def test_changing_chunk_settings_reindexes(docs, make_settings) -> None:
    Store(make_settings(docs)).ingest()
    report = Store(make_settings(docs, chunk_size=400)).ingest()
    assert len(report.updated) == 2 and report.chunks_embedded > 0


def test_two_folders_can_share_one_index_folder(docs, make_settings, tmp_path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.txt").write_text("Harbour news\nThe harbour reopened.")
    Store(make_settings(docs)).ingest()
    Store(make_settings(other)).ingest()
    report = Store(make_settings(docs)).ingest()
    assert not report.changed and len(report.unchanged) == 2


def test_an_index_built_by_one_process_is_reused_by_the_next(docs, tmp_path) -> None:
    env = {**os.environ, "ASSISTANT_DOCS": str(docs), "ASSISTANT_INDEX": str(tmp_path / "index"),
           "ASSISTANT_GENERATOR": "extractive"}
    command = [sys.executable, "-m", "assistant.cli"]
    first = subprocess.run([*command, "ingest"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert "2 added" in first.stdout, first.stderr
    second = subprocess.run([*command, "ingest"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert "0 added, 0 updated, 2 unchanged" in second.stdout and "0 chunks embedded" in second.stdout
    asked = subprocess.run([*command, "ask", "--json", "Who leads the Russian delegation?"],
                           env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    answer = json.loads(asked.stdout)
    assert answer["answered"] and "Dmitriev" in answer["text"]
