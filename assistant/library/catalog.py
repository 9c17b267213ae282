"""The catalog beside the vector index: every file's size, mtime and ingest key, and every chunk's text and
metadata, in one SQLite file. The keyword index is built from it, an unchanged file is recognised by its
size and mtime without being read, and a chunk is searchable by keyword before its embedding exists.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .chunk import Chunk

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    source TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ingest_key TEXT, chunk_count INTEGER);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, source TEXT, start INTEGER, "end" INTEGER, title TEXT, text TEXT, metadata TEXT,
    embedded INTEGER DEFAULT 0);
CREATE INDEX IF NOT EXISTS chunks_by_source ON chunks (source, start);
CREATE INDEX IF NOT EXISTS chunks_pending ON chunks (embedded) WHERE embedded = 0;
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS changes (generation INTEGER, kind TEXT, source TEXT);
CREATE TABLE IF NOT EXISTS fetched (url TEXT PRIMARY KEY, source TEXT, at TEXT);
CREATE INDEX IF NOT EXISTS changes_by_generation ON changes (generation);
"""
CHANGES_KEPT = 100_000  # entries of the change log kept; a keyword index further behind is rebuilt
INCOMPLETE = "incomplete"  # ingest key of a file whose chunks the vector store holds only some of
_SELECT_CHUNKS = 'SELECT id, source, start, "end", title, text, metadata FROM chunks'  # the row `_indexed` reads


@dataclass(frozen=True)
class FileRecord:
    size: int
    mtime_ns: int
    ingest_key: str
    chunk_count: int


@dataclass(frozen=True)
class IndexedChunk:
    chunk: Chunk
    metadata: dict[str, str]


