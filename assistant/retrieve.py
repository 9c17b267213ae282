"""Hybrid retrieval: dense cosine (Chroma) + BM25 (bm25s), fused with weighted reciprocal rank fusion."""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import cast

import bm25s
import numpy as np
from chromadb.api.types import Where
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from .chunk import Chunk
from .embed import get_embedder
from .index import IndexedChunk, Store
from .text import terms, terms_batch
from .timeframe import Timeframe, article_date
from .tuning import COVERAGE_DEPTH, RECENCY_BOOST, TIME_BOOST

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import

# Words that ask rather than describe: never evidence that a passage holds the answer.
QUESTION_WORDS = {"say", "said", "accord", "report", "articl", "sourc", "mention", "describ", "regard",
                  "tell", "told", "state", "name", "mani", "much", "long"}
# Phrases that ask about the sources or pad the question rather than say what it is about.
META_PHRASES = re.compile(
    r"\b(?:according to|in|do|does|did|as)\s+(?:the\s+)?(?:two\s+|both\s+|these\s+|all\s+)?"
    r"(?:reports?|articles?|sources?|stories|texts?)(?:\s+says?)?\b|\b(?:been\s+)?going\s+on\b", re.I)
DURATION_VERBS = re.compile(r"\b(?:lasted|last|lasting|taken|take|took|run|ran|running|continued|gone on)\b", re.I)
FOLLOW_UP = re.compile(r"\b(he|she|they|them|him|her|his|their|it|its|that|this|those|these|there|then)\b", re.I)


@dataclass
class Passage:
    chunk: Chunk
    metadata: dict[str, str]
    score: float = 0.0  # fused score
    ranks: dict[str, int] = field(default_factory=dict)  # rank (1-based) in each retriever that found it


@dataclass
class Retrieval:
    passages: list[Passage]
    coverage: float  # IDF-weighted share of the query's words found in the top keyword hits


