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
    ExtractiveGenerator,
    Generator,
    Reading,
    final_answer,
    refusal,
    whole,
)
from .answering.decide import decide, salient_words
from .answering.rank import rank_sentences
from .answering.reader import read, short_answer, surroundings
from .answering.retrieve import HybridRetriever, KeywordIndex, Retrieval, question_terms
from .library.embed import preload
from .library.index import IngestReport, Progress, Store
from .newsroom.digest import is_digest_request
from .settings import Settings, get_settings
from .text import terms
from .timeframe import Timeframe, article_date, describe, resolve
from .tuning import PASSAGES_IN_PROMPT, READER_SENTENCES

if TYPE_CHECKING:  # the LLM clients are imported when an LLM backend is chosen
    from langchain_openai import ChatOpenAI

    from .newsroom.check import DraftCheck
    from .newsroom.digest import Digest
    from .newsroom.quotes import Statements
    from .newsroom.timeline import Timeline

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
SPEAKS_OF_IT = 0.6  # share of the question's words (IDF-weighted) an article must hold to count as speaking of it


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

    def ensure_current_index(self) -> None:
        """The index built, and in step with what other processes changed (on a shared Chroma server): what
        every question and newsroom tool reads from."""
        self.ensure_index()
        self.store.refresh()

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
        if is_digest_request(question):  # 'What happened this week?': the stories, not a sentence
            yield self._digest_answer(question, as_of, since, until)
            return
        started = time.perf_counter()
        generator = generator or self.generator
        evidence = self.gather(question, history, generator, top_k, as_of=as_of, since=since, until=until)
        mark = time.perf_counter()
        decision = decide(evidence.query, evidence.retrieval, evidence.reading, evidence.keyword,
                          threshold=self.settings.answer_threshold)
        if evidence.timeframe.strict and not decision.answer and evidence.keyword.size:
            decision = dataclasses.replace(decision, reason=self._filtered_out(evidence) or decision.reason)
        timings = {**evidence.timings, "decide": time.perf_counter() - mark}
        mark = time.perf_counter()
        pieces = (generator.stream(evidence.query, evidence.reading) if decision.answer
                  else whole(refusal(question, generator.name, decision.reason, evidence.reading.ranked)))
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

    def _filtered_out(self, evidence: Evidence) -> str:
        """Why a question under the caller's date range is refused, when the range is the reason: no article is
        dated in it, or the articles that speak of the question are undated or dated outside it."""
        timeframe, keyword = evidence.timeframe, evidence.keyword
        span = describe(timeframe)
        none_dated = not keyword.has_dated(timeframe.since, timeframe.until)
        words = question_terms(evidence.query)
        hits = keyword.chunks(keyword.search(words, 30))
        speaking = {c.chunk.source: c.metadata.get("date", "") for c in hits.values()
                    if keyword.coverage(words, [c.chunk.id]) >= SPEAKS_OF_IT}
        outside = {s: d for s, d in speaking.items() if not timeframe.holds(article_date(d))}
        if not outside or len(outside) < len(speaking):
            return f"No article is dated {span}." if none_dated else ""
        undated = sum(not article_date(d) for d in outside.values())
        dated = len(outside) - undated
        dated_noun = f" article{'s' * (dated != 1)}" if none_dated else ""
        others = " and ".join(part for part in (
            f"{undated} undated article{'s' * (undated != 1)}" if undated else "",
            f"{dated}{dated_noun} dated outside it" if dated else "") if part)
        held = set().union(*(keyword.terms_of(c.chunk.id) for c in hits.values() if c.chunk.source in outside))
        named = [w for w in salient_words(evidence.query, keyword) if terms(w) and terms(w)[0] in held][:3]
        topic = ", ".join(f"\u201c{w}\u201d" for w in named)
        verb = "does" if len(outside) == 1 else "do"
        if none_dated:
            return (f"No article is dated {span}; {others} speak{'s' * (len(outside) == 1)} of {topic} — remove "
                    "the date filter to include them.")
        return f"No article dated {span} speaks of {topic}; {others} {verb} — remove the date filter to include them."

    def _digest_answer(self, question: str, as_of: date | None, since: date | None, until: date | None) -> Answer:
        return digest(since, until, question=question, as_of=as_of, assistant=self).as_answer(question)

    def gather(self, question: str, history: History | None = None, generator: Generator | None = None,
               top_k: int | None = None, *, as_of: date | None = None, since: date | None = None,
               until: date | None = None, read_phrases: bool = True) -> Evidence:
        """What the decision and every backend work from: the question made to stand alone (follow-ups only),
        the time it is about, the retrieved passages, their sentences ranked for it, and (unless `read_phrases`
        is off, as when the reader's own models are fitted) the reader's phrases."""
        started = time.perf_counter()
        self.ensure_current_index()
        timings = {"index": time.perf_counter() - started}
        mark = time.perf_counter()
        generator = generator or self.generator
        query = generator.standalone_question(question, history) if history else question  # follow-ups only
        timeframe = resolve(query, as_of, since, until)
        retrieval = self.retriever.search(query, k=top_k, timeframe=timeframe)
        keyword = self.retriever.keyword_index
        ranked = rank_sentences(query, retrieval.passages, keyword, self.settings.embed_threads, timeframe=timeframe)
        timings["retrieve"] = time.perf_counter() - mark
        mark = time.perf_counter()
        around = surroundings(ranked, self.store.catalog, depth=max(READER_SENTENCES, PASSAGES_IN_PROMPT))
        phrases = read(query, around, keyword) if ranked and read_phrases else []
        short = short_answer(query, phrases)
        timings["read"] = time.perf_counter() - mark
        return Evidence(query, timeframe, retrieval, Reading(ranked, short, phrases, around), keyword, timings)


