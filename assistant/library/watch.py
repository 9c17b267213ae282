"""Watching the documents folder (watchfiles): files added, changed, moved or removed are indexed as they settle.

A file still being written is left until its size and modification time hold still; a burst of files (a copy of
500 articles) is one ingest; a file that cannot be read is reported with its reason and the watcher goes on. New
articles are searchable by keyword as soon as their batch is catalogued, and by meaning once embedded.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .index import IngestReport, Store
from .load import SUPPORTED_SUFFIXES
from .problems import IndexDamaged

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300  # events this close together are one batch
SETTLE_SECONDS = 0.4  # a file must keep its size and mtime this long before it is read
SETTLE_LIMIT = 30.0  # a file still changing after this long is read anyway (a log someone keeps writing)


def relevant(path: str, docs: Path) -> bool:
    """An article file or a folder inside the folder (not a hidden or temporary one, not in a hidden folder)."""
    source = source_of(path, docs)
    return source is not None and (is_folder(path) or Path(path).suffix.lower() in SUPPORTED_SUFFIXES) and not any(
        part.startswith(".") for part in source.split("/"))


def is_folder(path: str) -> bool:
    """A folder, or what was one (a removed path without a suffix): files inside it may have come and gone
    without an event of their own (a folder moved in, or files written before it was watched)."""
    return os.path.isdir(path) or not (Path(path).suffix or os.path.exists(path))


def source_of(path: str, docs: Path) -> str | None:
    """The path inside the documents folder that the index knows the file by (None: not inside it)."""
    try:
        return Path(path).absolute().relative_to(docs.absolute()).as_posix()
    except ValueError:
        try:
            return Path(path).resolve().parent.relative_to(docs.resolve()).joinpath(Path(path).name).as_posix()
        except ValueError:
            return None


def wait_until_settled(paths: set[Path], stop: threading.Event, settle: float = SETTLE_SECONDS) -> None:
    """Return once none of the files has changed size or mtime for `settle` seconds (or they are gone)."""
    started = time.monotonic()
    last = _stats(paths)
    while not stop.wait(settle):
        now = _stats(paths)
        if now == last or time.monotonic() - started > SETTLE_LIMIT:
            return
        last = now


def _stats(paths: set[Path]) -> dict[Path, tuple[int, int] | None]:
    found: dict[Path, tuple[int, int] | None] = {}
    for path in paths:
        try:
            stat = path.stat()
            found[path] = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            found[path] = None
    return found


class FolderWatcher:
    """Runs in a thread of its own: `start()`, then `stop()`. `on_change` is told of each ingest it ran."""

    def __init__(self, store: Store, on_change: Callable[[IngestReport], None] | None = None,
                 debounce_ms: int = DEBOUNCE_MS) -> None:
        self.store = store
        self.on_change = on_change
        self.debounce_ms = debounce_ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()  # set once the folder is being watched

    def start(self) -> FolderWatcher:
        self._thread = threading.Thread(target=self.run, name="folder-watcher", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    def run(self) -> None:
        import watchfiles

        docs = self.store.docs
        log.warning("watching %s for new, changed and removed articles", docs)
        changes = watchfiles.watch(docs, watch_filter=lambda _, path: relevant(path, docs), debounce=self.debounce_ms,
                                   step=50, stop_event=self._stop, rust_timeout=500, yield_on_timeout=True,
                                   raise_interrupt=False)
        for batch in changes:
            self.ready.set()
            if batch and not self._stop.is_set():
                wait_until_settled({Path(path) for _, path in batch}, self._stop)
                sources = [source_of(path, docs) for _, path in batch]
                whole = None in sources or any(is_folder(path) for _, path in batch)
                self.ingest(None if whole else [s for s in sources if s is not None])

    def ingest(self, only: list[str] | None = None) -> IngestReport | None:
        """One ingest of the files that changed (`only`; all when not known); an error is logged (once a line)
        and watching goes on."""
        try:
            report = self.store.ingest(only=only)
        except IndexDamaged as error:
            log.error("watching %s: %s", self.store.docs, error)
            return None
        except Exception as error:  # never let one bad moment stop the watcher
            log.error("watching %s: ingest failed (%s: %s); watching goes on", self.store.docs,
                      type(error).__name__, error)
            return None
        for problem in report.skipped:
            log.warning("watching %s: skipped %s", self.store.docs, problem)
        if report.changed:
            log.warning("watching %s: %s", self.store.docs, report.summary())
            if self.on_change:
                self.on_change(report)
        return report
