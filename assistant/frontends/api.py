"""The HTTP API and the web UI in one FastAPI app (`assistant serve`).

- `POST /v1/chat/completions` speaks OpenAI's Chat Completions (streamed or not), so any OpenAI client works;
  the answer keeps its citations: `message.annotations` of type `url_citation` in OpenAI's own shape (the span
  of the cited sentence in the text, the article's title, a URL of the quoted span), and the full `Citation`
  list in the extra `citations` field. A refusal is an ordinary message with no annotations.
- `POST /v1/ask` (the Answer as JSON), `GET /v1/sources/{source}` (text and metadata; `?start=&end=` the span),
  `GET/POST/DELETE /v1/documents`, `GET /healthz`; the OpenAPI schema at `/openapi.json`, docs at `/docs`.
- Credentials, body limits and login throttling in front of every route (guard.py); errors are JSON, never a
  traceback.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..answering.answer import Answer, final_answer
from ..answering.cite import MARKER
from ..library.index import IndexDamaged, unused_name
from ..library.intake import staging_folder, upload_name
from ..library.load import BadSource, LoadError, article_path, load_within
from ..library.problems import OncePerProblem, explain
from ..pipeline import Assistant, check_draft, digest, timeline, who_said
from ..settings import Settings
from .guard import Credentials, Guard
from .render import CHIP_CLICKS, CSS
from .ui import ChatApp, build_ui, warm_up

log = logging.getLogger(__name__)
PROBLEMS = OncePerProblem()  # index problems go to the log once, not once per request



class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str = ""


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(part.text for part in self.content if part.type == "text")
        return self.content or ""


class DateRange(BaseModel):
    as_of: date | None = Field(None, description="'Today' for 'this week', 'recently', 'latest'; default: now.")
    since: date | None = Field(None, description="Only articles published on or after this date.")
    until: date | None = Field(None, description="Only articles published on or before this date.")


class ChatRequest(DateRange):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens … are accepted and ignored
    model: str | None = Field(None, description="A backend (extractive, local, openai, auto) or any name.")
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False


class AskRequest(DateRange):
    question: str
    history: list[tuple[str, str]] | None = None
    generator: Literal["auto", "extractive", "local", "openai"] | None = None


class CheckRequest(BaseModel):
    text: str = Field(description="The draft: one or more sentences.")


class TimelineRequest(BaseModel):
    topic: str = Field(description="The story, in a few words ('the Florida talks').")
    since: date | None = Field(None, description="Only events on or after this date.")
    until: date | None = Field(None, description="Only events on or before this date.")


class QuotesRequest(BaseModel):
    speaker: str = Field(description="The person or organisation ('Witkoff', 'the Kremlin').")
    since: date | None = Field(None, description="Only articles dated on or after this date.")
    until: date | None = Field(None, description="Only articles dated on or before this date.")


class DigestRequest(DateRange):
    question: str | None = Field(None, description="'What happened this week?', 'since Monday' … (read against "
                                                   "as_of), when no dates are given.")


def create_app(settings: Settings, *, with_ui: bool = True, with_api: bool = True,
               chat: ChatApp | None = None) -> FastAPI:
    chat = chat or ChatApp(settings)
    app = FastAPI(title="news-assistant", version="0.1.0",
                  description="Sourced answers from your news articles, every claim cited to its passage.")
    app.state.chat = chat
    _install_errors(app, settings)
    app.add_middleware(Guard, settings=settings)  # credentials and body limits, before any route (guard.py)

    @app.get("/healthz", response_model=None)
    def healthz() -> dict[str, Any] | JSONResponse:
        """'ok' with the library's size, or 503 with the problem when something the index needs is down."""
        try:
            chat.assistant.store.heartbeat()
        except IndexDamaged as error:
            PROBLEMS.report(error)
            return JSONResponse({"status": "unavailable", "problem": str(error)}, status_code=503)
        PROBLEMS.clear()
        articles = chat.assistant.store.articles()
        return {"status": "ok", "articles": len(articles), "chunks": sum(count for _, count in articles),
                "generator": chat.assistant.generator.name}

    if with_api:
        app.include_router(_v1(chat, settings))

    if with_ui:
        import gradio as gr

        credentials = Credentials.from_settings(settings)
        gr.mount_gradio_app(app, build_ui(chat), path="/", auth=credentials.login if credentials.configured else None,
                            css=CSS, js=CHIP_CLICKS, show_error=False)
    return app