@dataclass
class Evidence:
    query: str  # the question, rewritten to stand alone when it is a follow-up
    timeframe: Timeframe
    retrieval: Retrieval
    reading: Reading  # the ranked sentences and the reader's short answer
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


# --- beyond one question (assistant/newsroom) ------------------------------------------------------------------

def check_draft(text: str, settings: Settings | None = None, *, assistant: Assistant | None = None) -> DraftCheck:
    """Each sentence of a draft marked supported, contradicted (and what differs) or not found, with citations."""
    from .newsroom.check import check_draft as check

    assistant = assistant or default_assistant(settings)
    return check(assistant, clean_draft(text, assistant.settings.max_draft_chars))


def timeline(topic: str, settings: Settings | None = None, *, since: date | None = None, until: date | None = None,
             assistant: Assistant | None = None) -> Timeline:
    """The dated events of a story across the library, oldest first, each cited."""
    from .newsroom.timeline import timeline as story_timeline

    check_dates(None, since, until)
    assistant = assistant or default_assistant(settings)
    return story_timeline(assistant, clean_question(topic, assistant.settings.max_question_chars), since=since,
                          until=until)


def who_said(speaker: str, settings: Settings | None = None, *, since: date | None = None, until: date | None = None,
             assistant: Assistant | None = None) -> Statements:
    """What the articles quote a person or organisation as saying, newest first, each quote exact and cited."""
    from .newsroom.quotes import who_said as quoted

    check_dates(None, since, until)
    if not isinstance(speaker, str) or not terms(speaker):
        raise ValueError("Name the person or organisation whose statements you want.")
    assistant = assistant or default_assistant(settings)
    name = clean_question(speaker, assistant.settings.max_question_chars)
    return quoted(assistant, name, since=since, until=until)


def digest(since: date | None = None, until: date | None = None, settings: Settings | None = None, *,
           question: str | None = None, as_of: date | None = None, assistant: Assistant | None = None) -> Digest:
    """The stories of the articles dated in a span ('What happened this week?' read against `as_of`), newest
    first; the last seven days when neither dates nor a question are given."""
    from .newsroom.digest import digest as news_digest
    from .newsroom.digest import digest_for

    check_dates(as_of, since, until)
    assistant = assistant or default_assistant(settings)
    if since is None and until is None:
        return digest_for(assistant, question or "this week", as_of)
    return news_digest(assistant, since or until or date.today(), until or as_of or date.today())


def clean_draft(text: object, max_chars: int) -> str:
    """A draft to check: text, not too long (what is too long is refused whole, never cut)."""
    if not isinstance(text, str):
        raise ValueError("The draft must be text.")
    if len(text) > max_chars:
        raise ValueError(f"The draft is {len(text):,} characters; the most one check takes is {max_chars:,}. "
                         "Check it in parts.")
    if not text.strip():
        raise ValueError("Paste a draft to check first.")
    return text

