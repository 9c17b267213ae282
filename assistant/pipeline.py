"""ask(): retrieve → answer → cite → verify, with per-stage timings; the one path every front end uses."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from . import nlp
from .answering.answer import (
    Answer,
    Candidate,
    ExtractiveGenerator,
    Generator,
    final_answer,
    rank_sentences,
    refusal,
    whole,
)
from .answering.decide import decide
from .answering.retrieve import HybridRetriever, KeywordIndex, Retrieval
from .library.embed import preload
from .library.index import IngestReport, Progress, Store
from .settings import Settings, get_settings
from .timeframe import Timeframe, article_date, describe, resolve

if TYPE_CHECKING:  # the LLM clients are imported when an LLM backend is chosen
    from langchain_openai import ChatOpenAI

log = logging.getLogger(__name__)

History = list[tuple[str, str]]


def clean_question(question: object, max_chars: int) -> str:
    """The question as text fit to search: characters that cannot be encoded (a lone surrogate, a stray byte
    from the shell) become '?'; empty, non-text and over-long questions are refused with a clear message."""
    if not isinstance(question, str):
        raise ValueError(f"The question must be text, not {type(question).__name__}.")
    question = question.encode("utf-8", "replace").decode("utf-8").strip()
    if not question:
        raise ValueError("The question is empty.")
    if len(question) > max_chars:
        raise ValueError(f"The question is {len(question):,} characters long; the limit is {max_chars:,} "
                         "(ASSISTANT_MAX_QUESTION_CHARS). Ask about one thing at a time.")
    return question


EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)  # the dates a question about news may be about


def check_dates(as_of: date | None, since: date | None, until: date | None) -> None:
    """A clear ValueError for dates no news question is about, or a range that ends before it starts."""
    for name, value in (("as_of", as_of), ("since", since), ("until", until)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise ValueError(f"{name} must lie between {EARLIEST} and {LATEST}, not {value}.")
    if since and until and since > until:
        raise ValueError(f"since ({since}) is after until ({until}): no article can be dated in that range.")


def with_report_dates(answer: Answer) -> str:
    """For a question about time, the answer opens with the dates of the articles it cites."""
    days = sorted({c.date for c in answer.citations if article_date(c.date)})
    if not answer.answered or not days:
        return answer.text
    return f"As reported on {' and '.join(days)}: {answer.text}"


class Assistant:
    def __init__(self, settings: Settings, generator: Generator | None = None) -> None:
        self.settings = settings
        preload(settings.embed_threads)  # ready by the first question; loads while the index opens
        nlp.preload()
        self.store = Store(settings)
        self.retriever = HybridRetriever.from_store(self.store)
        self.generator = generator or make_generator(settings)
        self._ingested = False
        self._lock = threading.Lock()

    def ingest(self, progress: Progress | None = None) -> IngestReport:
        report = self.store.ingest(progress)
        self._ingested = True
        return report

    def ensure_index(self) -> None:
        with self._lock:
            if not self._ingested:
                report = self.ingest()
                for problem in report.skipped:
                    log.warning("skipped %s", problem)
                if report.changed:
                    log.info("index updated: %s", report.summary())

    def ask(self, question: str, history: History | None = None, *, as_of: date | None = None,
            since: date | None = None, until: date | None = None) -> Answer:
        """The cited answer. `since`/`until` keep to articles dated in that range; `as_of` is "today" for the
        question's own time words ("this week", "yesterday", "the latest"), by default the current date."""
        return final_answer(self.ask_stream(question, history, as_of=as_of, since=since, until=until))

    def ask_stream(self, question: str, history: History | None = None, generator: Generator | None = None,
                   top_k: int | None = None, *, as_of: date | None = None, since: date | None = None,
                   until: date | None = None) -> Iterator[str | Answer]:
        """Text pieces as they are written, then the final Answer; `generator` and `top_k` override settings."""
        question = clean_question(question, self.settings.max_question_chars)
        check_dates(as_of, since, until)
        started = time.perf_counter()
        generator = generator or self.generator
        evidence = self.gather(question, history, generator, top_k, as_of=as_of, since=since, until=until)
        mark = time.perf_counter()
        decision = decide(evidence.query, evidence.retrieval, evidence.ranked, evidence.keyword,
                          threshold=self.settings.answer_threshold)
        if evidence.timeframe.strict and not evidence.retrieval.passages and evidence.keyword.size:
            decision = dataclasses.replace(decision, reason=f"No article is dated {describe(evidence.timeframe)}.")
        timings = {**evidence.timings, "decide": time.perf_counter() - mark}
        mark = time.perf_counter()
        pieces = (generator.stream(evidence.query, evidence.ranked) if decision.answer
                  else whole(refusal(question, generator.name, decision.reason, evidence.ranked)))
        for piece in pieces:
            if isinstance(piece, Answer):
                if evidence.timeframe.active:
                    piece.text = with_report_dates(piece)
                piece.question = question
                piece.query = evidence.query
                piece.confidence = decision.probability
                timings["answer"] = time.perf_counter() - mark
                timings["total"] = time.perf_counter() - started
                piece.timings = {**timings, **piece.timings}
            yield piece

    def gather(self, question: str, history: History | None = None, generator: Generator | None = None,
               top_k: int | None = None, *, as_of: date | None = None, since: date | None = None,
               until: date | None = None) -> Evidence:
        """What the decision and every backend work from: the question made to stand alone (follow-ups only),
        the time it is about, the retrieved passages and their sentences ranked for it."""
        started = time.perf_counter()
        self.ensure_index()
        self.store.refresh()
        timings = {"index": time.perf_counter() - started}
        mark = time.perf_counter()
        generator = generator or self.generator
        query = generator.standalone_question(question, history) if history else question  # follow-ups only
        timeframe = resolve(query, as_of, since, until)
        retrieval = self.retriever.search(query, k=top_k, timeframe=timeframe)
        keyword = self.retriever.keyword_index
        ranked = rank_sentences(query, retrieval.passages, keyword, self.settings.embed_threads)
        timings["retrieve"] = time.perf_counter() - mark
        return Evidence(query, timeframe, retrieval, ranked, keyword, timings)