def _v1(chat: ChatApp, settings: Settings) -> APIRouter:
    """The /v1 routes: answers, sources and the library."""
    router = APIRouter()

    @router.post("/v1/ask")
    def ask(request: AskRequest) -> dict[str, Any]:
        generator = _backend(chat, request.generator)
        return _ask(chat, request.question, request.history, request, generator).to_dict()

    @router.post("/v1/chat/completions", response_model=None)
    def chat_completions(request: ChatRequest, http: Request) -> Any:
        question, history = _conversation(request.messages)
        backend = request.model if request.model in ("auto", "extractive", "local", "openai") else None
        generator = _backend(chat, backend)
        answer = _ask(chat, question, history, request, generator)
        completion = _completion(answer, str(http.base_url).rstrip("/"))
        if not request.stream:
            return completion
        return StreamingResponse(_sse(completion), media_type="text/event-stream")

    @router.post("/v1/check")
    def check(request: CheckRequest) -> dict[str, Any]:
        """Each sentence of the draft: supported, contradicted (and what differs) or not_found, with citations."""
        with _bad_input():
            return check_draft(request.text, assistant=chat.assistant).to_dict()

    @router.post("/v1/timeline")
    def story_timeline(request: TimelineRequest) -> dict[str, Any]:
        """The story's dated events, oldest first, each cited."""
        with _bad_input():
            return timeline(request.topic, since=request.since, until=request.until,
                            assistant=chat.assistant).to_dict()

    @router.post("/v1/quotes")
    def quotes(request: QuotesRequest) -> dict[str, Any]:
        """Who said what: the speaker's quoted statements, newest first, each with its speaker and citation."""
        with _bad_input():
            return who_said(request.speaker, since=request.since, until=request.until,
                            assistant=chat.assistant).to_dict()

    @router.post("/v1/digest")
    def news_digest(request: DigestRequest) -> dict[str, Any]:
        """The stories of the articles dated in a span, newest first, each a cited line."""
        with _bad_input():
            return digest(request.since, request.until, question=request.question, as_of=request.as_of,
                          assistant=chat.assistant).to_dict()

    @router.get("/v1/sources/{source:path}")
    def source(source: str, start: int | None = Query(None, ge=0), end: int | None = Query(None, ge=0)) -> Any:
        document = _document(settings, source)
        if start is None and end is None:
            return {**document.metadata, "text": document.text}
        start, end = start or 0, len(document.text) if end is None else end
        if start > end or end > len(document.text):
            raise HTTPException(400, f"span {start}:{end} is outside {source} (length {len(document.text)})")
        return {"source": document.source, "title": document.title, "start": start, "end": end,
                "text": document.text[start:end]}

    @router.get("/v1/documents")
    def documents() -> dict[str, Any]:
        keys = ["source", "title", "date", "publisher", "chunks"]
        return {"documents": [dict(zip(keys, row, strict=True)) for row in chat.library_rows()]}

    @router.post("/v1/documents")
    def upload(files: list[UploadFile] | None = File(None),  # noqa: B008 (FastAPI's idiom)
               url: list[str] | None = Form(None, description="Addresses of news pages to fetch and add")  # noqa: B008
               ) -> dict[str, Any]:
        if url:
            summary, *messages = chat.add_urls(url)
            return {"summary": summary, "messages": messages, "documents": [row[0] for row in chat.library_rows()]}
        if not files:
            raise HTTPException(400, "send files (multipart field 'files') or addresses (field 'url')")
        with _source_errors():
            names = [upload_name(file.filename) for file in files]
        staging = staging_folder(chat.assistant.store)  # inside the index folder; leftovers go at the next start
        try:
            paths = []
            for name, file in zip(names, files):
                path = unused_name(staging, name)
                with path.open("wb") as out:
                    shutil.copyfileobj(file.file, out)
                paths.append(path)
            summary, *messages = chat.add_files(paths)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return {"summary": summary, "messages": messages, "documents": [row[0] for row in chat.library_rows()]}

    @router.delete("/v1/documents/{source:path}")
    def remove(source: str) -> dict[str, Any]:
        with _source_errors():
            return {"removed": chat.assistant.store.remove_file(source)}

    return router


# --- answering ---------------------------------------------------------------------------------------------

def _ask(chat: ChatApp, question: str, history: list[tuple[str, str]] | None, dates: DateRange,
         generator: Any) -> Answer:
    with _bad_input():
        return final_answer(chat.assistant.ask_stream(question, history, generator=generator, as_of=dates.as_of,
                                                      since=dates.since, until=dates.until))


@contextmanager
def _bad_input() -> Iterator[None]:
    try:
        yield
    except ValueError as error:
        raise HTTPException(400, str(error)) from error


def _backend(chat: ChatApp, name: str | None) -> Any:
    """The backend asked for (None: the configured one); one that is not available is a 400, never tried."""
    with _bad_input():
        return chat.generator_for(name) if name else None