class KeywordIndex:
    """BM25 over the store's chunks, plus the document frequencies the refusal gate weighs words by."""

    def __init__(self, chunks: list[IndexedChunk]) -> None:
        self.chunks = chunks
        self.position = {c.chunk.id: i for i, c in enumerate(chunks)}
        tokenised = terms_batch([c.chunk.search_text for c in chunks]) if chunks else []
        self.chunk_terms = [set(t) for t in tokenised]
        self.document_frequency = Counter(t for ts in self.chunk_terms for t in ts)
        self._bm25 = bm25s.BM25()
        if chunks:
            self._bm25.index(tokenised, show_progress=False)

    def terms_of(self, chunk_id: str) -> set[str]:
        """The search terms of one indexed chunk (its title included)."""
        return self.chunk_terms[self.position[chunk_id]]

    def idf(self, term: str) -> float:
        n = max(len(self.chunks), 1)
        df = self.document_frequency.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query_terms: list[str], k: int, allowed: set[int] | None = None) -> list[int]:
        """Positions of the best chunks for the terms; only among `allowed` positions when given."""
        known = [t for t in query_terms if t in self.document_frequency]
        if not known or not self.chunks or allowed == set():
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.chunks), dtype=np.float32)
            mask[list(allowed)] = 1.0
            k = min(k, len(allowed))
        ids, scores = self._bm25.retrieve([known], k=min(k, len(self.chunks)), show_progress=False, weight_mask=mask)
        return [int(i) for i, s in zip(ids[0], scores[0]) if s > 0]

    def dated_positions(self, timeframe: Timeframe) -> set[int]:
        """Chunks of articles whose stated date lies in the timeframe."""
        return {i for i, c in enumerate(self.chunks) if timeframe.holds(article_date(c.metadata.get("date")))}

    def coverage(self, query_terms: list[str], positions: list[int]) -> float:
        """IDF-weighted share of the query's content words that occur in the given chunks."""
        wanted = {t for t in query_terms if t not in QUESTION_WORDS}
        if not wanted:
            return 0.0
        present = set().union(*(self.chunk_terms[p] for p in positions)) if positions else set()
        total = sum(self.idf(t) for t in wanted)
        return sum(self.idf(t) for t in wanted if t in present) / total


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over one Store; `search` gives the typed passages the answer stage uses."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    k: int = 6
    depth: int = 20
    rrf_k: int = 60
    bm25_weight: float = 1.0
    dense_weight: float = 0.7

    _keyword: KeywordIndex | None = PrivateAttr(default=None)
    _keyword_version: int = PrivateAttr(default=-1)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def from_store(cls, store: Store) -> HybridRetriever:
        s = store.settings
        return cls(store=store, k=s.top_k, depth=s.fusion_depth, rrf_k=s.rrf_k,
                   bm25_weight=s.bm25_weight, dense_weight=s.dense_weight)

    @property
    def keyword_index(self) -> KeywordIndex:
        with self._lock:
            if self._keyword is None or self._keyword_version != self.store.version:
                self._keyword = KeywordIndex(self.store.chunks())
                self._keyword_version = self.store.version
            return self._keyword

    def search(self, query: str, k: int | None = None, timeframe: Timeframe | None = None) -> Retrieval:
        """The best passages for the query. A strict timeframe (the caller's dates) keeps only articles dated
        inside it; a question's own time words rank those articles first; 'the latest' favours newer ones."""
        keyword = self.keyword_index
        if not keyword.chunks:
            return Retrieval([], 0.0)
        query_terms = terms(question_focus(query))
        allowed = keyword.dated_positions(timeframe) if timeframe and timeframe.strict else None
        dense = [keyword.position[i] for i in self._dense_ids(query, allowed, keyword) if i in keyword.position]
        rankings = {"bm25": keyword.search(query_terms, self.depth, allowed), "dense": dense}
        weights = {"bm25": self.bm25_weight, "dense": self.dense_weight}
        fused: dict[int, Passage] = {}
        for name, ranking in rankings.items():
            for rank, pos in enumerate(ranking, start=1):
                indexed = keyword.chunks[pos]
                passage = fused.setdefault(pos, Passage(indexed.chunk, indexed.metadata))
                passage.score += weights[name] / (self.rrf_k + rank)
                passage.ranks[name] = rank
        if timeframe and not timeframe.strict and timeframe.active:
            _favour_time(list(fused.values()), timeframe)
        passages = sorted(fused.values(), key=lambda p: -p.score)[: k or self.k]
        return Retrieval(passages, keyword.coverage(query_terms, rankings["bm25"][:COVERAGE_DEPTH]))

    def _dense_ids(self, query: str, allowed: set[int] | None, keyword: KeywordIndex) -> list[str]:
        count = self.store.collection.count()
        if not count or allowed == set():
            return []
        vector = get_embedder(self.store.settings.embed_threads).embed([query])[0]
        where: Where | None = None
        if allowed is not None:
            dates = sorted({keyword.chunks[i].metadata.get("date", "") for i in allowed})
            where = cast(Where, {"date": {"$in": dates}})
        found = self.store.collection.query(
            query_embeddings=[np.asarray(vector).tolist()], n_results=min(self.depth, count), include=[], where=where
        )
        return found["ids"][0]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        return [
            LCDocument(
                page_content=p.chunk.text, id=p.chunk.id,
                metadata={**p.metadata, "score": p.score, "ranks": dict(p.ranks)},
            )
            for p in self.search(query).passages
        ]


def _favour_time(passages: list[Passage], timeframe: Timeframe) -> None:
    """Raise passages from articles dated inside the question's timeframe, and for 'the latest' the newer ones."""
    days = {id(p): article_date(p.metadata.get("date")) for p in passages}
    dated = sorted({d for d in days.values() if d is not None})
    for passage in passages:
        day = days[id(passage)]
        if timeframe.bounded and timeframe.holds(day):
            passage.score *= 1 + TIME_BOOST
        if timeframe.prefer_recent and day is not None and len(dated) > 1:
            passage.score *= 1 + RECENCY_BOOST * dated.index(day) / (len(dated) - 1)


def question_terms(question: str) -> list[str]:
    """The words a question is about, once each, in order: search terms without phrases about the sources or
    words that only ask ('say', 'many', 'long' …)."""
    return [t for t in dict.fromkeys(terms(question_focus(question))) if t not in QUESTION_WORDS]


def question_focus(question: str) -> str:
    """The question without phrases about the sources or the verbs that only ask for a duration: 'How long has
    the war been going on, according to the two reports?' → 'How long has the war ,?'."""
    focused = META_PHRASES.sub(" ", question)
    if re.search(r"\bhow long\b", focused, re.I):
        focused = DURATION_VERBS.sub(" ", focused)
    return focused


def standalone_query(question: str, history: list[tuple[str, str]] | None) -> str:
    """Without a model to rewrite it, a follow-up is searched together with the previous question."""
    if not history:
        return question
    looks_dependent = FOLLOW_UP.search(question) or len(terms(question)) <= 2
    return f"{history[-1][0]} {question}" if looks_dependent else question
