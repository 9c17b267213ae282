"""The index: a Chroma collection of chunk embeddings (local folder or a Chroma server) and the catalog of
files and chunks beside it. Ingest is incremental: an unchanged file is known by size and mtime, a changed one
by content hash; new chunks are searchable by keyword as soon as they are cut, and by meaning once embedded."""

from __future__ import annotations

import hashlib
import logging
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

if TYPE_CHECKING:
    from chromadb.api.types import Where

from ..settings import Settings
from ..text import error_line
from .catalog import Catalog, FileRecord, IndexedChunk
from .chunk import chunk_document
from .embed import MODEL_NAME, chroma_embedding_function, get_embedder
from .keyword import KeywordIndex
from .load import (
    METADATA_VERSION,
    Document,
    LoadError,
    article_path,
    check_size,
    find_article_files,
    find_these_files,
    load_within,
)
from .problems import REBUILD, IndexDamaged, IndexUnavailable, explain
from .selfcheck import vector_self_check

__all__ = ["IndexDamaged", "IndexUnavailable", "IndexedChunk", "IngestReport", "Progress", "Store", "chroma_client",
           "collection_name", "unused_name"]

log = logging.getLogger(__name__)

# (chunks embedded so far, chunks to embed); called with 0 once the new chunks are searchable by keyword
Progress = Callable[[int, int], None]
TRASH = "trash"  # removed articles, inside the index folder
CATALOG = "keyword"  # the catalog and keyword index, inside the index folder
EMBED_PIECE = 512  # chunks embedded and written at a time, so memory stays flat however big the corpus is
REFRESH_SECONDS = 2.0  # how stale a process's view of a shared Chroma server may get
GENERATION = "generation"  # collection metadata: changes whenever any process changes the collection
SEEN = "remote_generation"  # catalog state: the collection's generation the catalog matches
SEEN_CHANGE = "remote_change"  # catalog state: the newest entry of the server's change log taken in
CHANGE_LOG = "-changes"  # with a Chroma server: a collection beside each folder's, one entry per changed file
CHANGES_KEPT = 10_000  # entries of the server's change log kept; a process further behind copies everything
CLOCK_MARGIN_NS = 60 * 1_000_000_000  # changes this much older than the newest seen are read again


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)  # same text, metadata read again by a newer loader
    skipped: list[str] = field(default_factory=list)  # one warning per unreadable file
    chunks_embedded: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.refreshed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped; "
            + (f"{len(self.refreshed)} with metadata read again; " if self.refreshed else "") +
            f"{self.chunks_embedded} chunks embedded in {self.seconds:.1f}s"
        )


def unused_name(folder: Path, name: str) -> Path:
    """folder/name, or folder/name-2, -3 … if that exists: an article is never written over another."""
    target = folder / name
    stem, suffix = target.stem, target.suffix
    number = 2
    while target.exists():
        target = folder / f"{stem}-{number}{suffix}"
        number += 1
    return target


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _forget(report: IngestReport, source: str) -> None:
    for listed in (report.added, report.updated):
        if source in listed:
            listed.remove(source)


def collection_name(docs: Path) -> str:
    """One collection per documents folder, so several corpora can share an index folder or server."""
    digest = hashlib.sha256(str(docs.resolve()).encode("utf-8")).hexdigest()[:12]
    return f"articles-{digest}"


def server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, TLS) of a Chroma server URL; a clear ValueError for anything else."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError(f"ASSISTANT_CHROMA_URL must look like http://host:port, not {url!r}")
    return parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 8000), parsed.scheme == "https"


