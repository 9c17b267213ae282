"""The Gradio web UI: streaming chat with citation chips, a source viewer, a library tab and settings.

Article text is always HTML-escaped before it reaches the page: it is data, never markup.
"""

from __future__ import annotations

import html
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from an offline tool

import gradio as gr

from ..answering.answer import Answer, Generator, final_answer
from ..answering.cite import MARKER, Citation
from ..answering.examples import Named, answers_itself, named_in, question_about
from ..library.fetch import FetchError, add_url
from ..library.index import Progress
from ..library.intake import add_files
from ..library.load import SUPPORTED_SUFFIXES, BadSource, LoadError, article_path, load_within
from ..pipeline import Assistant, make_generator
from ..settings import Settings
from ..timeframe import article_date
from .newsroom_tabs import NewsroomTabs, build_newsroom_tabs
from .render import (
    NO_SOURCE,
    SCROLL_TO_QUOTE,
    UNDATED,
    day_label,
    escape_text,
    library_html,
    render_answer,
    render_source,
    status_line,
)

GENERATORS = ["auto", "extractive", "local", "openai"]
LIVE_SECONDS = 2.0  # how often an open page looks for changes to the library
PARTIAL_MARKER = re.compile(r"\s*\[[\d,\s]*$")  # a marker still being written at the end of the stream
Message = dict[str, str]

