"""Damage, a full disk, a folder that cannot be written, a server that is down: one line saying what is wrong and
the command that fixes it, never a traceback, never advice that loses the trash. Each through the real command or
a real server, in processes of their own (a damaged vector index can crash the process that reads it)."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import ChromaServer, free_port

from assistant.library.problems import IndexUnavailable, explain

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Who leads the Russian delegation?"
SMALL_CHUNKS = {"ASSISTANT_CHUNK_SIZE": "100", "ASSISTANT_CHUNK_OVERLAP": "0"}


def _cli(*args: str, docs: Path, index: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "ASSISTANT_DOCS": str(docs), "ASSISTANT_INDEX": str(index),
                   "ASSISTANT_GENERATOR": "extractive", **env}
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=environment, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert result.returncode == 2 and "Traceback" not in result.stderr and len(errors) == 1, result.stderr
    return errors[0]


@pytest.fixture
def built(docs: Path, tmp_path: Path) -> Path:
    index = tmp_path / "index"
    assert _cli("ingest", docs=docs, index=index).returncode == 0
    return index


def _scribble(path: Path, offset: int = 4096, size: int = 64_000) -> None:
    with path.open("r+b") as handle:
        handle.seek(min(offset, max(0, path.stat().st_size - 16)))
        handle.write(os.urandom(size))


def test_a_damaged_catalog_is_rebuilt_from_the_vector_index_by_ingest(docs: Path, built: Path) -> None:
    """Seen: random bytes in the catalog gave a sqlite3.DatabaseError traceback."""
    catalog = next((built / "keyword").glob("*.sqlite3"))
    _scribble(catalog, offset=0, size=4096)
    result = _cli("ingest", docs=docs, index=built)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "rebuilt from the vector index" in result.stderr and "index verified" in result.stdout
    assert "Dmitriev" in _cli("ask", QUESTION, docs=docs, index=built).stdout


def test_a_damaged_keyword_index_is_rebuilt_not_read(docs: Path, built: Path) -> None:
    """Seen: random BM25 arrays gave 'math domain error', and serve crashed at start."""
    for array in (built / "keyword").rglob("*.npy"):
        _scribble(array, offset=200, size=2000)
    result = _cli("ask", QUESTION, docs=docs, index=built)
    assert result.returncode == 0 and "Dmitriev" in result.stdout, result.stderr
    assert "rebuilding the keyword index" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def flushed_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A corpus big enough for Chroma to write its vector files (it keeps fewer than 1,000 vectors in memory),
    indexed once for the tests that damage a copy of it."""
    docs = tmp_path_factory.mktemp("many")
    for copy in ("a", "b"):
        for article in (ROOT / "evals" / "synthetic" / "docs").iterdir():
            shutil.copy(article, docs / f"{copy}-{article.name}")
    index = tmp_path_factory.mktemp("flushed") / "index"
    assert _cli("ingest", docs=docs, index=index, **SMALL_CHUNKS).returncode == 0
    assert list(index.glob("*/data_level0.bin"))
    return docs, index


