"""Hybrid retrieval: dense cosine (Chroma) + BM25 (bm25s), fused with weighted reciprocal rank fusion."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, cast

import numpy as np
from chromadb.api.types import Where

from ..library.chunk import Chunk
from ..library.embed import get_embedder
from ..library.index import Store
from ..library.keyword import QUESTION_WORDS, KeywordIndex
from ..text import terms
from ..timeframe import Timeframe, article_date, newness
from ..tuning import COVERAGE_DEPTH, RECENCY_BOOST, TIME_BOOST

if TYPE_CHECKING:
    from langchain_core.retrievers import BaseRetriever

__all__ = ["QUESTION_WORDS", "HybridRetriever", "KeywordIndex", "Passage", "Retrieval"]
# Phrases that ask about the sources or pad the question rather than say what it is about.
META_PHRASES = re.compile(
    r"\b(?:according to|in|do|does|did|as)\s+(?:the\s+)?(?:two\s+|both\s+|these\s+|all\s+)?"
    r"(?:reports?|articles?|sources?|stor(?:y|ies)|texts?|analys[ie]s|pieces?)(?:\s+says?)?\b"
    r"|\b(?:been\s+)?going\s+on\b", re.I)
DURATION_VERBS = re.compile(r"\b(?:lasted|last|lasting|taken|take|took|run|ran|running|continued|gone on)\b", re.I)


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


class HybridRetriever:
    """Hybrid search over one Store; `search` gives the typed passages the answer stage uses, and
    `as_langchain()` the same passages as a LangChain retriever (LangChain is imported only then)."""

    def __init__(self, store: Store, k: int = 6, depth: int = 20, rrf_k: int = 60, bm25_weight: float = 1.0,
                 dense_weight: float = 0.7) -> None:
        self.store = store
        self.k = k
        self.depth = depth
        self.rrf_k = rrf_k
        self.bm25_weight = bm25_weight
        self.dense_weight = dense_weight

    @classmethod
    def from_store(cls, store: Store) -> HybridRetriever:
        s = store.settings
        return cls(store=store, k=s.top_k, depth=s.fusion_depth, rrf_k=s.rrf_k,
                   bm25_weight=s.bm25_weight, dense_weight=s.dense_weight)

    def as_langchain(self) -> BaseRetriever:
        """This retriever as a LangChain `BaseRetriever`, to plug into a chain."""
        return _langchain_class()(hybrid=self)

    @property
    def keyword_index(self) -> KeywordIndex:
        return self.store.keyword

    def search(self, query: str, k: int | None = None, timeframe: Timeframe | None = None) -> Retrieval:
        """The best passages for the query. A strict timeframe (the caller's dates) keeps only articles dated
        inside it; a question's own time words rank those articles first; 'the latest' favours newer ones."""
        keyword = self.keyword_index
        if not keyword.size:
            return Retrieval([], 0.0)
        query_terms = terms(question_focus(query))
        strict = timeframe if timeframe and timeframe.strict else None
        since, until = (strict.since, strict.until) if strict else (None, None)
        rankings = {"bm25": keyword.search(query_terms, self.depth, since, until),
                    "dense": self._dense_ids(query, strict, keyword)}
        weights = {"bm25": self.bm25_weight, "dense": self.dense_weight}
        chunks = keyword.chunks(list(dict.fromkeys(rankings["bm25"] + rankings["dense"])))
        fused: dict[str, Passage] = {}
        for name, ranking in rankings.items():
            for rank, chunk_id in enumerate(ranking, start=1):
                if chunk_id not in chunks:
                    continue
                indexed = chunks[chunk_id]
                passage = fused.setdefault(chunk_id, Passage(indexed.chunk, indexed.metadata))
                passage.score += weights[name] / (self.rrf_k + rank)
                passage.ranks[name] = rank
        if timeframe and not timeframe.strict and timeframe.active:
            _favour_time(list(fused.values()), timeframe)
        passages = sorted(fused.values(), key=lambda p: -p.score)[: k or self.k]
        return Retrieval(passages, keyword.coverage(query_terms, rankings["bm25"][:COVERAGE_DEPTH]))

    def _dense_ids(self, query: str, strict: Timeframe | None, keyword: KeywordIndex) -> list[str]:
        count = self.store.vector_count()
        if not count or (strict is not None and not keyword.has_dated(strict.since, strict.until)):
            return []
        vector = get_embedder(self.store.settings.embed_threads).embed([query])[0]
        where: Where | None = None
        if strict is not None:
            where = cast(Where, {"date": {"$in": keyword.date_strings(strict.since, strict.until)}})
        return self.store.nearest(np.asarray(vector).tolist(), min(self.depth, count), where)


@cache
def _langchain_class() -> type[BaseRetriever]:
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document as LCDocument
    from langchain_core.retrievers import BaseRetriever
    from pydantic import ConfigDict

    class NewsRetriever(BaseRetriever):
        model_config = ConfigDict(arbitrary_types_allowed=True)
        hybrid: HybridRetriever

        def _get_relevant_documents(self, query: str, *,
                                    run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
            return [
                LCDocument(
                    page_content=p.chunk.text, id=p.chunk.id,
                    metadata={**p.metadata, "score": p.score, "ranks": dict(p.ranks)},
                )
                for p in self.hybrid.search(query).passages
            ]

    return NewsRetriever


def _favour_time(passages: list[Passage], timeframe: Timeframe) -> None:
    """Raise passages from articles dated inside the question's timeframe, and for 'the latest' the newer ones."""
    days = [article_date(p.metadata.get("date")) for p in passages]
    for passage, day, new in zip(passages, days, newness(days)):
        if timeframe.bounded and timeframe.holds(day):
            passage.score *= 1 + TIME_BOOST
        if timeframe.prefer_recent:
            passage.score *= 1 + RECENCY_BOOST * new


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