class ChatApp:
    """The handlers behind the page; plain methods so they can be tested without a browser."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.assistant = assistant or Assistant(settings)
        self._generators: dict[str, Generator] = {settings.generator: self.assistant.generator}
        self._lock = threading.Lock()
        self._answering: dict[str, object] = {}  # browser session → the answer run being written for it
        self._names: tuple[int, list[Named]] | None = None  # (index version, who the library names)
        self._examples: tuple[tuple[int, int], list[str]] | None = None  # ((index version, limit), questions)

    # --- chat -----------------------------------------------------------------------------------------
    def generator_for(self, name: str) -> Generator:
        """The backend of that name; ValueError for one that is not offered here (openai unconfigured)."""
        if name not in self.backends():
            raise ValueError(f"the {name} backend is not available here"
                             + (" (set OPENAI_API_KEY or OPENAI_BASE_URL)" if name == "openai" else "")
                             + f"; choose one of {', '.join(self.backends())}")
        with self._lock:
            if name not in self._generators:
                self._generators[name] = make_generator(self.settings.with_overrides(generator=name))
            return self._generators[name]

    def respond(self, question: str, messages: list[Message], answers: list[dict], backend: str, passages: int,
                since: str = "", until: str = "", request: gr.Request | None = None,
                ) -> Iterator[tuple[object, object, object, str]]:
        """Stream the answer into the chat. The question box is cleared once, when the question is taken, and
        then left alone: a question typed while an answer is written stays in the box until it can be sent."""
        session = getattr(request, "session_hash", None) or "local"
        run = object()
        with self._lock:
            busy = session in self._answering
            if not busy:
                self._answering[session] = run
        if busy:
            untouched = gr.update()
            yield untouched, untouched, untouched, "Still writing the last answer: your question is kept; send it " \
                                                   "when this one is done."
            return
        try:
            for update in self._respond(question, messages, answers, backend, passages, since, until):
                with self._lock:
                    if self._answering.get(session) is not run:
                        return  # Stop was pressed: nothing more of this answer reaches the page ("Stopped." stays)
                yield update
        finally:
            with self._lock:
                if self._answering.get(session) is run:  # a stopped run finishing late frees nothing of a new one
                    del self._answering[session]

    def stop_answer(self, request: gr.Request | None = None) -> str:
        """Stop pressed: the answer being written is cancelled and the next question can be asked at once."""
        with self._lock:
            self._answering.pop(getattr(request, "session_hash", None) or "local", None)
        return "Stopped."

    def _respond(self, question: str, messages: list[Message], answers: list[dict], backend: str, passages: int,
                 since: str, until: str) -> Iterator[tuple[object, object, object, str]]:
        question = (question or "").encode("utf-8", "replace").decode("utf-8").strip()
        if not question:
            yield messages, answers, "", "Type a question first."
            return
        limit = self.settings.max_question_chars
        if len(question) > limit:  # nothing typed is lost: the question stays in the box
            yield (messages, answers, gr.update(), f"Your question is {len(question):,} characters long; the limit is "
                   f"{limit:,} (ASSISTANT_MAX_QUESTION_CHARS). Shorten it and send it again.")
            return
        try:
            dates = {name: date.fromisoformat(value.strip()) for name, value in (("since", since), ("until", until))
                     if value and value.strip()}
        except ValueError:
            yield messages, answers, question, "Dates in Settings must look like 2025-12-20."
            return
        history = [(a["question"], a["text"]) for a in answers]
        turn = len(answers)
        messages = [*messages, {"role": "user", "content": escape_text(question)},
                    {"role": "assistant", "content": "…"}]
        yield messages, answers, "", "Searching the articles…"
        untouched = gr.update()
        written = ""
        try:
            stream = self.assistant.ask_stream(question, history, generator=self.generator_for(backend),
                                               top_k=int(passages), **dates)
            for piece in stream:
                if isinstance(piece, Answer):
                    messages[-1] = {"role": "assistant", "content": render_answer(piece, turn)}
                    answers = [*answers, piece.to_dict()]
                    yield messages, answers, untouched, status_line(piece)
                else:
                    written += piece
                    # numbers only in their final form: the model's own [n] (and a half-written "[3") are hidden
                    shown = PARTIAL_MARKER.sub("", MARKER.sub("", written))
                    messages[-1] = {"role": "assistant", "content": escape_text(shown) + " ▍"}
                    yield messages, answers, untouched, "Writing…"
        except Exception as error:  # the page must always get a message, never a stack trace
            messages[-1] = {"role": "assistant",
                            "content": f'<span class="refusal">Something went wrong: {html.escape(str(error))}</span>'}
            yield messages, answers, untouched, f"Error: {error}"

    def openai_configured(self) -> bool:
        return bool(self.settings.openai_api_key or self.settings.openai_base_url)

    def backends(self) -> list[str]:
        """The backends the page offers: openai only when it is configured."""
        return [g for g in GENERATORS if g != "openai" or self.openai_configured()]

    def restore_conversation(self, kept: dict | None) -> tuple[list[Message], list[dict], str]:
        """What this browser had on screen before a reload (the backend only if still offered)."""
        kept = kept or {}
        backend = str(kept.get("backend") if kept.get("backend") in self.backends() else self.settings.generator)
        return list(kept.get("messages") or []), list(kept.get("answers") or []), backend

    def export_markdown(self, answers: list[dict]) -> str:
        """The conversation as a Markdown file: each question, its answer (or the refusal, why, and the related
        passages) and its numbered quotes. With nothing asked yet, the file says so."""
        lines = ["# Conversation with News Assistant", ""]
        if not answers:
            lines.append("_No questions asked yet._")
        for answer in answers:
            lines += [f"## {answer['question']}", "", answer["text"], ""]
            reason = next((n["message"] for n in answer.get("notes", []) if n.get("kind") == "refused"), "")
            if not answer.get("answered", True) and reason:
                lines += [f"_Why:_ {reason}", ""]
            for citation in answer["citations"]:
                lines.append(_quoted_line(citation))
            if answer.get("related"):
                lines += ["", "Related, but not an answer:"]
                lines += [_quoted_line(citation) for citation in answer["related"]]
            lines += ["", f"_Answered by {answer['generator']}._", ""]
        path = Path(tempfile.mkdtemp(prefix="news-assistant-")) / "conversation.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        return str(path)

    def export_note(self, answers: list[dict]) -> str:
        return f"Exported {len(answers)} question{'s' * (len(answers) != 1)} as Markdown." if answers else \
            "Nothing asked yet: the export says so."

    def filter_chip(self, since: str, until: str) -> tuple[object, object]:
        """The date filter of Settings, shown above the question box while it is on (with a way to remove it)."""
        since, until = (since or "").strip(), (until or "").strip()
        if not since and not until:
            return gr.update(value="", visible=False), gr.update(visible=False)
        span = f"{since} – {until}" if since and until else f"since {since}" if since else f"until {until}"
        return (gr.update(value=f'<span class="filter-chip">Only articles dated {html.escape(span)}</span>',
                          visible=True), gr.update(visible=True))

    # --- sources --------------------------------------------------------------------------------------
    def open_source(self, target: str, answers: list[dict]) -> str:
        match = re.match(r"^(\d+):(\d+)", target or "")
        if not match or int(match.group(1)) >= len(answers):
            return ""
        citations = {c["number"]: c for c in answers[int(match.group(1))]["citations"]}
        citation = citations.get(int(match.group(2)))
        return "" if citation is None else self.source_view(citation)

    def source_view(self, citation: dict, mark_id: str = "cited-quote") -> str:
        """The cited article with the quote highlighted, for a source panel."""
        try:  # the conversation may come back from the browser: its paths are checked like any other
            _, path = article_path(Path(self.settings.docs), str(citation["source"]))
            text = load_within(path, Path(self.settings.docs), self.settings.load_timeout).text
        except FileNotFoundError:
            return (f"<p>{html.escape(citation['source'])} was removed from the library after this answer was "
                    "given; restore it from the trash in the Library tab to see it again.</p>")
        except (BadSource, LoadError) as error:
            return f"<p>{html.escape(str(error))}</p>"
        return render_source(Citation(**citation), text, mark_id)

    # --- library --------------------------------------------------------------------------------------
    def library_rows(self) -> list[list[object]]:
        return [[first.chunk.source, first.metadata.get("title", ""), first.metadata.get("date", ""),
                 first.metadata.get("publisher", ""), count] for first, count in self.assistant.store.articles()]

    def library_table(self) -> str:
        """The library as the Library tab shows it (a table, cards on a phone): an undated article says so."""
        return library_html([[source, title, day or UNDATED, *rest]
                             for source, title, day, *rest in self.library_rows()])

    def upload(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[str, object, str]:  # noqa: B008 (Gradio injects its tracker here)
        if not files:
            return self.library_table(), gr.update(), "Choose one or more .txt, .md, .html or .pdf files."
        progress(0, desc="Indexing")
        messages = self.add_files([Path(f) for f in files], lambda done, total: progress(
            done / max(total, 1), desc="Embedding: the new articles can already be asked about (keyword search)"))
        return self.library_table(), gr.update(choices=self.sources()), "\n".join(messages)

    def add_files(self, paths: list[Path], progress: Progress | None = None) -> list[str]:
        """Copy articles into the documents folder and index them (intake.add_files): a summary line, then one
        line per file not added, renamed, or already in the library."""
        self.assistant.ensure_index()
        return add_files(self.assistant.store, paths, progress)

    def add_urls(self, urls: list[str]) -> list[str]:
        """Fetch pages and add their articles (fetch.py), then index them: a summary line, then one line per page
        added or not."""
        self.assistant.ensure_index()
        messages = []
        for url in (u.strip() for u in urls if u and u.strip()):
            try:
                messages.append(f"{url}: added as {add_url(self.assistant.store, url)}")
            except FetchError as error:
                messages.append(str(error))
        report = self.assistant.ingest()
        return [report.summary(), *messages]

    def fetch(self, url: str) -> tuple[str, object, str]:
        """The Library tab's 'Add from the web'."""
        if not (url or "").strip():
            return self.library_table(), gr.update(), "Paste the address of a news page (https://…)."
        return self.library_table(), gr.update(choices=self.sources()), "\n".join(self.add_urls([url]))

    def live(self, shown: int) -> tuple[object, ...]:
        """What the page shows of the library, when it changed since `shown` (the index version this page last
        showed): the header line, the Library table, the Remove and Trash lists, the example questions."""
        store = self.assistant.store
        store.refresh()  # with a Chroma server: what other processes changed
        version = store.version
        if version == shown:
            return (shown, *(gr.update() for _ in range(5)))
        return (version, self.corpus_summary(), self.library_table(), gr.update(choices=self.sources()),
                gr.update(choices=store.trashed()), gr.Dataset(samples=[[q] for q in self.example_questions()]))

    def ask_to_remove(self, source: str | None) -> tuple[object, str]:
        """The first click only asks: the confirm button appears, naming the file."""
        if not source:
            return gr.update(visible=False), "Pick a file to remove."
        return (gr.update(visible=True, value=f"Yes, move {source} to the trash"),
                f"Remove **{source}** from the library? It goes to the trash and can be restored below.")

    def remove(self, source: str | None) -> tuple[str, object, object, object, str]:
        """Move the file to the trash (restorable) and take it out of the index."""
        hidden = gr.update(visible=False)
        if not source:
            return self.library_table(), gr.update(), hidden, gr.update(), "Pick a file to remove."
        try:
            note = f"Moved {self.assistant.store.remove_file(source)} to the trash; restore it below."
        except (BadSource, FileNotFoundError) as error:
            note = str(error)
        return (self.library_table(), gr.update(choices=self.sources(), value=None), hidden,
                gr.update(choices=self.assistant.store.trashed(), value=None), note)

    def restore(self, entry: str | None) -> tuple[str, object, object, str]:
        if not entry:
            return self.library_table(), gr.update(), gr.update(), "Pick a file in the trash."
        source = self.assistant.store.restore(entry)
        if source is None:
            return self.library_table(), gr.update(), gr.update(), f"{entry} is not in the trash."
        self.assistant.ingest()
        return (self.library_table(), gr.update(choices=self.sources(), value=None),
                gr.update(choices=self.assistant.store.trashed(), value=None), f"Restored {source}.")

    def sources(self) -> list[str]:
        return [first.chunk.source for first, _ in self.assistant.store.articles()]

    def top_names(self, limit: int) -> list[str]:
        """The people the loaded articles name most."""
        return [n.name for n in self._named() if n.label == "PERSON" and " " in n.name][:limit]

    def _named(self) -> list[Named]:
        """Who the library names, read once per version of the index (the summary and the examples need it)."""
        version = self.assistant.store.version
        if self._names is None or self._names[0] != version:
            self._names = (version, named_in(self.assistant.store.catalog))
        return self._names[1]

    def example_questions(self, limit: int = 4) -> list[str]:
        """Questions the loaded articles answer: each asked first (model-free), and kept only when its own answer
        answers it. Found once per version of the index, however many pages are open."""
        key = (self.assistant.store.version, limit)
        if self._examples is None or self._examples[0] != key:
            self._examples = (key, self._answered_examples(limit))
        return self._examples[1]

    def _answered_examples(self, limit: int) -> list[str]:
        extractive = self.generator_for("extractive")
        found: list[str] = []
        for named in self._named():
            question = question_about(named)
            if len(found) >= limit or question is None:
                continue
            answer = final_answer(self.assistant.ask_stream(question, generator=extractive))
            if answer.answered and answers_itself(named, answer.text, [c.quote for c in answer.citations]):
                found.append(question)
        return found

    def corpus_summary(self) -> str:
        """'2 articles · Dec 20, 2025 · Kirill Dmitriev, Steve Witkoff': what the chat answers from."""
        first = {indexed.chunk.source: indexed.metadata for indexed, _ in self.assistant.store.articles()}
        if not first:
            return "No articles yet: add some in the Library tab."
        days = sorted(d for m in first.values() if (d := article_date(m.get("date"))))
        parts = [f"{len(first)} article" + ("s" if len(first) != 1 else "")]
        if days:
            span = day_label(days[0]) if days[0] == days[-1] else f"{day_label(days[0])} – {day_label(days[-1])}"
            parts.append(span + (f" ({len(first) - len(days)} undated)" if len(days) < len(first) else ""))
        if names := self.top_names(3):
            parts.append(", ".join(names))
        return " · ".join(parts)


