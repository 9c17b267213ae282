"""The Chroma index: incremental ingest keyed by content hash, and the chunk table retrieval reads."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
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


def collection_name(docs: Path) -> str:
    """One collection per documents folder, so several corpora can share an index folder."""
    digest = hashlib.sha256(str(docs.resolve()).encode("utf-8")).hexdigest()[:12]
    return f"articles-{digest}"


class Store:
    """One documents folder's Chroma collection, plus an in-memory copy of its chunks."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.docs = Path(settings.docs)
        settings.index.mkdir(parents=True, exist_ok=True)
        self._client = chromadb.PersistentClient(
            path=str(settings.index), settings=ChromaSettings(anonymized_telemetry=False)
        )
        self.collection = self._client.get_or_create_collection(
            collection_name(self.docs),
            embedding_function=chroma_embedding_function(settings.embed_threads),
            metadata={"hnsw:space": "cosine"},
        )
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
        """source → ingest key of what the index holds now."""
        records = self.collection.get(include=["metadatas"])
        return {str(m["source"]): str(m["ingest_key"]) for m in records["metadatas"] or []}

    def ingest(self, progress: Progress | None = None) -> IngestReport:
        started = time.perf_counter()
        with self._lock:
            documents, problems = load_folder(self.docs)
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
            report.chunks_embedded = self._embed_and_add(to_embed, progress)
            if report.changed:
                self._chunks = None
                self._version += 1
        report.seconds = time.perf_counter() - started
        return report

    def _embed_and_add(self, work: list[tuple[Document, list[Chunk]]], progress: Progress | None) -> int:
        total = sum(len(chunks) for _, chunks in work)
        done = 0
        embedder = get_embedder(self.settings.embed_threads)
        for document, chunks in work:
            if not chunks:
                continue
            vectors = embedder.embed([c.search_text for c in chunks])
            metadata = {**document.metadata, "ingest_key": self.ingest_key(document)}
            self.collection.add(
                ids=[c.id for c in chunks],
                documents=[c.text for c in chunks],
                embeddings=[v.tolist() for v in vectors],
                metadatas=[{**metadata, "start": c.start, "end": c.end} for c in chunks],
            )
            done += len(chunks)
            if progress:
                progress(done, total)
        return done

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

    def remove_file(self, source: str) -> bool:
        """Delete a file from the documents folder and the index."""
        path = (self.docs / source).resolve()
        if not path.is_relative_to(self.docs.resolve()) or not path.is_file():
            return False
        path.unlink()
        with self._lock:
            self.collection.delete(where={"source": source})
            self._chunks = None
            self._version += 1
        return True