@pytest.fixture
def flushed(flushed_once: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    docs, built_index = flushed_once
    index = tmp_path / "index"
    shutil.copytree(built_index, index)
    return docs, index


def test_damaged_vector_files_are_found_by_ingest(flushed: tuple[Path, Path]) -> None:
    """Seen: random HNSW data made ask segfault (rc 139) while ingest said all was fine."""
    docs, index = flushed
    for data in index.glob("*/*.bin"):
        _scribble(data, offset=0, size=data.stat().st_size)
    line = _one_line(_cli("ingest", docs=docs, index=index, **SMALL_CHUNKS))
    assert "vector index" in line and "assistant ingest --rebuild" in line and "delete" not in line
    assert _cli("ingest", "--rebuild", docs=docs, index=index, **SMALL_CHUNKS).returncode == 0
    asked = _cli("ask", "Which company is opening a factory in Norhalton?", docs=docs, index=index, **SMALL_CHUNKS)
    assert "Norworks" in asked.stdout, asked.stderr


def test_damaged_vector_metadata_is_one_line_when_asked(flushed: tuple[Path, Path]) -> None:
    """Seen: a random index_metadata.pickle gave a chromadb traceback."""
    docs, index = flushed
    for metadata in index.glob("*/index_metadata.pickle"):
        metadata.write_bytes(os.urandom(metadata.stat().st_size))
    result = _cli("ask", "Which company is opening a factory in Norhalton?", docs=docs, index=index,
                  **SMALL_CHUNKS)
    assert "assistant ingest --rebuild" in _one_line(result)


@pytest.mark.parametrize(("error", "says"), [
    (OSError(errno.ENOSPC, "No space left on device"), "is full"),
    (RuntimeError("Failed to apply logs to the metadata segment: database or disk is full"), "is full"),
    (PermissionError(errno.EACCES, "Permission denied"), "cannot be written"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "cannot be written"),
    (sqlite3.DatabaseError("database disk image is malformed"), "run `assistant ingest`"),
])
def test_each_problem_says_what_to_do_and_never_to_delete_the_folder(error: BaseException, says: str) -> None:
    """Seen: a full disk said only 'Failed to apply logs to the metadata segment'; a read-only index folder was
    met with advice to delete it (which deletes the trash)."""
    message = str(explain(error, "/srv/index"))
    assert says in message and "delete" not in message and "/srv/index" in message


def test_a_full_disk_is_named_as_such(docs: Path, tmp_path: Path) -> None:
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        line = _one_line(_cli("ingest", docs=docs, index=mount / "index"))
        assert "is full" in line or "cannot be written" in line, line
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_chroma_server_that_is_down_is_a_503_logged_once_and_healthz_says_so(docs: Path, tmp_path: Path,
                                                                                caplog) -> None:
    """Seen: HTTP 500 'internal error (ConnectError)', 747 tracebacks in the log in 10 s, /healthz still 'ok'."""
    import threading

    import uvicorn

    from assistant import Settings
    from assistant.frontends.api import create_app

    chroma = ChromaServer(tmp_path / "chroma").start()
    settings = Settings(docs=docs, index=tmp_path / "index", generator="extractive", chroma_url=chroma.url)
    app = create_app(settings, with_ui=False)
    app.state.chat.assistant.ensure_index()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    while not server.started:
        time.sleep(0.05)
    try:
        assert httpx.post(f"{base}/v1/ask", json={"question": QUESTION}).status_code == 200
        chroma.stop()
        caplog.set_level(logging.ERROR)
        replies = [httpx.post(f"{base}/v1/ask", json={"question": QUESTION}, timeout=60) for _ in range(10)]
        assert {r.status_code for r in replies} == {503}
        assert "cannot reach the Chroma server" in replies[0].json()["error"]["message"]
        health = httpx.get(f"{base}/healthz", timeout=60)
        assert health.status_code == 503 and "Chroma server" in health.json()["problem"]
        assert caplog.text.count("cannot reach the Chroma server") == 1 and "Traceback" not in caplog.text
        chroma.start()
        assert httpx.get(f"{base}/healthz", timeout=60).status_code == 200
        assert httpx.post(f"{base}/v1/ask", json={"question": QUESTION}, timeout=60).status_code == 200
    finally:
        server.should_exit = True
        chroma.stop()


def test_ingest_against_a_server_that_is_down_is_one_line(docs: Path, tmp_path: Path) -> None:
    """Seen: Chroma down during ingest gave a raw httpx.ConnectError."""
    line = _one_line(_cli("ingest", docs=docs, index=tmp_path / "index",
                          ASSISTANT_CHROMA_URL=f"http://127.0.0.1:{free_port()}"))
    assert "cannot reach the Chroma server" in line and "chroma run" in line


def test_a_server_problem_is_its_own_kind() -> None:
    assert isinstance(explain(ConnectionRefusedError("Connection refused"), "x", server="http://h:1"),
                      IndexUnavailable)
