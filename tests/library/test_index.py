import json
import os
import subprocess
import sys
from pathlib import Path

from assistant.library.index import Store

ROOT = Path(__file__).resolve().parents[2]


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


def test_an_ingest_of_named_files_takes_in_those_and_leaves_the_rest_for_a_full_scan(docs, make_settings) -> None:
    """What the watcher does: only the files it saw change are looked at (added, changed, moved, removed)."""
    store = Store(make_settings(docs))
    store.ingest()
    (docs / "000_f3ed65131ccd6e47.txt").rename(docs / "moved.txt")
    (docs / "sub").mkdir()
    (docs / "sub" / "new.md").write_text("# New piece\nA second ferry route opens in spring.")
    (docs / "unseen.txt").write_text("Unseen\nA file no watcher reported.")
    report = store.ingest(only=["000_f3ed65131ccd6e47.txt", "moved.txt", "sub/new.md", "sub/gone.txt"])
    assert (sorted(report.added), report.removed) == (["moved.txt", "sub/new.md"], ["000_f3ed65131ccd6e47.txt"])
    assert set(store.catalog.files()) == {"003_001337cf8562453b.txt", "moved.txt", "sub/new.md"}
    assert store.keyword.search(["ferri"], 5)
    assert store.ingest().added == ["unseen.txt"]


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
    command = [sys.executable, "-m", "assistant"]
    first = subprocess.run([*command, "ingest"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert "2 added" in first.stdout, first.stderr
    assert "new chunks can be searched by keyword now; embedding them" in first.stdout
    second = subprocess.run([*command, "ingest"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert "0 added, 0 updated, 2 unchanged" in second.stdout and "0 chunks embedded" in second.stdout
    asked = subprocess.run([*command, "ask", "--json", "Who leads the Russian delegation?"],
                           env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    answer = json.loads(asked.stdout)
    assert answer["answered"] and "Dmitriev" in answer["text"]


def test_a_new_article_can_be_asked_about_while_its_embeddings_are_computed(docs, make_settings, monkeypatch) -> None:
    import threading

    from assistant import Assistant
    from assistant.library import embed

    assistant = Assistant(make_settings(docs))
    assistant.ingest()
    (docs / "harbour.txt").write_text("Harbour news\n\nThe Tammerfield harbour master, Ilse Varga, reopened the "
                                      "harbour on Tuesday after the storm.", encoding="utf-8")
    release, waiting = threading.Event(), threading.Event()
    real = embed.MiniLMEmbedder.embed

    def slow_for_ingest(self, texts):
        if threading.current_thread().name == "ingest":
            waiting.set()
            release.wait(timeout=120)
        return real(self, texts)

    monkeypatch.setattr(embed.MiniLMEmbedder, "embed", slow_for_ingest)
    reports = []
    ingest = threading.Thread(target=lambda: reports.append(assistant.ingest()), name="ingest")
    ingest.start()
    try:
        assert waiting.wait(timeout=60)
        assert assistant.store.catalog.pending() and not assistant.store.collection.get(
            where={"source": "harbour.txt"})["ids"]  # not embedded yet
        answer = assistant.ask("Who is the Tammerfield harbour master?")
        assert answer.answered and "Ilse Varga" in answer.text
        assert [c.source for c in answer.citations] == ["harbour.txt"]
    finally:
        release.set()
        ingest.join(timeout=120)
    assert reports[0].added == ["harbour.txt"] and not assistant.store.catalog.pending()


def test_a_new_process_opens_the_saved_keyword_index_and_takes_in_changes_without_a_rebuild(docs, make_settings,
                                                                                             monkeypatch) -> None:
    from assistant import Assistant
    from assistant.library.keyword import KeywordIndex

    settings = make_settings(docs)
    assert "Dmitriev" in Assistant(settings).ask("Who leads the Russian delegation?").text

    def no_rebuild(*_: object) -> KeywordIndex:
        raise AssertionError("the keyword index was rebuilt")

    monkeypatch.setattr(KeywordIndex, "build", classmethod(no_rebuild))
    assistant = Assistant(settings)
    assert "Dmitriev" in assistant.ask("Who leads the Russian delegation?").text
    (docs / "harbour.txt").write_text("Harbour news\n\nThe harbour reopened on Tuesday.", encoding="utf-8")
    assistant.ingest()  # one article more: taken in by the change, not by a rebuild
    assert assistant.retriever.keyword_index.sources == 3
    assert "harbour.txt" in {c.source for c in assistant.ask("When did the harbour reopen?").citations}
    state = json.loads(next((settings.index / "keyword").glob("*-bm25/state.json")).read_text())
    assert state["generation"] == assistant.store.catalog.generation


def test_files_read_by_an_older_loader_get_new_metadata_without_being_embedded_again(docs, make_settings,
                                                                                     monkeypatch) -> None:
    from assistant.library import index

    real = index.load_within

    def old_loader(path, root, seconds):  # as an older loader read the seeds: a date taken from the body
        document = real(path, root, seconds)
        document.date = "1999-01-01"
        return document

    monkeypatch.setattr(index, "METADATA_VERSION", "m1")
    monkeypatch.setattr(index, "load_within", old_loader)
    Store(make_settings(docs)).ingest()
    monkeypatch.undo()
    store = Store(make_settings(docs))
    report = store.ingest()
    assert sorted(report.refreshed) == sorted(p.name for p in docs.iterdir()) and report.chunks_embedded == 0
    dates = {c.metadata["date"] for c in store.catalog.all_chunks()}
    stored = {m["date"] for m in store.collection.get(include=["metadatas"])["metadatas"]}
    assert dates == stored == {"2025-12-20", ""}
    assert not Store(make_settings(docs)).ingest().changed


def test_two_removals_of_a_same_named_file_keep_both_in_the_trash(docs, make_settings) -> None:
    """Seen: trash folders were named to the second, so a second removal within a second overwrote the first."""
    store = Store(make_settings(docs))
    for version in ("first", "second"):
        (docs / "note.txt").write_text(f"Harbour note\n\nThe {version} version of the note.", encoding="utf-8")
        store.ingest()
        assert store.remove_file("note.txt") == "note.txt"
    kept = [entry for entry in store.trashed() if entry.endswith("/note.txt")]
    assert len(kept) == 2
    assert {(store.trash / entry).read_text(encoding="utf-8").split()[3] for entry in kept} == {"first", "second"}
