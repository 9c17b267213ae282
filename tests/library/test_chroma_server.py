"""Issue 12: the index on a real Chroma server (`chroma run` on loopback), shared by several app processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import test_index
from conftest import ChromaServer

from assistant import Assistant, Settings
from assistant.library.index import CHANGE_LOG, IndexDamaged, Store
from assistant.library.keyword import KeywordIndex

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Who leads the Russian delegation?"


@pytest.fixture
def on_server(chroma_server, tmp_path):
    def make(docs: Path, index: str = "index", **overrides: object) -> Settings:
        return Settings(docs=docs, index=tmp_path / index, generator="extractive", chroma_url=chroma_server.url,
                        **overrides)
    return make


@pytest.mark.parametrize("case", [
    test_index.test_ingest_then_reingest_embeds_nothing,
    test_index.test_changed_files_are_replaced_and_deleted_files_removed,
    test_index.test_a_file_that_turns_unreadable_keeps_its_old_entries,
    test_index.test_changing_chunk_settings_reindexes,
    test_index.test_two_folders_can_share_one_index_folder,
], ids=lambda case: case.__name__.removeprefix("test_"))
def test_the_index_behaves_the_same_on_a_chroma_server(case, docs, on_server, tmp_path) -> None:
    arguments = {"docs": docs, "make_settings": on_server, "tmp_path": tmp_path}
    case(**{name: arguments[name] for name in case.__code__.co_varnames[:case.__code__.co_argcount]})


def test_answers_come_from_the_server_and_nothing_is_embedded_locally(docs, on_server) -> None:
    settings = on_server(docs)
    assistant = Assistant(settings)
    assert assistant.ingest().chunks_embedded > 0
    answer = assistant.ask(QUESTION)
    assert answer.answered and "Dmitriev" in answer.text
    assert any("Dmitriev" in c.quote and (docs / c.source).is_file() for c in answer.citations)
    assert not (settings.index / "chroma.sqlite3").exists()  # the vectors are on the server only


def test_a_second_app_process_uses_what_the_first_indexed_and_sees_its_additions(docs, on_server) -> None:
    first = Assistant(on_server(docs, "first"))
    first.ingest()
    second = Assistant(on_server(docs, "second"))  # its own catalog, the same server
    assert second.ingest().chunks_embedded == 0
    assert "Dmitriev" in second.ask(QUESTION).text
    (docs / "harbour.txt").write_text("Harbour news\n\nThe Tammerfield harbour reopened on Tuesday after the "
                                      "storm, its master Ilse Varga said.", encoding="utf-8")
    assert first.ingest().added == ["harbour.txt"]
    second.store._checked = 0.0  # as if the refresh interval had passed
    answer = second.ask("Who is the master of the Tammerfield harbour?")
    assert answer.answered and "Ilse Varga" in answer.text and answer.citations[0].source == "harbour.txt"


def test_after_a_server_restart_nothing_is_embedded_or_rebuilt_again(docs, tmp_path, monkeypatch) -> None:
    server = ChromaServer(tmp_path / "server").start()
    try:
        settings = Settings(docs=docs, index=tmp_path / "index", generator="extractive", chroma_url=server.url)
        Assistant(settings).ask(QUESTION)
        server.stop()
        server.start()

        def no_rebuild(*_: object) -> KeywordIndex:
            raise AssertionError("the keyword index was rebuilt")

        monkeypatch.setattr(KeywordIndex, "build", classmethod(no_rebuild))
        assistant = Assistant(settings)
        assert assistant.ingest().chunks_embedded == 0
        assert "Dmitriev" in assistant.ask(QUESTION).text
    finally:
        server.stop()


def test_the_command_line_works_against_a_server_and_explains_one_it_cannot_reach(docs, chroma_server,
                                                                                     tmp_path) -> None:
    env = {**os.environ, "ASSISTANT_DOCS": str(docs), "ASSISTANT_INDEX": str(tmp_path / "index"),
           "ASSISTANT_GENERATOR": "extractive", "ASSISTANT_CHROMA_URL": chroma_server.url}
    command = [sys.executable, "-m", "assistant"]
    ingested = subprocess.run([*command, "ingest"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert "2 added" in ingested.stdout, ingested.stderr
    asked = subprocess.run([*command, "ask", "--json", QUESTION], env=env, capture_output=True, text=True,
                           cwd=ROOT, timeout=300)
    assert "Dmitriev" in json.loads(asked.stdout)["text"]
    down = {**env, "ASSISTANT_CHROMA_URL": "http://127.0.0.1:9"}
    failed = subprocess.run([*command, "ask", QUESTION], env=down, capture_output=True, text=True, cwd=ROOT,
                            timeout=300)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert failed.stderr.startswith("error: cannot reach the Chroma server at http://127.0.0.1:9")
    malformed = subprocess.run([*command, "ask", QUESTION], env={**env, "ASSISTANT_CHROMA_URL": "localhost:8000"},
                               capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert malformed.returncode == 2 and "must look like http://host:port" in malformed.stderr


def test_a_malformed_server_address_is_refused_with_the_expected_form(docs, tmp_path) -> None:
    with pytest.raises(ValueError, match="http://host:port"):
        Store(Settings(docs=docs, index=tmp_path / "index", chroma_url="localhost:8000"))
    with pytest.raises(IndexDamaged, match="cannot reach the Chroma server"):
        Store(Settings(docs=docs, index=tmp_path / "index", chroma_url="http://127.0.0.1:9"))


def test_a_process_catches_up_by_the_change_log_even_when_it_started_with_none(docs, on_server,
                                                                                 monkeypatch) -> None:
    """A server filled before there was a change log (or from a copied index folder): the second process copies
    the collection once on start, and afterwards takes in one changed article, not the whole collection again."""
    first = Store(on_server(docs, "first"))
    first.ingest()
    first._client.delete_collection(first.name + CHANGE_LOG)
    second = Store(on_server(docs, "second"))
    assert second.catalog.count() == first.catalog.count()

    def no_copy(*_: object) -> None:
        raise AssertionError("the whole collection was copied again")

    monkeypatch.setattr(Store, "_copy_collection", no_copy)
    (docs / "harbour.txt").write_text("Harbour news\n\nThe Tammerfield harbour reopened on Tuesday.", encoding="utf-8")
    first.ingest()
    assert second.sync()
    assert "harbour.txt" in second.catalog.files() and second.keyword.search(["tammerfield"], 5)