def _conversation(messages: list[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message is the question; earlier user/assistant turns are the history."""
    if messages[-1].role != "user":
        raise HTTPException(400, "the last message must be the user's question")
    history, pending = [], None
    for message in messages[:-1]:
        if message.role == "user":
            pending = message.text()
        elif message.role == "assistant" and pending is not None:
            history.append((pending, message.text()))
            pending = None
    return messages[-1].text(), history


def _completion(answer: Answer, base_url: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": answer.text, "refusal": None,
                               "annotations": url_citations(answer, base_url)}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
        "model": answer.generator,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "citations": [c.to_dict() for c in answer.citations],
        "answered": answer.answered,
        "notes": [asdict(n) for n in answer.notes],
    }


def url_citations(answer: Answer, base_url: str) -> list[dict[str, Any]]:
    """One `url_citation` per marker: the cited sentence's span in the text (from the end of the previous
    marker run to the end of this one) and a URL of the quoted span in the article."""
    by_number = {c.number: c for c in answer.citations}
    found, sentence_start = [], 0
    for match in MARKER.finditer(answer.text):
        for number in (int(n) for n in match.group(1).split(",")):
            citation = by_number.get(number)
            if citation is None:
                continue
            url = f"{base_url}/v1/sources/{quote(citation.source)}?start={citation.start}&end={citation.end}"
            found.append({"type": "url_citation", "url_citation": {
                "start_index": sentence_start, "end_index": match.end(),
                "title": citation.title or citation.source, "url": url}})
        sentence_start = match.end()
        while sentence_start < len(answer.text) and answer.text[sentence_start] in " .!?\n":
            sentence_start += 1
    return found


def _sse(completion: dict[str, Any]) -> Iterator[str]:
    """The completion as OpenAI's stream: a role chunk, the text, then a last chunk with the annotations,
    citations and finish reason. The text is the verified answer, never words that verification removed."""
    base = {"id": completion["id"], "object": "chat.completion.chunk", "created": completion["created"],
            "model": completion["model"]}
    message = completion["choices"][0]["message"]

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
                **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    text = message["content"]
    for start in range(0, len(text), 200):
        yield chunk({"content": text[start:start + 200]})
    yield chunk({"annotations": message["annotations"]}, "stop", citations=completion["citations"],
                answered=completion["answered"])
    yield "data: [DONE]\n\n"


def _document(settings: Settings, source: str) -> Any:
    docs = Path(settings.docs)
    with _source_errors():
        _, path = article_path(docs, source)
        return load_within(path, docs, settings.load_timeout)


@contextmanager
def _source_errors() -> Iterator[None]:
    """A path that names no article is a 400 (malformed, outside the folder) or a 404 (not there)."""
    try:
        yield
    except BadSource as error:
        raise HTTPException(400, str(error)) from error
    except (FileNotFoundError, LoadError) as error:
        raise HTTPException(404, str(error)) from error


# --- keys, limits, errors -----------------------------------------------------------------------------------

def _install_errors(app: FastAPI, settings: Settings) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return _error(error.status_code, str(error.detail), getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}"
                             for e in error.errors())
        return _error(422, problems or "invalid request")

    @app.exception_handler(IndexDamaged)
    @app.exception_handler(sqlite3.DatabaseError)
    async def index_problem(request: Request, error: Exception) -> JSONResponse:
        problem = explain(error, str(settings.index), settings.chroma_url)
        PROBLEMS.report(problem)  # once, not once per request
        return _error(503, str(problem))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error("%s %s failed: %s", request.method, request.url.path, type(error).__name__)
        return _error(500, f"internal error ({type(error).__name__}); see the server log")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    kinds = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
             413: "request_too_large", 422: "invalid_request_error", 503: "service_unavailable"}
    return JSONResponse({"error": {"message": message, "type": kinds.get(status, "server_error"), "code": status}},
                        status_code=status, headers=headers)


def start_background(store: Any, settings: Settings) -> list[Any]:
    """What `assistant serve` runs beside the server: the folder watcher (ASSISTANT_WATCH) and the feed poller
    (ASSISTANT_FEEDS). Each has a stop()."""
    from ..library.feeds import FeedPoller
    from ..library.watch import FolderWatcher

    running: list[Any] = []
    if settings.watch:
        running.append(FolderWatcher(store).start())
    if settings.feed_urls:
        running.append(FeedPoller(store, settings.feed_urls, settings.feed_minutes).start())
    return running


def serve(settings: Settings, with_api: bool = True, assistant: Assistant | None = None) -> None:
    """`assistant serve` (the API and the web UI) and `assistant ui` (the web UI alone), behind the same guard;
    `assistant`: the one the command built already, if it did."""
    import uvicorn

    chat = ChatApp(settings, assistant)
    chat.assistant.ensure_index()  # before the page is built: its first view is the library as it is
    chat.assistant.store.verify()
    app = create_app(settings, with_api=with_api, chat=chat)
    start_background(chat.assistant.store, settings)
    threading.Thread(target=warm_up, args=(chat.assistant.generator,), daemon=True).start()
    log.warning("serving %s on http://%s:%d", "the API and the web UI" if with_api else "the web UI", settings.host,
                settings.port)
    # open pages keep a connection for live updates: a stop waits for them only briefly
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", timeout_graceful_shutdown=3)
