"""The Chroma index: incremental ingest keyed by content hash, and the chunk table retrieval reads."""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings

from .chunk import Chunk, chunk_document
from .embed import MODEL_NAME, chroma_embedding_function, get_embedder
from .load import Document, load_folder
from .settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)
TRASH = "trash"  # removed articles, inside the index folder
EMBED_PIECE = 256  # chunks embedded and written at a time, so memory stays flat however big a file is


class IndexDamaged(RuntimeError):
    """The index folder cannot be opened or read; the message says how to rebuild it."""


def damaged(index: Path, error: BaseException) -> IndexDamaged:
    reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
    return IndexDamaged(f"the index at {index} cannot be read ({reason}). Rebuild it from the articles with "
                        f"`assistant ingest --rebuild` (or delete the folder {index}).")


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one warning per unreadable file
    chunks_embedded: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped; "
            f"{self.chunks_embedded} chunks embedded in {self.seconds:.1f}s"
        )


@dataclass(frozen=True)
class IndexedChunk:
    chunk: Chunk
    metadata: dict[str, str]


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


def _reason(error: Exception) -> str:
    first_line = str(error).splitlines()[0][:160] if str(error) else ""
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__


def _forget(report: IngestReport, source: str) -> None:
    for listed in (report.added, report.updated):
        if source in listed:
            listed.remove(source)


def collection_name(docs: Path) -> str:
    """One collection per documents folder, so several corpora can share an index folder."""
    digest = hashlib.sha256(str(docs.resolve()).encode("utf-8")).hexdigest()[:12]
    return f"articles-{digest}"


