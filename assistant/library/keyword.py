"""The keyword index: BM25 over the catalog's chunks, kept in step with the catalog change by change.

Chunks live in segments (postings of stemmed terms, as bm25s tokenises them): one large segment from the last
full build, and a small one per batch of added files, merged in the background of an ingest when there are many.
A removed file's chunks are marked dead in their segment. Scores are computed at query time from the live
chunks' statistics (document frequencies, count, average length), so a ranking after any sequence of additions
and removals is exactly the ranking a full rebuild gives: the Lucene variant of BM25 that bm25s computes
(k1 = 1.5, b = 0.75). Adding or removing one article at 100k chunks takes milliseconds, not a rebuild.

Why not a search engine library: tantivy (incremental, very fast) keeps a deleted document's statistics until it
merges segments, so its scores drift from a rebuild's after removals; SQLite FTS5 is exact but scores every
match of common words (about 100 ms a query at 60k chunks). Measured in benchmarks/scale.py.

Saved beside the catalog (one folder per segment, arrays memory-mapped, CRC-32 checked on opening): a new
process opens it instead of building it; a damaged one is rebuilt from the catalog.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import math
import os
import shutil
import tempfile
import threading
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..text import terms_batch
from ..timeframe import article_date
from .catalog import Catalog, IndexedChunk

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import

K1, B = 1.5, 0.75  # bm25s's defaults (method "lucene")
MAX_SEGMENTS = 8  # more and the small ones are merged into one
MERGE_INTO_BASE = 0.25  # small segments holding more than this share of all chunks are merged into the large one

# Words that ask rather than describe: never evidence that a passage holds the answer.
QUESTION_WORDS = {"say", "said", "accord", "report", "articl", "sourc", "mention", "describ", "regard",
                  "tell", "told", "state", "name", "mani", "much", "long"}


@dataclass
class Segment:
    """Postings of a set of chunks: for term t, docs[indptr[t]:indptr[t+1]] (local positions) and their counts."""
    name: str
    ids: np.ndarray  # chunk id per position
    files: np.ndarray  # index into `sources` per position
    sources: list[str]
    dates: np.ndarray  # date ordinal per position; 0 for an undated article
    lengths: np.ndarray  # terms per position
    vocabulary: dict[str, int]  # term → row of indptr
    indptr: np.ndarray
    docs: np.ndarray
    counts: np.ndarray
    alive: np.ndarray  # False once the chunk's file is removed or changed

    @classmethod
    def build(cls, rows: list[tuple[str, str, list[str], str]]) -> Segment:
        """From (chunk id, source, search terms, date) rows."""
        vocabulary: dict[str, int] = {}
        term_ids = np.array([vocabulary.setdefault(w, len(vocabulary)) for _, _, words, _ in rows for w in words],
                            dtype=np.int64)
        lengths = np.array([len(words) for _, _, words, _ in rows], dtype=np.int32)
        positions = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
        sources = sorted({source for _, source, _, _ in rows})
        file_index = {source: n for n, source in enumerate(sources)}
        return cls._from_triples(
            np.array([i for i, _, _, _ in rows], dtype="U32"),
            np.array([file_index[s] for _, s, _, _ in rows], dtype=np.int32), sources,
            np.array([_ordinal(d) for _, _, _, d in rows], dtype=np.int32), lengths, list(vocabulary), term_ids,
            positions, np.ones(len(term_ids), dtype=np.int64))

    @classmethod
    def merge(cls, segments: list[Segment]) -> Segment:
        """The live chunks of several segments as one (postings joined, no text read again)."""
        terms: dict[str, int] = {}
        term_ids, positions, counts, offset = [], [], [], 0
        ids, files, dates, lengths = [], [], [], []
        for segment in segments:
            keep = np.flatnonzero(segment.alive)
            renumber = np.full(len(segment.ids), -1, dtype=np.int64)
            renumber[keep] = np.arange(offset, offset + len(keep))
            names = sorted(segment.vocabulary, key=segment.vocabulary.__getitem__)
            mapping = np.array([terms.setdefault(w, len(terms)) for w in names], dtype=np.int64)
            rows = np.repeat(np.arange(len(names)), np.diff(np.asarray(segment.indptr)))
            moved = renumber[np.asarray(segment.docs)]
            live = moved >= 0
            term_ids.append(mapping[rows[live]])
            positions.append(moved[live])
            counts.append(np.asarray(segment.counts)[live].astype(np.int64))
            ids.append(np.asarray(segment.ids)[keep])
            files += [segment.sources[int(f)] for f in np.asarray(segment.files)[keep]]
            dates.append(np.asarray(segment.dates)[keep])
            lengths.append(np.asarray(segment.lengths)[keep])
            offset += len(keep)
        sources = sorted(set(files))
        file_index = {source: n for n, source in enumerate(sources)}
        return cls._from_triples(
            np.concatenate(ids).astype("U32"), np.array([file_index[s] for s in files], dtype=np.int32), sources,
            np.concatenate(dates).astype(np.int32), np.concatenate(lengths).astype(np.int32), list(terms),
            np.concatenate(term_ids), np.concatenate(positions), np.concatenate(counts))

    @classmethod
    def _from_triples(cls, ids: np.ndarray, files: np.ndarray, sources: list[str], dates: np.ndarray,
                      lengths: np.ndarray, terms: list[str], term_ids: np.ndarray, positions: np.ndarray,
                      counts: np.ndarray) -> Segment:
        """Postings from (term, position, count) triples, summed per (term, position), rows in term order."""
        order = sorted(range(len(terms)), key=lambda n: terms[n])
        rank = np.empty(len(terms), dtype=np.int64)
        rank[order] = np.arange(len(terms))
        size = max(len(ids), 1)
        keys, inverse = np.unique(rank[term_ids] * size + positions, return_inverse=True)
        summed = np.bincount(inverse, weights=counts, minlength=len(keys)).astype(np.int32)
        rows = keys // size
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(terms)))]).astype(np.int64)
        vocabulary = {terms[i]: row for row, i in enumerate(order)}
        return cls(uuid.uuid4().hex[:12], ids, files, sources, dates, lengths, vocabulary, indptr,
                   (keys % size).astype(np.int32), summed, np.ones(len(ids), dtype=bool))

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        row = self.vocabulary.get(term)
        if row is None:
            return _EMPTY, _EMPTY
        start, end = self.indptr[row], self.indptr[row + 1]
        return self.docs[start:end], self.counts[start:end]

    # --- saving ------------------------------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        staging = Path(tempfile.mkdtemp(prefix="building-", dir=folder))
        for name in ("ids", "files", "dates", "lengths", "indptr", "docs", "counts"):
            np.save(staging / f"{name}.npy", getattr(self, name))
        (staging / "vocabulary.json").write_text(json.dumps(sorted(self.vocabulary, key=self.vocabulary.__getitem__)),
                                                 encoding="utf-8")
        (staging / "sources.json").write_text(json.dumps(self.sources), encoding="utf-8")
        (staging / "meta.json").write_text(json.dumps({"checksums": _checksums(staging)}), encoding="utf-8")
        os.replace(staging, folder / self.name)

    @classmethod
    def load(cls, folder: Path, alive: np.ndarray | None) -> Segment:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if _checksums(folder) != meta["checksums"]:
            raise ValueError(f"the keyword segment {folder.name} does not match its checksums")
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r")
                  for name in ("ids", "files", "dates", "lengths", "indptr", "docs", "counts")}
        terms = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        if len(terms) + 1 != len(arrays["indptr"]) or (alive is not None and len(alive) != len(arrays["ids"])):
            raise ValueError(f"the keyword segment {folder.name} is inconsistent")
        return cls(folder.name, arrays["ids"], arrays["files"],
                   json.loads((folder / "sources.json").read_text(encoding="utf-8")), np.array(arrays["dates"]),
                   arrays["lengths"], {t: n for n, t in enumerate(terms)}, arrays["indptr"], arrays["docs"],
                   arrays["counts"], np.ones(len(arrays["ids"]), dtype=bool) if alive is None else alive)


_EMPTY = np.zeros(0, dtype=np.int32)


def _ordinal(value: str) -> int:
    day = article_date(value)
    return day.toordinal() if day else 0


class KeywordIndex:
    """BM25 over one documents folder's chunks. Safe to share between threads."""

    def __init__(self, catalog: Catalog, folder: Path, segments: list[Segment], generation: int) -> None:
        self.catalog = catalog
        self.folder = folder
        self.segments = segments
        self.generation = generation
        self._lock = threading.RLock()
        self._terms_of = lru_cache(maxsize=4096)(self._read_terms)  # chunk ids name their content: never stale
        self._invalidate()

    # --- opening, building, keeping up ---------------------------------------------------------------------

    @classmethod
    def open(cls, catalog: Catalog, folder: Path) -> KeywordIndex:
        """The saved index, brought up to the catalog's generation; built from the catalog when there is none or
        it cannot be read."""
        folder.mkdir(parents=True, exist_ok=True)
        try:
            index = cls._load(catalog, folder)
        except Exception as error:  # damaged files of any kind: the index is rebuilt from the catalog
            log.warning("rebuilding the keyword index: %s", error)
            index = None
        if index is None:
            index = cls.build(catalog, folder)
        index.refresh()
        return index

    @classmethod
    def build(cls, catalog: Catalog, folder: Path) -> KeywordIndex:
        generation = catalog.generation
        index = cls(catalog, folder, _segments_of(catalog.search_texts()), generation)
        index._save(replace=True)
        return index

    @classmethod
    def _load(cls, catalog: Catalog, folder: Path) -> KeywordIndex | None:
        state = folder / "state.json"
        if not state.is_file():
            return None
        saved = json.loads(state.read_text(encoding="utf-8"))
        segments = [Segment.load(folder / name, np.load(folder / f"{name}.alive.npy")) for name in saved["segments"]]
        return cls(catalog, folder, segments, int(saved["generation"]))

    def refresh(self) -> None:
        """Take in what changed in the catalog since this index's generation (added, changed, removed files and
        new dates), from its change log; rebuilt when the log does not reach back far enough."""
        with self._lock:
            if self.catalog.generation == self.generation:
                return
            changes = self.catalog.changes_since(self.generation)
            if changes is None or any(kind == "reset" for _, kind, _ in changes):
                self.segments = _segments_of(self.catalog.search_texts())
            else:
                last: dict[str, str] = {}
                for _, kind, source in changes:  # the last word on a file counts ('dates' after 'add' adds it)
                    last[source] = "add" if kind == "dates" and last.get(source) == "add" else kind
                self._kill([s for s, kind in last.items() if kind in ("add", "remove")])
                self.segments += _segments_of(self.catalog.search_texts([s for s, k in last.items() if k == "add"]))
                self._redate([s for s, kind in last.items() if kind == "dates"])
                self._merge_if_many()
            self.generation = self.catalog.generation if changes is None else max(
                [self.generation, *(g for g, _, _ in changes)])
            self._invalidate()
            self._save()

    def _kill(self, sources: list[str]) -> None:
        wanted = set(sources)
        for segment in self.segments:
            files = [n for n, source in enumerate(segment.sources) if source in wanted]
            if files:
                segment.alive = segment.alive & ~np.isin(segment.files, files)

    def _redate(self, sources: list[str]) -> None:
        where = {str(i): (s, n) for s in self.segments for n, i in enumerate(s.ids) if s.alive[n]} if sources else {}
        for source in sources:
            for chunk_id, day in self.catalog.dates_of(source).items():
                if chunk_id in where:
                    segment, position = where[chunk_id]
                    segment.dates[position] = _ordinal(day)

    def _merge_if_many(self) -> None:
        """Many small segments become one; when the small ones hold a large share, everything becomes one."""
        self.segments = [s for s in self.segments if s.alive.any()]
        if len(self.segments) <= MAX_SEGMENTS:
            return
        small = self.segments[1:]
        if sum(int(s.alive.sum()) for s in small) > MERGE_INTO_BASE * sum(int(s.alive.sum()) for s in self.segments):
            self.segments = [Segment.merge(self.segments)]
        else:
            self.segments = [self.segments[0], Segment.merge(small)]

    def _invalidate(self) -> None:
        count = sum(int(s.alive.sum()) for s in self.segments)
        total = sum(int(np.asarray(s.lengths)[s.alive].sum()) for s in self.segments)
        self._size, self._average = count, (total / count if count else 1.0)
        self._sources = len({s.sources[int(f)] for s in self.segments for f in np.unique(s.files[s.alive])})
        self._frequencies: dict[str, int] = {}

    def _save(self, replace: bool = False) -> None:
        """Written beside the catalog under a lock; a process that finds a state as new saved leaves it be (unless
        it rebuilt the index because that state could not be read: `replace`)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with _locked(self.folder / "lock"):
            state = self.folder / "state.json"
            with contextlib.suppress(OSError, ValueError, KeyError):
                if not replace and int(json.loads(state.read_text(encoding="utf-8"))["generation"]) >= self.generation:
                    return
            for segment in self.segments:
                if not (self.folder / segment.name).is_dir():
                    segment.save(self.folder)
                np.save(self.folder / f"{segment.name}.alive.npy", segment.alive)
            staged = self.folder / "state.json.part"
            staged.write_text(json.dumps({"generation": self.generation,
                                          "segments": [s.name for s in self.segments]}), encoding="utf-8")
            os.replace(staged, state)
            keep = {"state.json", "lock", *(s.name for s in self.segments),
                    *(f"{s.name}.alive.npy" for s in self.segments)}
            for old in self.folder.iterdir():
                if old.name not in keep and not old.name.startswith("building-"):
                    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)

    # --- reading -------------------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """How many chunks are indexed."""
        return self._size

    @property
    def sources(self) -> int:
        """How many files are indexed."""
        return self._sources

    def frequency(self, term: str) -> int:
        """How many indexed chunks contain the term."""
        if term not in self._frequencies:
            self._frequencies[term] = sum(int(s.alive[s.postings(term)[0]].sum()) for s in self.segments)
        return self._frequencies[term]

    def idf(self, term: str) -> float:
        n = max(self.size, 1)
        df = self.frequency(term)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query_terms: list[str], k: int, since: date | None = None, until: date | None = None
               ) -> list[str]:
        """Ids of the best chunks for the terms (each occurrence in the query counts), best first; only chunks of
        articles dated in [since, until] when either is given. Ties go to the earlier file and position."""
        with self._lock:
            weights = Counter(t for t in query_terms if self.frequency(t))
            if not weights or not self.size:
                return []
            idf = {t: self.idf(t) for t in weights}
            found: list[tuple[float, str, str]] = []
            for segment in self.segments:
                scores = np.zeros(len(segment.ids), dtype=np.float64)
                for term, times in weights.items():
                    docs, counts = segment.postings(term)
                    if len(docs):
                        tf = counts.astype(np.float64)
                        norm = K1 * (1 - B + B * np.asarray(segment.lengths)[docs] / self._average)
                        scores[docs] += times * idf[term] * tf / (norm + tf)
                best = np.flatnonzero(segment.alive & (scores > 0) & _dated(segment.dates, since, until))
                if len(best) > k:  # the k best, and every one tied with the k-th (ties go by file and id below)
                    kth = np.partition(scores[best], len(best) - k)[len(best) - k]
                    best = best[scores[best] >= kth]
                found += [(float(scores[p]), segment.sources[int(segment.files[p])], str(segment.ids[p]))
                          for p in best.tolist()]
            found.sort(key=lambda hit: (-round(hit[0], 9), hit[1], hit[2]))  # float sums may differ in the last bits
            return [chunk_id for _, _, chunk_id in found[:k]]

    def has_dated(self, since: date | None, until: date | None) -> bool:
        """Whether any indexed article is dated in the range."""
        return any((s.alive & _dated(s.dates, since, until, strict=True)).any() for s in self.segments)

    def date_strings(self, since: date | None, until: date | None) -> list[str]:
        """The dates (as chunk metadata stores them) of the indexed articles dated in the range."""
        days = {int(d) for s in self.segments
                for d in np.unique(s.dates[s.alive & _dated(s.dates, since, until, strict=True)])}
        return sorted(date.fromordinal(d).isoformat() for d in days if d)

    def chunks(self, ids: list[str]) -> dict[str, IndexedChunk]:
        return self.catalog.chunks_by_id(ids)

    def terms_of(self, chunk_id: str) -> set[str]:
        """The search terms of one indexed chunk (its title included)."""
        return self._terms_of(chunk_id)

    def _read_terms(self, chunk_id: str) -> set[str]:
        found = self.catalog.chunks_by_id([chunk_id])
        return set(terms_batch([found[chunk_id].chunk.search_text])[0]) if chunk_id in found else set()

    def coverage(self, query_terms: list[str], chunk_ids: list[str]) -> float:
        """IDF-weighted share of the query's content words that occur in the given chunks."""
        wanted = {t for t in query_terms if t not in QUESTION_WORDS}
        if not wanted:
            return 0.0
        present = set().union(*(self.terms_of(i) for i in chunk_ids)) if chunk_ids else set()
        total = sum(self.idf(t) for t in wanted)
        return sum(self.idf(t) for t in wanted if t in present) / total


def _segments_of(rows: list[tuple[str, str, str, str]]) -> list[Segment]:
    """One segment of these (id, source, text, date) rows, tokenised as bm25s does; none for no rows."""
    if not rows:
        return []
    words = terms_batch([text for _, _, text, _ in rows])
    return [Segment.build([(i, s, w, d) for (i, s, _, d), w in zip(rows, words)])]


def _dated(dates: np.ndarray, since: date | None, until: date | None, strict: bool = False) -> np.ndarray:
    """A mask of positions whose date lies in the range (everything, when no range is given and not strict)."""
    if since is None and until is None:
        return np.ones(len(dates), dtype=bool) if not strict else dates > 0
    inside = dates > 0
    if since:
        inside &= dates >= since.toordinal()
    if until:
        inside &= dates <= until.toordinal()
    return inside


def _checksums(folder: Path) -> dict[str, str]:
    """CRC-32 of every saved file but meta.json: a damaged keyword index is rebuilt, never read (at 100k chunks
    checking takes a few tens of milliseconds)."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "meta.json"):
        crc = 0
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                crc = zlib.crc32(block, crc)
        found[path.relative_to(folder).as_posix()] = f"{crc:08x}"
    return found


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