@dataclass
class Evidence:
    query: str  # the question, rewritten to stand alone when it is a follow-up
    timeframe: Timeframe
    retrieval: Retrieval
    ranked: list[Candidate]
    keyword: KeywordIndex
    timings: dict[str, float] = field(default_factory=dict)


def make_generator(settings: Settings) -> Generator:
    """The configured backend; `auto` is openai when configured, else extractive. The local model is used only
    when asked for: on the real-news benchmark it was no more accurate than extractive (README)."""
    extractive = ExtractiveGenerator(settings.max_sentences)
    choice = settings.generator
    if choice == "auto":
        choice = "openai" if settings.openai_api_key or settings.openai_base_url else "extractive"
    if choice == "extractive":
        return extractive
    from .answering.llm import LLMGenerator

    if choice == "openai":
        return LLMGenerator("openai", lambda: openai_client(settings), settings.prompts, extractive, settings.llm_mode)
    return LLMGenerator("local", lambda: local_client(settings), settings.prompts, extractive, settings.llm_mode)


def openai_client(settings: Settings) -> ChatOpenAI:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return chat_client(settings, settings.model, settings.openai_base_url, key)


def local_client(settings: Settings) -> ChatOpenAI:
    from .answering.llm_server import shared_server
    from .answering.local_model import resolve_model_path

    model = resolve_model_path(settings.model_path, settings.model_cache)
    server = shared_server(model, settings.llm_context, settings.llm_threads)
    return chat_client(settings, model.stem, server.base_url, "local")


def chat_client(settings: Settings, model: str, base_url: str | None, key: str) -> ChatOpenAI:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(model=model, base_url=base_url, api_key=key, temperature=0,
                      max_tokens=settings.max_tokens, timeout=settings.llm_timeout, max_retries=0,
                      streaming=True)


_assistants: dict[str, Assistant] = {}
_assistants_lock = threading.Lock()


def default_assistant(settings: Settings | None = None) -> Assistant:
    """One Assistant per distinct settings in this process (the index and any model server are reused)."""
    settings = settings or get_settings()
    key = settings.model_dump_json() + (settings.openai_api_key.get_secret_value() if settings.openai_api_key else "")
    with _assistants_lock:
        if key not in _assistants:
            _assistants[key] = Assistant(settings)
        return _assistants[key]


def ask(question: str, history: History | None = None, settings: Settings | None = None, *,
        as_of: date | None = None, since: date | None = None, until: date | None = None) -> Answer:
    """Answer a question from the configured documents folder, with citations (dates: see Assistant.ask)."""
    return default_assistant(settings).ask(question, history, as_of=as_of, since=since, until=until)


def ask_stream(question: str, history: History | None = None,
               settings: Settings | None = None) -> Iterator[str | Answer]:
    """Text pieces as they are written, then the final Answer."""
    return default_assistant(settings).ask_stream(question, history)
