"""A worker process that reads HTML and PDF files, so that a file whose parser runs too long (or crashes) is
given up with a message instead of holding the ingest: one request a line on its stdin, one JSON reply a line on
its stdout. The worker is started on first use, reused, and replaced after a timeout or a crash.

    python -m assistant.library.sandbox      # what the assistant starts; not for use by hand
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import threading
from dataclasses import asdict
from pathlib import Path

from ..text import error_line
from .load import Document, LoadError, load_document

STARTUP_SECONDS = 60
READY = "ready\n"
_lock = threading.Lock()
_worker: subprocess.Popen[str] | None = None


def load_in_worker(path: Path, root: Path, seconds: float) -> Document:
    source = path.relative_to(root).as_posix()
    with _lock:
        worker = _started()
        assert worker.stdin is not None and worker.stdout is not None
        worker.stdin.write(json.dumps({"path": str(path), "root": str(root)}) + "\n")
        worker.stdin.flush()
        if not select.select([worker.stdout], [], [], seconds)[0]:
            _stop()
            raise LoadError(f"{source}: took longer than {seconds:g} s to read (ASSISTANT_LOAD_TIMEOUT); skipped")
        line = worker.stdout.readline()
        if not line:
            _stop()
            raise LoadError(f"{source}: its reader crashed on this file; skipped")
    reply = json.loads(line)
    if "error" in reply:
        raise LoadError(reply["error"])
    return Document(**reply["document"])


def _started() -> subprocess.Popen[str]:
    """The running worker, or a new one once it has imported its parsers (that time is no file's budget)."""
    global _worker
    if _worker is None or _worker.poll() is not None:
        _worker = subprocess.Popen([sys.executable, "-m", "assistant.library.sandbox"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True, encoding="utf-8")
        assert _worker.stdout is not None
        if not select.select([_worker.stdout], [], [], STARTUP_SECONDS)[0] or _worker.stdout.readline() != READY:
            _stop()
            raise LoadError("the worker that reads HTML and PDF files did not start")
    return _worker


def _stop() -> None:
    global _worker
    if _worker is not None:
        _worker.kill()
        _worker.wait()
        _worker = None


def serve() -> None:
    import pypdf  # noqa: F401 (imported before the first file, so that no file's budget pays for it)
    import trafilatura  # noqa: F401

    sys.stdout.write(READY)
    sys.stdout.flush()
    for line in sys.stdin:
        request = json.loads(line)
        path, root = Path(request["path"]), Path(request["root"])
        try:
            reply: dict[str, object] = {"document": asdict(load_document(path, root))}
        except LoadError as error:
            reply = {"error": str(error)}
        except Exception as error:  # a parser's own failure, for one file
            reply = {"error": f"{path.relative_to(root).as_posix()}: could not be read ({error_line(error)}); skipped"}
        sys.stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
