"""ask(): retrieve → answer → cite → verify, with per-stage timings; the one path every front end uses."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from functools import lru_cache

from .answer import Answer, ExtractiveGenerator, Generator
from .index import IngestReport, Store
from .retrieve import HybridRetriever, standalone_query
from .settings import Settings, get_settings

log = logging.getLogger(__name__)

History = list[tuple[str, str]]


class Assistant:
    def __init__(self, settings: Settings, generator: Generator | None = None) -> None:
        self.settings = settings
        self.store = Store(settings)
        self.retriever = HybridRetriever.from_store(self.store)
        self.generator = generator or make_generator(settings)
        self._ingested = False
        self._lock = threading.Lock()

    def ingest(self, progress=None) -> IngestReport:
        report = self.store.ingest(progress)
        self._ingested = True
        return report

    def ensure_index(self) -> None:
        with self._lock:
            if not self._ingested:
                report = self.ingest()
                if report.changed:
                    log.info("index updated: %s", report.summary())

    def ask(self, question: str, history: History | None = None) -> Answer:
        answer: Answer | None = None
        for piece in self.ask_stream(question, history):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    def ask_stream(self, question: str, history: History | None = None) -> Iterator[str | Answer]:
        question = (question or "").strip()
        if not question:
            raise ValueError("The question is empty.")
        timings: dict[str, float] = {}
        started = time.perf_counter()
        self.ensure_index()
        timings["index"] = time.perf_counter() - started
        mark = time.perf_counter()
        query = standalone_query(question, history)
        retrieval = self.retriever.search(query)
        timings["retrieve"] = time.perf_counter() - mark
        mark = time.perf_counter()
        for piece in self.generator.stream(query, retrieval, self.retriever.keyword_index):
            if isinstance(piece, Answer):
                piece.question = question
                timings["answer"] = time.perf_counter() - mark
                timings["total"] = time.perf_counter() - started
                piece.timings = {**timings, **piece.timings}
            yield piece


def make_generator(settings: Settings) -> Generator:
    return ExtractiveGenerator(settings.min_coverage, settings.max_sentences, settings.embed_threads)


@lru_cache(maxsize=4)
def _assistant_for(settings_json: str) -> Assistant:
    return Assistant(Settings.model_validate_json(settings_json))


def default_assistant(settings: Settings | None = None) -> Assistant:
    return _assistant_for((settings or get_settings()).model_dump_json())


def ask(question: str, history: History | None = None, settings: Settings | None = None) -> Answer:
    """Answer a question from the configured documents folder, with citations."""
    return default_assistant(settings).ask(question, history)


def ask_stream(question: str, history: History | None = None, settings: Settings | None = None) -> Iterator[str | Answer]:
    """Text pieces as they are written, then the final Answer."""
    return default_assistant(settings).ask_stream(question, history)