def _quoted_line(citation: dict) -> str:
    details = ", ".join(x for x in (citation["title"], citation.get("publisher"), citation.get("date"), citation.get(
        "url")) if x)
    return (f"[{citation['number']}] {citation['source']} ({details}), characters "
            f"{citation['start']}–{citation['end']}: > {citation['quote']}")


def warm_up(generator: Generator) -> None:
    """Start the model server while the page loads, so the first question does not wait for it."""
    try:
        getattr(generator, "client", None)
    except Exception as error:  # reported again, with the fallback, when a question is asked
        logging.getLogger(__name__).warning("model backend not ready: %s", error)


def build_ui(app: ChatApp) -> gr.Blocks:
    with gr.Blocks(title="News Assistant") as page:
        answers = gr.State([])
        saved = gr.BrowserState({}, storage_key="news-assistant-conversation")  # survives a reload
        gr.Markdown("## News Assistant\nAnswers from your articles only — every claim cited to its passage.")
        corpus = gr.Markdown(app.corpus_summary(), elem_id="corpus")
        with gr.Tabs():
            with gr.Tab("Chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(elem_id="chat", height=520, sanitize_html=True, buttons=["copy"],
                                          placeholder="Ask about the articles in the library.")
                        with gr.Row():
                            question = gr.Textbox(elem_id="question", placeholder="Ask a question…",
                                                  show_label=False, scale=5)
                            send = gr.Button("Ask", variant="primary", elem_id="ask", scale=1)
                            stop = gr.Button("Stop", elem_id="stop", scale=1)
                        limit = app.settings.max_question_chars
                        gr.HTML(f'<span id="question-count" class="question-count" title="{limit}" '
                                f'data-limit="{limit}">0 / {limit:,} characters</span>')
                        gr.Button("Go to the sources of the latest answer", elem_id="to-sources", size="sm")
                        with gr.Row():
                            date_filter = gr.HTML("", visible=False, elem_id="date-filter")
                            clear_filter = gr.Button("Remove the date filter", size="sm", visible=False,
                                                     elem_id="clear-filter")
                        with gr.Row():
                            new_chat = gr.Button("New chat", size="sm", elem_id="new-chat")
                            export = gr.DownloadButton("Export as Markdown", size="sm", elem_id="export")
                        examples = gr.Dataset(components=[gr.Textbox(visible=False)], label="Try",
                                              samples=[[q] for q in app.example_questions()], elem_id="examples")
                        status = gr.Markdown(elem_id="status")
                    with gr.Column(scale=2):
                        source = gr.HTML(NO_SOURCE, elem_id="source-panel", elem_classes=["source-panel"])
                cite_target = gr.Textbox(elem_id="cite-target", visible="hidden")
                cite_open = gr.Button(elem_id="cite-open", visible="hidden")
            build_newsroom_tabs(NewsroomTabs(app.assistant, app.source_view), SCROLL_TO_QUOTE)
            with gr.Tab("Library"):
                table = gr.HTML(app.library_table(), elem_id="library")
                uploads = gr.File(file_count="multiple", file_types=list(SUPPORTED_SUFFIXES), elem_id="upload",
                                  label="Add articles (.txt, .md, .html, .pdf)")
                with gr.Row():
                    address = gr.Textbox(label="Add from the web", placeholder="https://… (a news page)",
                                         elem_id="add-url", scale=5)
                    fetch = gr.Button("Fetch and add", elem_id="fetch", scale=1)
                with gr.Row():
                    to_remove = gr.Dropdown(app.sources(), value=None, label="Remove a file",
                                            elem_id="remove-choice")
                    remove = gr.Button("Remove…", elem_id="remove")
                    confirm_remove = gr.Button("Yes, move it to the trash", variant="stop", visible=False,
                                               elem_id="confirm-remove")
                with gr.Row():
                    in_trash = gr.Dropdown(app.assistant.store.trashed(), value=None, label="Trash",
                                           elem_id="trash-choice")
                    restore = gr.Button("Restore", elem_id="restore")
                library_status = gr.Markdown(elem_id="library-status")
            with gr.Tab("Settings"):
                backend = gr.Radio(app.backends(), value=app.settings.generator, label="Answer backend",
                                   elem_id="backend", info=None if app.openai_configured()
                                   else "openai: set OPENAI_API_KEY or OPENAI_BASE_URL")
                passages = gr.Slider(1, 12, value=app.settings.top_k, step=1, label="Passages retrieved")
                with gr.Row():
                    since = gr.Textbox(label="Articles published since (YYYY-MM-DD)", elem_id="since")
                    until = gr.Textbox(label="… until (YYYY-MM-DD)", elem_id="until")
        inputs = [question, chat, answers, backend, passages, since, until]
        outputs = [chat, answers, question, status]
        remember = (lambda messages, given, chosen: {"messages": messages, "answers": given, "backend": chosen},
                    [chat, answers, backend], saved)
        asked = [send.click(app.respond, inputs, outputs), question.submit(app.respond, inputs, outputs),
                 examples.click(lambda sample: sample[0], examples, question).then(  # an example is asked at once
                     app.respond, inputs, outputs)]
        for event in asked:  # after each answer: remember the chat, and have the export ready to download
            event.then(*remember).then(app.export_markdown, answers, export)
        backend.change(*remember)
        page.load(app.restore_conversation, saved, [chat, answers, backend]).then(app.export_markdown, answers, export)
        new_chat.click(lambda: ([], [], "New chat: ask away.", {}, NO_SOURCE), None,
                       [chat, answers, status, saved, source])
        export.click(app.export_note, answers, status)
        for box in (since, until):
            box.change(app.filter_chip, [since, until], [date_filter, clear_filter])
        clear_filter.click(lambda: ("", ""), None, [since, until])

        stop.click(app.stop_answer, None, status, cancels=asked)
        cite_open.click(app.open_source, [cite_target, answers], source).then(None, js=SCROLL_TO_QUOTE)

        def refreshed() -> tuple[str, object]:
            return app.corpus_summary(), gr.Dataset(samples=[[q] for q in app.example_questions()])

        # the library as it is now, for every visitor and after every reload, then whenever it changes
        shown = gr.State(-1)
        library_view = [shown, corpus, table, to_remove, in_trash, examples]
        page.load(app.live, shown, library_view)
        gr.Timer(LIVE_SECONDS).tick(app.live, shown, library_view, show_progress="hidden")
        fetch.click(app.fetch, address, [table, to_remove, library_status]).then(refreshed, None, [corpus, examples])

        uploads.upload(app.upload, uploads, [table, to_remove, library_status]).then(
            refreshed, None, [corpus, examples])
        remove.click(app.ask_to_remove, to_remove, [confirm_remove, library_status])
        to_remove.change(lambda _: gr.update(visible=False), to_remove, confirm_remove)
        confirm_remove.click(app.remove, to_remove, [table, to_remove, confirm_remove, in_trash, library_status]).then(
            refreshed, None, [corpus, examples])
        restore.click(app.restore, in_trash, [table, to_remove, in_trash, library_status]).then(
            refreshed, None, [corpus, examples])
    return page
