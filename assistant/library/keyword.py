"""The keyword index: BM25 (bm25s) over the catalog's chunks, saved beside it and memory-mapped when opened,
so a new process answers without rebuilding it. Rebuilt only when the catalog's generation moves on."""

from __future__ import annotations

import json
import logging
import math
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np

from ..text import terms_batch
from ..timeframe import Timeframe, article_date
from .catalog import Catalog, IndexedChunk

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import

# Words that ask rather than describe: never evidence that a passage holds the answer.
QUESTION_WORDS = {"say", "said", "accord", "report", "articl", "sourc", "mention", "describ", "regard",
                  "tell", "told", "state", "name", "mani", "much", "long"}


class KeywordIndex:
    """BM25 over one generation of the catalog, plus the document frequencies the refusal gate weighs words by.

    Positions (0 … size-1) order the chunks by file and offset; texts and metadata stay in the catalog and are
    read for the few chunks a search returns."""

    def __init__(self, catalog: Catalog, generation: int, ids: np.ndarray, dates: np.ndarray,
                 date_values: dict[int, list[str]], sources: int, bm25: bm25s.BM25 | None) -> None:
        self.catalog = catalog
        self.generation = generation
        self.ids = ids
        self.dates = dates  # date ordinal per position; 0 for an article without a full date
        self.date_values = date_values  # ordinal → the date strings stored in chunk metadata
        self.sources = sources
        self._bm25 = bm25
        self._position: dict[str, int] | None = None
        self._vocabulary: dict[str, int] = dict(bm25.vocab_dict) if bm25 is not None else {}
        indptr = np.asarray(bm25.scores["indptr"]) if bm25 is not None else np.zeros(1, dtype=np.int64)
        self._frequency = np.diff(indptr)
        self._terms_of = lru_cache(maxsize=4096)(self._read_terms)

    @property
    def size(self) -> int:
        return len(self.ids)

    # --- building and opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, catalog: Catalog, folder: Path) -> KeywordIndex:
        """The saved index of the catalog's current generation, or a new one built and saved."""
        generation = catalog.generation
        target = folder / f"g{generation}"
        if (target / "meta.json").is_file():
            try:
                return cls._load(catalog, target)
            except (OSError, ValueError, KeyError) as error:
                logging.getLogger(__name__).warning("rebuilding the keyword index: %s", error)
        index = cls.build(catalog)
        index._save(folder)
        return index

    @classmethod
    def build(cls, catalog: Catalog) -> KeywordIndex:
        generation = catalog.generation
        ids, texts, raw_dates = [], [], []
        for chunk_id, text, day in catalog.search_texts():
            ids.append(chunk_id)
            texts.append(text)
            raw_dates.append(day)
        ordinals = [(parsed.toordinal() if (parsed := article_date(d)) else 0) for d in raw_dates]
        date_values: dict[int, set[str]] = {}
        for ordinal, raw in zip(ordinals, raw_dates):
            if ordinal:
                date_values.setdefault(ordinal, set()).add(raw)
        bm25 = None
        if texts:
            bm25 = bm25s.BM25()
            bm25.index(terms_batch(texts), show_progress=False)
        sources = len(catalog.files())
        return cls(catalog, generation, np.array(ids, dtype="U32"), np.array(ordinals, dtype=np.int32),
                   {k: sorted(v) for k, v in date_values.items()}, sources, bm25)

    def _save(self, folder: Path) -> None:
        """Written to a temporary folder and renamed into place; older generations are deleted."""
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="building-", dir=folder))
        if self._bm25 is not None:
            self._bm25.save(str(staging / "bm25"))
        np.save(staging / "ids.npy", self.ids)
        np.save(staging / "dates.npy", self.dates)
        meta = {"generation": self.generation, "sources": self.sources,
                "date_values": {str(k): v for k, v in self.date_values.items()}}
        (staging / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        target = folder / f"g{self.generation}"
        try:
            staging.rename(target)
        except OSError:  # another process saved this generation first
            shutil.rmtree(staging, ignore_errors=True)
        for old in folder.iterdir():
            if old != target and old.name != target.name and not old.name.startswith("building-"):
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def _load(cls, catalog: Catalog, folder: Path) -> KeywordIndex:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        bm25 = bm25s.BM25.load(str(folder / "bm25"), mmap=True) if (folder / "bm25").is_dir() else None
        return cls(catalog, int(meta["generation"]), np.load(folder / "ids.npy", mmap_mode="r"),
                   np.load(folder / "dates.npy", mmap_mode="r"),
                   {int(k): v for k, v in meta["date_values"].items()}, int(meta["sources"]), bm25)

    # --- reading -------------------------------------------------------------------------------------------

    def position(self, chunk_id: str) -> int | None:
        if self._position is None:
            self._position = {str(i): n for n, i in enumerate(self.ids)}
        return self._position.get(chunk_id)

    def chunks_at(self, positions: list[int]) -> dict[int, IndexedChunk]:
        """The chunks at these positions (any the catalog no longer holds are left out)."""
        found = self.catalog.chunks_by_id([str(self.ids[p]) for p in positions])
        return {p: found[str(self.ids[p])] for p in positions if str(self.ids[p]) in found}

    def frequency(self, term: str) -> int:
        """How many chunks contain the term."""
        column = self._vocabulary.get(term)
        return int(self._frequency[column]) if column is not None else 0

    def idf(self, term: str) -> float:
        n = max(self.size, 1)
        df = self.frequency(term)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def terms_of(self, chunk_id: str) -> set[str]:
        """The search terms of one indexed chunk (its title included)."""
        return self._terms_of(chunk_id)

    def _read_terms(self, chunk_id: str) -> set[str]:
        found = self.catalog.chunks_by_id([chunk_id])
        return set(terms_batch([found[chunk_id].chunk.search_text])[0]) if chunk_id in found else set()

    def search(self, query_terms: list[str], k: int, allowed: np.ndarray | None = None) -> list[int]:
        """Positions of the best chunks for the terms; only among `allowed` positions (a mask) when given."""
        known = [t for t in query_terms if self.frequency(t)]
        if not known or self._bm25 is None or (allowed is not None and not allowed.any()):
            return []
        mask = None
        if allowed is not None:
            mask = allowed.astype(np.float32)
            k = min(k, int(allowed.sum()))
        ids, scores = self._bm25.retrieve([known], k=min(k, self.size), show_progress=False, weight_mask=mask)
        return [int(i) for i, s in zip(ids[0], scores[0]) if s > 0]

    def dated_positions(self, timeframe: Timeframe) -> np.ndarray:
        """A mask of the chunks of articles whose stated date lies in the timeframe."""
        dates = np.asarray(self.dates)
        inside = dates > 0
        if timeframe.since:
            inside &= dates >= timeframe.since.toordinal()
        if timeframe.until:
            inside &= dates <= timeframe.until.toordinal()
        return inside

    def date_strings(self, allowed: np.ndarray) -> list[str]:
        """The stored date strings of the allowed chunks (for the vector store's filter)."""
        return sorted({raw for ordinal in np.unique(np.asarray(self.dates)[allowed]) if ordinal
                       for raw in self.date_values.get(int(ordinal), [])})

    def coverage(self, query_terms: list[str], positions: list[int]) -> float:
        """IDF-weighted share of the query's content words that occur in the given chunks."""
        wanted = {t for t in query_terms if t not in QUESTION_WORDS}
        if not wanted:
            return 0.0
        present = set().union(*(self.terms_of(str(self.ids[p])) for p in positions)) if positions else set()
        total = sum(self.idf(t) for t in wanted)
        return sum(self.idf(t) for t in wanted if t in present) / total
