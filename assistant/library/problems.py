"""What went wrong with the index, in one line that says how to fix it: a damaged file, a full disk, a folder
that cannot be written, a Chroma server that is down. Never a traceback, never advice that loses the trash.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import threading
import time

from ..text import error_line

log = logging.getLogger(__name__)

LOW_SPACE = 16 * 1024 * 1024  # bytes free below which a failed write is put down to a full disk
REBUILD = "`assistant ingest --rebuild` (removed articles in the trash are kept)"
_FULL = ("no space left", "disk is full", "database or disk is full", "enospc", "quota exceeded")
_READ_ONLY = ("read-only", "readonly", "permission denied", "not permitted", "eacces", "erofs")
_UNREACHABLE = ("connect", "refused", "timed out", "timeout", "resolve", "unreachable", "reset by peer")


class IndexDamaged(RuntimeError):
    """The index cannot be used; the message says what is wrong and the command that fixes it."""


class IndexUnavailable(IndexDamaged):
    """Something the index needs is down (the Chroma server): nothing is damaged, try again once it is back."""


def explain(error: BaseException, location: str = "", server: str | None = None) -> IndexDamaged:
    """The one-line explanation of an error met while opening, reading or writing the index at `location`."""
    if isinstance(error, IndexDamaged):
        return error
    at = f" at {location}" if location else ""
    reason = error_line(error, with_type=False)
    text = f"{type(error).__name__} {error}".lower()
    code = getattr(error, "errno", None)
    if code == errno.ENOSPC or any(word in text for word in _FULL) or _nearly_full(location):
        return IndexDamaged(f"the disk holding the index{at} is full ({reason}); free some space, then run "
                            "`assistant ingest` again")
    if code in (errno.EACCES, errno.EROFS, errno.EPERM) or any(word in text for word in _READ_ONLY):
        return IndexDamaged(f"the index{at} cannot be written ({reason}); make the folder writable, or "
                            "set ASSISTANT_INDEX (or --index) to a folder that is")
    if isinstance(error, sqlite3.DatabaseError):  # only the catalog is read through Python's sqlite3
        return IndexDamaged(f"the catalog of the index{at} is damaged ({reason}); run `assistant ingest`, "
                            "which rebuilds it from the vector index")
    if server and any(word in text for word in _UNREACHABLE):
        return IndexUnavailable(f"cannot reach the Chroma server at {server} ({reason}); start it with `chroma run "
                                "--path DIR --host 127.0.0.1 --port PORT`, or unset ASSISTANT_CHROMA_URL to keep the "
                                "index in the index folder")
    return IndexDamaged(f"the index{at} cannot be read ({reason}). Rebuild it from the articles with "
                        f"{REBUILD}")


def _nearly_full(location: str) -> bool:
    """The disk of a local index folder has almost no room left (Chroma's errors do not always say so)."""
    try:
        return bool(location) and "://" not in location and shutil.disk_usage(_existing(location)).free < LOW_SPACE
    except OSError:
        return False


def _existing(location: str) -> str:
    path = os.path.abspath(location)
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


class OncePerProblem:
    """Logs a problem when it starts (and when it changes), not once per request: a server that is down for ten
    seconds is one line in the log, not hundreds."""

    def __init__(self, quiet_seconds: float = 300.0) -> None:
        self._last: tuple[str, float] | None = None
        self._quiet = quiet_seconds
        self._lock = threading.Lock()

    def report(self, problem: IndexDamaged) -> None:
        message = str(problem)
        with self._lock:
            if self._last and self._last[0] == message and time.monotonic() - self._last[1] < self._quiet:
                return
            self._last = (message, time.monotonic())
        log.error("%s", message)

    def clear(self) -> None:
        with self._lock:
            if self._last is not None:
                log.warning("the index is usable again")
            self._last = None