class Catalog:
    """One documents folder's files and chunks. Safe to share between threads; other processes see each
    change once it is committed (WAL)."""

    def __init__(self, path: Path) -> None:
        """sqlite3.DatabaseError when the file is no catalog (the store then builds a new one)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._db.execute("SELECT COUNT(*) FROM files").fetchone()

    def intact(self) -> bool:
        """SQLite's own check of every page (what ingest runs; too slow for every start at 100k chunks)."""
        try:
            return self._read("PRAGMA quick_check")[0][0] == "ok"
        except sqlite3.DatabaseError:
            return False

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, parameters: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(parameters)).fetchall()

    # --- state ---------------------------------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM state WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    @property
    def generation(self) -> int:
        """Goes up with every change to the chunks, so caches built on them know to rebuild."""
        return int(self.get_state("generation") or 0)

    @staticmethod
    def _bump(db: sqlite3.Connection, kind: str = "", sources: Iterable[str] = ()) -> None:
        """The next generation, and what it changed: 'add', 'remove' or 'dates' of these files, or 'reset'."""
        db.execute("INSERT INTO state VALUES ('generation', '1') "
                   "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
        generation = int(db.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()[0])
        db.executemany("INSERT INTO changes VALUES (?, ?, ?)", [(generation, kind, s) for s in sources or [""]])
        db.execute("DELETE FROM changes WHERE rowid <= (SELECT MAX(rowid) FROM changes) - ?", (CHANGES_KEPT,))

    def changes_since(self, generation: int) -> list[tuple[int, str, str]] | None:
        """(generation, kind, source) of every change after `generation`, oldest first; None when the log no
        longer reaches back that far (a reader that far behind starts over)."""
        oldest = self._read("SELECT MIN(generation) FROM changes")[0][0]
        if generation < self.generation and (oldest is None or oldest > generation + 1):
            return None
        return [(int(g), str(k), str(s)) for g, k, s in self._read(
            "SELECT generation, kind, source FROM changes WHERE generation > ? ORDER BY rowid", (generation,))]

    def set_state(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, value))

    # --- files ---------------------------------------------------------------------------------------------

    def files(self) -> dict[str, FileRecord]:
        return {row[0]: FileRecord(*row[1:]) for row in self._read("SELECT * FROM files")}

    def fetched(self, url: str) -> str | None:
        """The file an article fetched from this URL was saved as (or one whose header names the URL)."""
        rows = self._read("SELECT source FROM fetched WHERE url = ?", (url,)) or self._read(
            "SELECT source FROM chunks WHERE json_extract(metadata, '$.url') = ? LIMIT 1", (url,))
        return rows[0][0] if rows else None

    def record_fetched(self, url: str, source: str, at: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO fetched VALUES (?, ?, ?)", (url, source, at))

    def source_with_content(self, content_hash: str) -> str | None:
        """A file already indexed with exactly this text (its ingest key starts with the text's hash)."""
        rows = self._read("SELECT source FROM files WHERE ingest_key LIKE ? ORDER BY source LIMIT 1",
                          (content_hash + ":%",))
        return rows[0][0] if rows else None

    def touch(self, source: str, size: int, mtime_ns: int) -> None:
        """The file changed on disk but not in content (copied, touched): remember its new size and mtime."""
        with self._write() as db:
            db.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE source = ?", (size, mtime_ns, source))

    def add_file(self, source: str, record: FileRecord, chunks: list[Chunk], metadata: dict[str, str | int]) -> None:
        """A file and its chunks, all or nothing; the chunks wait for their embeddings (see `pending`)."""
        rows = [(c.id, c.source, c.start, c.end, c.title, c.text,
                 json.dumps({**metadata, "start": c.start, "end": c.end}, ensure_ascii=False)) for c in chunks]
        with self._write() as db:
            self._delete(db, [source])
            db.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?)",
                       (source, record.size, record.mtime_ns, record.ingest_key, record.chunk_count))
            db.executemany("INSERT OR REPLACE INTO chunks (id, source, start, \"end\", title, text, metadata) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            self._bump(db, "add", [source])

    def refresh_metadata(self, source: str, record: FileRecord, metadata: dict[str, str | int]) -> list[IndexedChunk]:
        """New metadata for every chunk of a file whose text is unchanged; the chunks already embedded, with it."""
        with self._write() as db:
            rows = db.execute('SELECT id, start, "end" FROM chunks WHERE source = ?', (source,)).fetchall()
            db.executemany("UPDATE chunks SET metadata = ? WHERE id = ?", [
                (json.dumps({**metadata, "start": start, "end": end}, ensure_ascii=False), chunk_id)
                for chunk_id, start, end in rows])
            db.execute("UPDATE files SET size = ?, mtime_ns = ?, ingest_key = ? WHERE source = ?",
                       (record.size, record.mtime_ns, record.ingest_key, source))
            self._bump(db, "dates", [source])
        return self._chunks_where("source = ? AND embedded = 1", (source,))

    def remove(self, sources: list[str]) -> None:
        if not sources:
            return
        with self._write() as db:
            self._delete(db, sources)
            self._bump(db, "remove", sources)

    @staticmethod
    def _delete(db: sqlite3.Connection, sources: list[str]) -> None:
        db.executemany("DELETE FROM files WHERE source = ?", [(s,) for s in sources])
        db.executemany("DELETE FROM chunks WHERE source = ?", [(s,) for s in sources])

    # --- chunks --------------------------------------------------------------------------------------------

    def count(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM chunks")[0][0])

    def pending(self) -> list[IndexedChunk]:
        """Chunks whose embeddings are not yet in the vector store, file by file."""
        return self._chunks_where("embedded = 0")

    def mark_embedded(self, ids: list[str]) -> None:
        with self._write() as db:
            db.executemany("UPDATE chunks SET embedded = 1 WHERE id = ?", [(i,) for i in ids])

    def all_chunks(self) -> list[IndexedChunk]:
        """Every chunk, in a stable order (by file, then position)."""
        return self._chunks_where("1")

    def articles(self) -> list[tuple[IndexedChunk, int]]:
        """Each file's first chunk (its title, date, publisher) and its number of chunks, by file."""
        rows = self._read('SELECT id, source, MIN(start), "end", title, text, metadata, COUNT(*) FROM chunks '
                          "GROUP BY source ORDER BY source")
        return [(_indexed(row[:-1]), row[-1]) for row in rows]

    def spread(self, limit: int) -> list[IndexedChunk]:
        """All chunks, or `limit` of them spread evenly over the files when there are more."""
        ids = [row[0] for row in self._read("SELECT id FROM chunks ORDER BY source, start")]
        if len(ids) <= limit:
            return self.all_chunks()
        step = len(ids) / limit
        chosen = [ids[int(n * step)] for n in range(limit)]
        found = self.chunks_by_id(chosen)
        return [found[i] for i in chosen if i in found]

    def chunks_by_id(self, ids: list[str]) -> dict[str, IndexedChunk]:
        found: dict[str, IndexedChunk] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            found.update((c.chunk.id, c) for c in self._chunks_where(
                f"id IN ({','.join('?' * len(part))})", part))
        return found

    def chunks_of(self, source: str) -> list[IndexedChunk]:
        """A file's chunks in order."""
        return self._chunks_where("source = ?", (source,))

    def chunk_covering(self, source: str, offset: int) -> IndexedChunk | None:
        """The chunk of a file that holds the character at `offset` (the first, where chunks overlap)."""
        rows = self._read(f'{_SELECT_CHUNKS} WHERE source = ? AND start <= ? AND "end" > ? ORDER BY start LIMIT 1',
                          (source, offset, offset))
        return _indexed(rows[0]) if rows else None

    def chunk_beside(self, source: str, offset: int, before: bool) -> IndexedChunk | None:
        """The chunk of a file nearest before `offset` (the one ending last among those starting before it) or
        after it (the first ending after it): the next chunk over, even across a blank line no chunk holds."""
        if before:
            query = 'WHERE source = ? AND start < ? ORDER BY "end" DESC, start DESC LIMIT 1'
        else:
            query = 'WHERE source = ? AND "end" > ? ORDER BY start, "end" LIMIT 1'
        rows = self._read(f"{_SELECT_CHUNKS} {query}", (source, offset))
        return _indexed(rows[0]) if rows else None

    def search_texts(self, sources: list[str] | None = None) -> list[tuple[str, str, str, str]]:
        """(id, source, text to search, date) of every chunk, or of these files' chunks, in the order of
        `all_chunks`."""
        query = 'SELECT id, source, title, text, metadata FROM chunks'
        rows = []
        for start in range(0, len(sources), 500) if sources is not None else [None]:
            part = sources[start:start + 500] if sources is not None and start is not None else None
            where = f" WHERE source IN ({','.join('?' * len(part))})" if part is not None else ""
            rows += self._read(query + where + " ORDER BY source, start", part or ())
        return [(chunk_id, source, Chunk(chunk_id, source, 0, 0, text, title).search_text,
                 str(json.loads(metadata).get("date", ""))) for chunk_id, source, title, text, metadata in rows]

    def dates_of(self, source: str) -> dict[str, str]:
        """Each chunk of a file → its article's date, as stored."""
        return {chunk_id: str(json.loads(metadata).get("date", "")) for chunk_id, metadata in self._read(
            "SELECT id, metadata FROM chunks WHERE source = ?", (source,))}

    def _chunks_where(self, condition: str, parameters: Iterable[object] = ()) -> list[IndexedChunk]:
        rows = self._read(f"{_SELECT_CHUNKS} WHERE {condition} ORDER BY source, start", parameters)
        return [_indexed(row) for row in rows]

    # --- copying from the vector store ------------------------------------------------------------------------

    def replace_all(self, records: list[tuple[str, str, dict[str, str | int | float | bool]]]) -> None:
        """Start over from the vector store's records (id, text, metadata), all embedded; a file the store holds
        only some chunks of is marked incomplete, so the next ingest reads it again."""
        with self._write() as db:
            db.execute("DELETE FROM files")
            db.execute("DELETE FROM chunks")
            self._insert_records(db, records)
            self._bump(db, "reset")

    def replace_files(self, sources: list[str], records: list[tuple[str, str, dict[str, str | int | float | bool]]]
                      ) -> None:
        """These files as the vector store now holds them (records of other files are not expected)."""
        with self._write() as db:
            self._delete(db, sources)
            self._insert_records(db, records)
            self._bump(db, "add", sources)

    @staticmethod
    def _insert_records(db: sqlite3.Connection, records: list[tuple[str, str, dict[str, str | int | float | bool]]]
                        ) -> None:
        held: dict[str, int] = {}
        files: dict[str, FileRecord] = {}
        rows = []
        for chunk_id, text, metadata in records:
            source = str(metadata["source"])
            held[source] = held.get(source, 0) + 1
            files[source] = FileRecord(int(str(metadata.get("size", -1))), int(str(metadata.get("mtime_ns", -1))),
                                       str(metadata.get("ingest_key", "")), int(str(metadata.get("chunk_count", 0))))
            rows.append((chunk_id, source, int(str(metadata["start"])), int(str(metadata["end"])),
                         str(metadata.get("title", "")), text, json.dumps(metadata, ensure_ascii=False)))
        db.executemany("INSERT OR REPLACE INTO chunks (id, source, start, \"end\", title, text, metadata, "
                       "embedded) VALUES (?, ?, ?, ?, ?, ?, ?, 1)", rows)
        db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?)", [
            (s, r.size, r.mtime_ns, r.ingest_key if held[s] >= r.chunk_count else INCOMPLETE, r.chunk_count)
            for s, r in files.items()])


def _indexed(row: tuple) -> IndexedChunk:
    """A chunk from its row (id, source, start, end, title, text, metadata as JSON)."""
    chunk_id, source, start, end, title, text, metadata = row
    return IndexedChunk(Chunk(chunk_id, source, start, end, text, title),
                        {k: str(v) for k, v in json.loads(metadata).items()})