def chroma_client(settings: Settings, address: tuple[str, int, bool] | None = None) -> Any:
    """A Chroma server's client when ASSISTANT_CHROMA_URL is set, else the index folder's own database."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        host, port, tls = address or server_address(settings.chroma_url)
        return chromadb.HttpClient(host=host, port=port, ssl=tls, settings=chroma_settings)
    return chromadb.PersistentClient(path=str(settings.index), settings=chroma_settings)


class Store:
    """One documents folder's Chroma collection and catalog."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.docs = Path(settings.docs)
        self.location = settings.chroma_url or str(settings.index)
        if settings.index.exists() and not settings.index.is_dir():
            raise IndexDamaged(f"the index path {settings.index} is a file, not a folder; "
                               "set ASSISTANT_INDEX (or --index) to a folder")
        settings.index.mkdir(parents=True, exist_ok=True)
        self.name = collection_name(self.docs)
        address = server_address(settings.chroma_url) if settings.chroma_url else None
        self._client = self._open(lambda: chroma_client(settings, address))
        self.collection = self._open(lambda: self._client.get_or_create_collection(
            self.name, embedding_function=chroma_embedding_function(settings.embed_threads),
            metadata={"hnsw:space": "cosine"}))
        self._max_batch = self._open(self._client.get_max_batch_size)
        self.catalog = self._open(self._open_catalog)
        self.keyword_folder = settings.index / CATALOG / f"{self.name}-bm25"
        self._ingesting = threading.Lock()
        self._keyword: KeywordIndex | None = None
        self._keyword_lock = threading.Lock()
        self._chunks: tuple[int, list[IndexedChunk]] | None = None
        self._checked = time.monotonic()
        from .intake import clean_leftovers  # intake builds on the store

        clean_leftovers(self)
        self.sync()

    def _open(self, make: Callable[[], Any]) -> Any:
        with self.guarded():
            return make()

    @contextmanager
    def guarded(self) -> Iterator[None]:
        """Any error of the vector store or the catalog as one line saying how to fix it (problems.py)."""
        try:
            yield
        except BaseException as error:  # sqlite errors, connection errors, Rust panics (a BaseException)
            if isinstance(error, KeyboardInterrupt | SystemExit | LoadError):
                raise
            raise explain(error, self.location, self.settings.chroma_url) from error

    def _open_catalog(self) -> Catalog:
        """The catalog; a damaged one is set aside and a new one filled from the vector store (sync)."""
        path = self.settings.index / CATALOG / f"{self.name}.sqlite3"
        try:
            catalog = Catalog(path)
            catalog.get_state(SEEN), catalog.count()  # what opening reads first
            return catalog
        except sqlite3.DatabaseError as error:
            return self._replace_catalog(path, error)

    def _replace_catalog(self, path: Path, error: BaseException) -> Catalog:
        log.warning("the catalog %s was damaged (%s); it is rebuilt from the vector index", path, error_line(error))
        for suffix in ("", "-wal", "-shm"):
            damaged = Path(f"{path}{suffix}")
            if damaged.exists():
                damaged.replace(Path(f"{path}{suffix}.damaged"))
        return Catalog(path)

    def verify(self) -> None:
        """What ingest checks beyond the files: the catalog's own integrity (repaired from the vector store when
        damaged) and, in a process of its own, that the vector index answers a query (damaged vector files can crash
        the process that reads them). IndexDamaged says what to do."""
        if not self.catalog.intact():
            self.catalog = self._replace_catalog(self.catalog.path, RuntimeError("integrity check failed"))
            with self._ingesting:
                self.sync()
        if not self.settings.chroma_url:
            problem = vector_self_check(self.settings.index, self.name)
            if problem:
                raise IndexDamaged(f"the vector index at {self.settings.index} is damaged ({problem}). Rebuild it "
                                   f"from the articles with {REBUILD}")

    def vector_count(self) -> int:
        with self.guarded():
            return int(self.collection.count())

    def nearest(self, vector: list[float], count: int, where: Where | None = None) -> list[str]:
        """Ids of the chunks nearest the vector (dense search)."""
        with self.guarded():
            found = self.collection.query(query_embeddings=[vector], n_results=count, include=[], where=where)
        return list(found["ids"][0])

    def heartbeat(self) -> None:
        """IndexUnavailable when the Chroma server does not answer (the index folder is always there)."""
        if self.settings.chroma_url:
            with self.guarded():
                self._client.heartbeat()

    def refresh(self) -> None:
        """With a Chroma server, take in what other processes changed (checked at most every few seconds)."""
        if self.settings.chroma_url and time.monotonic() - self._checked > REFRESH_SECONDS:
            self._checked = time.monotonic()
            if not self._ingesting.locked():
                with self._ingesting, self.guarded():
                    self.sync()

    @property
    def version(self) -> int:
        """Changes whenever the indexed content changes, so caches built on it know to rebuild."""
        return int(self.catalog.generation)

    def settings_key(self) -> str:
        """What the chunks and their embeddings depend on besides the text, then what their metadata depends on."""
        s = self.settings
        return f"{s.chunk_size}:{s.chunk_overlap}:{MODEL_NAME}:{METADATA_VERSION}"

    def ingest_key(self, document: Document) -> str:
        return f"{document.content_hash}:{self.settings_key()}"

    def _same_chunks(self, previous: str, document: Document) -> bool:
        """The file's chunks and embeddings are still right, only their metadata (dates, titles…) is not."""
        chunks_key = self.ingest_key(document).removesuffix(f":{METADATA_VERSION}")
        return previous == chunks_key or previous.startswith(chunks_key + ":")

    # --- keeping the catalog in step with the collection ----------------------------------------------------

    def remote_generation(self) -> str | None:
        metadata = self._open(lambda: self._client.get_collection(self.name, embedding_function=None).metadata)
        value = (metadata or {}).get(GENERATION)
        return str(value) if value is not None else None

    def sync(self) -> bool:
        """Take in what another process (or an older version) changed in the collection; True when it did. With
        a Chroma server, by the server's change log: only the files that changed are copied. The whole collection
        is copied only into an empty catalog, or when the log does not reach back far enough."""
        remote = self.remote_generation()
        if (remote or "") == (self.catalog.get_state(SEEN) or "") and (
                self.catalog.count() or not self.collection.count()):
            return False
        since = self.catalog.get_state(SEEN_CHANGE)
        changes = self._remote_changes(int(since)) if since and self.catalog.count() else None
        if changes is not None:
            self._take_in(changes)
        else:
            newest = self._newest_change()
            self._copy_collection()
            self.catalog.set_state(SEEN_CHANGE, str(newest))
        self.catalog.set_state(SEEN, remote or "")
        self.save_keyword_index()
        return True

    def _copy_collection(self) -> None:
        records: list[tuple[str, str, dict]] = []
        page = min(self._max_batch, 5000)
        while True:
            got = self._page(len(records), page)
            records += zip(got["ids"], got["documents"] or [], got["metadatas"] or [])
            if len(got["ids"]) < page:
                break
        self.catalog.replace_all(records)
        log.info("catalog copied from the index: %d chunks", len(records))

    # --- the change log on a Chroma server ---------------------------------------------------------------

    def _change_log(self) -> Any:
        return self._client.get_or_create_collection(self.name + CHANGE_LOG, embedding_function=None)

    def _record_changes(self, kind: str, sources: list[str]) -> None:
        """With a Chroma server: which files this process added, changed or removed, for the others to take in."""
        if not self.settings.chroma_url or not sources:
            return
        now = time.time_ns()
        log_collection = self._change_log()
        log_collection.add(ids=[f"{now:020d}-{uuid.uuid4().hex[:8]}-{n}" for n in range(len(sources))],
                           embeddings=[[0.0]] * len(sources), documents=list(sources),
                           metadatas=[{"seq": now, "kind": kind, "source": s} for s in sources])
        if log_collection.count() > CHANGES_KEPT:
            oldest = log_collection.get(limit=log_collection.count() - CHANGES_KEPT, include=["metadatas"])
            cut = max(int(m["seq"]) for m in oldest["metadatas"])
            log_collection.delete(ids=oldest["ids"])
            log_collection.modify(metadata={"pruned_to": cut})

    def _remote_changes(self, since: int) -> list[tuple[int, str, str]] | None:
        """(seq, kind, source) of the changes after `since` (less a margin for clocks that differ), oldest first;
        None when the log has been pruned past it."""
        if not self.settings.chroma_url:
            return None
        log_collection = self._change_log()
        pruned_to = (log_collection.metadata or {}).get("pruned_to")  # absent: the log was never cut
        if pruned_to is not None and int(pruned_to) > since - CLOCK_MARGIN_NS:
            return None
        got = log_collection.get(where={"seq": {"$gt": since - CLOCK_MARGIN_NS}}, include=["metadatas"])
        return sorted((int(m["seq"]), str(m["kind"]), str(m["source"])) for m in got["metadatas"] or [])

    def _newest_change(self) -> int:
        if not self.settings.chroma_url:
            return 0
        got = self._change_log().get(include=["metadatas"])
        return max((int(m["seq"]) for m in got["metadatas"] or []), default=0)

    def _take_in(self, changes: list[tuple[int, str, str]]) -> None:
        """Apply another process's changes: each file as the collection now holds it (taking one in twice does
        no harm, which is why a margin of already-seen changes can be read again)."""
        last = {source: kind for _, kind, source in changes}
        removed = [s for s, kind in last.items() if kind == "remove"]
        if removed:
            self.catalog.remove(removed)
        added = [s for s, kind in last.items() if kind == "add"]
        for start in range(0, len(added), 50):
            part = added[start:start + 50]
            with self.guarded():
                got = self.collection.get(where={"source": {"$in": part}}, include=["documents", "metadatas"])
            self.catalog.replace_files(part, list(zip(got["ids"], got["documents"] or [], got["metadatas"] or [])))
        self.catalog.set_state(SEEN_CHANGE, str(max(seq for seq, _, _ in changes)) if changes else
                               self.catalog.get_state(SEEN_CHANGE) or "0")
        log.info("took in %d changed files from the server", len(last))

    @property
    def keyword(self) -> KeywordIndex:
        """The keyword index, in step with the catalog (opened on first use, then kept up change by change)."""
        with self._keyword_lock:
            if self._keyword is None or self._keyword.catalog is not self.catalog:
                self._keyword = KeywordIndex.open(self.catalog, self.keyword_folder)
            else:
                self._keyword.refresh()
            return self._keyword

    def save_keyword_index(self) -> None:
        """Bring the keyword index up to the catalog and save it: searchable by keyword at once, in this process
        and any other that opens it."""
        self.keyword  # noqa: B018 (the property refreshes and saves)

    def _page(self, offset: int, limit: int) -> Any:
        return self._open(lambda: self.collection.get(include=["documents", "metadatas"], limit=limit,
                                                      offset=offset))

    def _publish(self) -> None:
        token = uuid.uuid4().hex
        self.collection.modify(metadata={GENERATION: token})
        self.catalog.set_state(SEEN, token)

    # --- ingest ----------------------------------------------------------------------------------------------

    def indexed_files(self) -> dict[str, str]:
        """source → ingest key of what the index holds now ('incomplete' when only some chunks are held)."""
        return {source: record.ingest_key for source, record in self.catalog.files().items()}

    def ingest(self, progress: Progress | None = None, only: list[str] | None = None) -> IngestReport:
        """Bring the index in step with the folder: every file, or `only` these (paths inside the folder that a
        watcher saw change, so one new article costs the same in a folder of 20 files or of 20,000)."""
        started = time.perf_counter()
        with self._ingesting, self.guarded():
            self.sync()
            seen = self.catalog.get_state(SEEN)
            report = IngestReport()
            to_index = self._scan(report, only)
            for source in report.removed + report.updated:
                self.collection.delete(where={"source": source})
            self.catalog.remove(report.removed)
            for document, record in to_index:
                self._catalogue(document, record)
            if report.removed or to_index:
                self.save_keyword_index()
            report.chunks_embedded = self._embed_pending(progress, report)
            if report.changed or report.chunks_embedded:
                self._record_changes("add", report.added + report.updated + report.refreshed)
                self._record_changes("remove", report.removed)
                if (self.remote_generation() or "") != (seen or ""):
                    self.sync()  # another process wrote meanwhile: take its work in too
                self._publish()
        report.seconds = time.perf_counter() - started
        return report

    def _scan(self, report: IngestReport, only: list[str] | None = None) -> list[tuple[Document, FileRecord]]:
        """Sort the folder's files (or `only` these) into unchanged (same size and mtime, or same content), new,
        changed and removed; only files that are new or look changed are read."""
        if not self.docs.is_dir():
            raise LoadError(f"{self.docs}: documents folder does not exist")
        found, report.skipped = find_article_files(self.docs) if only is None else find_these_files(self.docs, only)
        known = self.catalog.files()
        to_index = []
        max_bytes = int(self.settings.max_file_mb * 1_000_000)
        for file in found:
            source = file.source
            previous = known.get(source)
            current = previous is not None and previous.ingest_key.endswith(f":{self.settings_key()}")
            if current and previous and (previous.size, previous.mtime_ns) == (file.size, file.mtime_ns):
                report.unchanged.append(source)
                continue
            try:
                check_size(file.path, max_bytes, source)
                document = load_within(file.path, self.docs, self.settings.load_timeout)
            except LoadError as error:
                report.skipped.append(str(error))
                continue
            key = self.ingest_key(document)
            if current and previous and previous.ingest_key == key:
                self.catalog.touch(source, file.size, file.mtime_ns)
                report.unchanged.append(source)
                continue
            if previous and self._same_chunks(previous.ingest_key, document):
                self._refresh_metadata(document, FileRecord(file.size, file.mtime_ns, key, previous.chunk_count))
                report.refreshed.append(source)
                continue
            (report.updated if previous else report.added).append(source)
            to_index.append((document, FileRecord(file.size, file.mtime_ns, key, 0)))
        present = {file.source for file in found}
        looked_at = known if only is None else set(only) & set(known)
        report.removed = sorted(source for source in looked_at if source not in present)
        return to_index

    def _catalogue(self, document: Document, record: FileRecord) -> None:
        chunks = chunk_document(document, self.settings.chunk_size, self.settings.chunk_overlap)
        record = FileRecord(record.size, record.mtime_ns, record.ingest_key, len(chunks))
        self.catalog.add_file(document.source, record, chunks, self._metadata(document, record))

    def _refresh_metadata(self, document: Document, record: FileRecord) -> None:
        """A file read by an older loader: new metadata for its chunks, in the catalog and the vector store, with
        nothing embedded again."""
        metadata = self._metadata(document, record)
        embedded = self.catalog.refresh_metadata(document.source, record, metadata)
        for start in range(0, len(embedded), self._max_batch):
            batch = embedded[start:start + self._max_batch]
            self.collection.update(ids=[c.chunk.id for c in batch],
                                   metadatas=[_chroma_metadata(c.metadata) for c in batch])

    @staticmethod
    def _metadata(document: Document, record: FileRecord) -> dict[str, str | int]:
        return {**document.metadata, "ingest_key": record.ingest_key, "chunk_count": record.chunk_count,
                "size": record.size, "mtime_ns": record.mtime_ns}

    def _embed_pending(self, progress: Progress | None, report: IngestReport) -> int:
        """Embed every chunk still waiting, a piece at a time across files, while the previous piece is written
        (the model and the database work at once). A file that fails is taken out and reported."""
        pending = self.catalog.pending()
        total, done = len(pending), 0
        if progress:
            progress(0, total)  # the new chunks are searchable by keyword from here
        writing: Future[None] | None = None
        with ThreadPoolExecutor(1, thread_name_prefix="chroma-write") as writer:
            for start in range(0, len(pending), EMBED_PIECE):
                piece = pending[start:start + EMBED_PIECE]
                kept, vectors = self._embed_piece(piece, report)
                if writing:
                    writing.result()
                writing = writer.submit(self._write, kept, vectors)
                done, total = done + len(kept), total - (len(piece) - len(kept))
                if progress:
                    progress(done, total)
            if writing:
                writing.result()
        return done

    def _embed_piece(self, piece: list[IndexedChunk], report: IngestReport) -> tuple[list[IndexedChunk], np.ndarray]:
        embedder = get_embedder(self.settings.embed_threads)
        try:
            return piece, embedder.embed([c.chunk.search_text for c in piece])
        except Exception:  # find the file that fails; the others in the piece go on
            pass
        kept: list[IndexedChunk] = []
        vectors: list[np.ndarray] = []
        for source in dict.fromkeys(c.chunk.source for c in piece):
            own = [c for c in piece if c.chunk.source == source]
            try:
                vectors.append(embedder.embed([c.chunk.search_text for c in own]))
            except Exception as error:
                self._drop(source, error, report)
                continue
            kept += own
        return kept, np.vstack(vectors) if vectors else np.zeros((0, embedder.dimensions), dtype=np.float32)

    def _drop(self, source: str, error: Exception, report: IngestReport) -> None:
        self.collection.delete(where={"source": source})
        self.catalog.remove([source])
        _forget(report, source)
        report.skipped.append(f"{source}: could not be indexed ({error_line(error)})")

    def _write(self, piece: list[IndexedChunk], vectors: np.ndarray) -> None:
        for start in range(0, len(piece), self._max_batch):
            batch = piece[start:start + self._max_batch]
            self.collection.upsert(
                ids=[c.chunk.id for c in batch],
                documents=[c.chunk.text for c in batch],
                embeddings=[v.tolist() for v in vectors[start:start + self._max_batch]],
                metadatas=[_chroma_metadata(c.metadata) for c in batch],
            )
        self.catalog.mark_embedded([c.chunk.id for c in piece])

    # --- reading -----------------------------------------------------------------------------------------------

    def chunks(self) -> list[IndexedChunk]:
        """Every indexed chunk, in a stable order (read once per index version)."""
        version = self.version
        if self._chunks is None or self._chunks[0] != version:
            self._chunks = (version, self.catalog.all_chunks())
        return self._chunks[1]

    def articles(self) -> list[tuple[IndexedChunk, int]]:
        """Each indexed file's first chunk and number of chunks (what a library listing needs), without reading
        every chunk."""
        return self.catalog.articles()

    @property
    def trash(self) -> Path:
        """Where removed articles wait until the trash is emptied: inside the index folder."""
        return self.settings.index / TRASH

    def remove_file(self, given: str) -> str:
        """Take a file out of the index and move it to the trash (restorable until the trash is emptied); the
        source removed. BadSource or FileNotFoundError when `given` names no article of the folder. A link is
        moved itself, never the file it points to; each removal gets a trash folder of its own."""
        source, path = article_path(self.docs, given)
        self.trash.mkdir(parents=True, exist_ok=True)
        removal = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%d-%H%M%S-"), dir=self.trash))
        target = removal / source
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)  # a link moves as a link
        with self._ingesting, self.guarded():
            self.collection.delete(where={"source": source})
            self.catalog.remove([source])
            self._record_changes("remove", [source])
            self._publish()
        self.save_keyword_index()
        return source

    def trashed(self) -> list[str]:
        """Files in the trash, as 'removed-at/source', newest first."""
        if not self.trash.is_dir():
            return []
        found = [p.relative_to(self.trash).as_posix() for p in self.trash.rglob("*") if p.is_file() or p.is_symlink()]
        return sorted(found, reverse=True)

    def restore(self, entry: str) -> str | None:
        """Move a trashed file back to the documents folder (beside, not over, a file of the same name); the
        source it got, for the caller to ingest."""
        path = self.trash / entry
        if not path.parent.resolve().is_relative_to(self.trash.resolve()) or not (path.is_file() or path.is_symlink()):
            return None
        source = entry.split("/", 1)[1] if "/" in entry else entry
        target = unused_name((self.docs / source).parent, Path(source).name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
        _prune_empty(path.parent, self.trash)
        return target.relative_to(self.docs).as_posix()


def _chroma_metadata(metadata: dict[str, str]) -> dict[str, str | int]:
    """The catalog keeps metadata as text; Chroma gets numbers back as numbers."""
    return {k: int(v) if k in ("start", "end", "chunk_count", "size", "mtime_ns") else v for k, v in metadata.items()}