class Store:
    """One documents folder's Chroma collection, plus an in-memory copy of its chunks."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.docs = Path(settings.docs)
        if settings.index.exists() and not settings.index.is_dir():
            raise IndexDamaged(f"the index path {settings.index} is a file, not a folder; "
                               "set ASSISTANT_INDEX (or --index) to a folder")
        settings.index.mkdir(parents=True, exist_ok=True)
        try:
            self._client = chromadb.PersistentClient(
                path=str(settings.index), settings=ChromaSettings(anonymized_telemetry=False)
            )
            self.collection = self._client.get_or_create_collection(
                collection_name(self.docs),
                embedding_function=chroma_embedding_function(settings.embed_threads),
                metadata={"hnsw:space": "cosine"},
            )
            self.collection.count()
            self._max_batch = self._client.get_max_batch_size()
        except BaseException as error:  # sqlite errors, and Rust panics (PanicException is a BaseException)
            if isinstance(error, KeyboardInterrupt | SystemExit):
                raise
            raise damaged(settings.index, error) from error
        self._lock = threading.RLock()
        self._chunks: list[IndexedChunk] | None = None
        self._version = 0

    @property
    def version(self) -> int:
        """Changes whenever the indexed content changes, so caches built on it know to rebuild."""
        return self._version

    def ingest_key(self, document: Document) -> str:
        s = self.settings
        return f"{document.content_hash}:{s.chunk_size}:{s.chunk_overlap}:{MODEL_NAME}"

    def indexed_files(self) -> dict[str, str]:
        """source → ingest key of what the index holds now ('incomplete' for a file whose ingest was cut off)."""
        records = self.collection.get(include=["metadatas"])
        keys: dict[str, str] = {}
        held: Counter[str] = Counter()
        expected: dict[str, int] = {}
        for m in records["metadatas"] or []:
            source = str(m["source"])
            keys[source] = str(m["ingest_key"])
            held[source] += 1
            expected[source] = int(str(m.get("chunk_count", 0))) or held[source]
        return {s: key if held[s] >= expected[s] else "incomplete" for s, key in keys.items()}

    def ingest(self, progress: Progress | None = None) -> IngestReport:
        started = time.perf_counter()
        with self._lock:
            documents, problems = load_folder(self.docs, max_bytes=int(self.settings.max_file_mb * 1_000_000))
            report = IngestReport(skipped=problems)
            indexed = self.indexed_files()
            to_embed: list[tuple[Document, list[Chunk]]] = []
            for document in documents:
                previous = indexed.get(document.source)
                if previous == self.ingest_key(document):
                    report.unchanged.append(document.source)
                    continue
                (report.updated if previous else report.added).append(document.source)
                to_embed.append((document, chunk_document(document, self.settings.chunk_size,
                                                          self.settings.chunk_overlap)))
            present = {p.relative_to(self.docs).as_posix() for p in self.docs.rglob("*") if p.is_file()}
            report.removed = sorted(source for source in indexed if source not in present)
            for source in report.removed + report.updated:
                self.collection.delete(where={"source": source})
            report.chunks_embedded = self._embed_and_add(to_embed, progress, report)
            if report.changed:
                self._chunks = None
                self._version += 1
        report.seconds = time.perf_counter() - started
        return report

    def _embed_and_add(self, work: list[tuple[Document, list[Chunk]]], progress: Progress | None,
                       report: IngestReport) -> int:
        """Embed and write each file in pieces; a file that fails is taken out again and reported, the rest go on."""
        total = sum(len(chunks) for _, chunks in work)
        done = 0
        for document, chunks in work:
            written = 0
            try:
                for start in range(0, len(chunks), EMBED_PIECE):
                    piece = chunks[start:start + EMBED_PIECE]
                    self._add(document, piece, len(chunks))
                    written += len(piece)
                    if progress:
                        progress(done + written, total)
            except Exception as error:  # one bad file must not stop the folder
                self.collection.delete(where={"source": document.source})
                _forget(report, document.source)
                report.skipped.append(f"{document.source}: could not be indexed ({_reason(error)})")
                total -= len(chunks)
                continue
            done += written
        return done

    def _add(self, document: Document, chunks: list[Chunk], chunk_count: int) -> None:
        vectors = get_embedder(self.settings.embed_threads).embed([c.search_text for c in chunks])
        metadata: dict[str, str | int] = {**document.metadata, "ingest_key": self.ingest_key(document),
                                          "chunk_count": chunk_count}
        for start in range(0, len(chunks), self._max_batch):
            batch = chunks[start:start + self._max_batch]
            self.collection.add(
                ids=[c.id for c in batch],
                documents=[c.text for c in batch],
                embeddings=[v.tolist() for v in vectors[start:start + self._max_batch]],
                metadatas=[{**metadata, "start": c.start, "end": c.end} for c in batch],
            )

    def chunks(self) -> list[IndexedChunk]:
        """Every indexed chunk, in a stable order (loaded once per index version)."""
        with self._lock:
            if self._chunks is None:
                records = self.collection.get(include=["documents", "metadatas"])
                rows = sorted(
                    zip(records["ids"], records["documents"] or [], records["metadatas"] or []),
                    key=lambda row: (row[2]["source"], row[2]["start"]),
                )
                self._chunks = [
                    IndexedChunk(Chunk(id=i, source=str(m["source"]), start=int(str(m["start"])),
                                       end=int(str(m["end"])), text=text, title=str(m.get("title", ""))),
                                 {k: str(v) for k, v in m.items()})
                    for i, text, m in rows
                ]
            return self._chunks

    @property
    def trash(self) -> Path:
        """Where removed articles wait until the trash is emptied: inside the index folder."""
        return self.settings.index / TRASH

    def remove_file(self, source: str) -> bool:
        """Take a file out of the index and move it to the trash (restorable until the trash is emptied)."""
        path = (self.docs / source).resolve()
        if not path.is_relative_to(self.docs.resolve()) or not path.is_file():
            return False
        target = self.trash / time.strftime("%Y%m%d-%H%M%S") / source
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
        self._forget_source(source)
        return True

    def trashed(self) -> list[str]:
        """Files in the trash, as 'removed-at/source', newest first."""
        if not self.trash.is_dir():
            return []
        found = [p.relative_to(self.trash).as_posix() for p in self.trash.rglob("*") if p.is_file()]
        return sorted(found, reverse=True)

    def restore(self, entry: str) -> str | None:
        """Move a trashed file back to the documents folder (beside, not over, a file of the same name); the
        source it got, for the caller to ingest."""
        path = (self.trash / entry).resolve()
        if not path.is_relative_to(self.trash.resolve()) or not path.is_file():
            return None
        source = entry.split("/", 1)[1] if "/" in entry else entry
        target = unused_name((self.docs / source).parent, Path(source).name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
        _prune_empty(path.parent, self.trash)
        return target.relative_to(self.docs).as_posix()

    def _forget_source(self, source: str) -> None:
        with self._lock:
            self.collection.delete(where={"source": source})
            self._chunks = None
            self._version += 1
