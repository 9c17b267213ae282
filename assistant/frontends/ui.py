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
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from an offline tool

import gradio as gr

from ..answering.answer import CANNOT_ANSWER, Answer, Generator, NoteKind, final_answer
from ..answering.cite import MARKER, Citation
from ..lexicon import SPEECH_VERBS
from ..library.index import Progress
from ..library.intake import add_files
from ..library.load import SUPPORTED_SUFFIXES, BadSource, LoadError, article_path, load_within
from ..pipeline import Assistant, make_generator
from ..settings import Settings
from ..text import STOPWORDS, capitalised_phrases, sentence_spans
from ..timeframe import article_date

GENERATORS = ["auto", "extractive", "local", "openai"]
UNDATED = "undated"  # shown for an article that states no publication date (none is ever guessed)
NAME_SAMPLE = 1000  # chunks read for the names the summary and example questions show (all, in smaller corpora)
SPEECH = re.compile(rf"\b({'|'.join(SPEECH_VERBS)})\b")
PARTIAL_MARKER = re.compile(r"\s*\[[\d,\s]*$")  # a marker still being written at the end of the stream
Message = dict[str, str]

CSS = """
.cite-chip { display:inline-block; padding:0 6px; margin:0 1px; border-radius:9px; cursor:pointer;
  background:#dbeafe; color:#1e3a8a; font-size:0.85em; font-weight:600; border:1px solid #93c5fd; }
.cite-chip:hover { background:#bfdbfe; }
.refusal { color:#92400e; background:#fef3c7; padding:4px 8px; border-radius:6px; display:inline-block; }
.answer-sources { font-size:0.85em; color:#4b5563; margin-top:6px; }
.answer-meta { font-size:0.75em; color:#6b7280; margin-top:4px; }
.refusal-reason { font-size:0.9em; color:#78350f; margin-top:4px; }
.related { font-size:0.85em; color:#4b5563; margin-top:6px; }
.file-name { font-size:0.85em; color:#9ca3af; }
button.cite-chip { font-family:inherit; line-height:1.2; }
.close-panel { display:none; }
@media (max-width: 760px) {
  #source-panel { display:none; }
  #source-panel.open { display:block; position:fixed; left:0; right:0; bottom:0; max-height:75vh; overflow-y:auto;
    z-index:1000; background:#fff; border-top:2px solid #93c5fd; padding:12px; box-shadow:0 -4px 16px #0003; }
  .close-panel { display:inline-block; float:right; padding:4px 10px; border:1px solid #9ca3af; border-radius:6px;
    background:#f3f4f6; }
}
.sr-only { position:absolute; width:1px; height:1px; padding:0; margin:-1px; overflow:hidden; clip:rect(0,0,0,0);
  white-space:nowrap; border:0; }
.cite-chip:focus { outline:2px solid #1d4ed8; outline-offset:1px; }
.source-text { white-space:pre-wrap; max-height:520px; overflow-y:auto; font-size:0.92em; line-height:1.5;
  border:1px solid #e5e7eb; padding:10px; border-radius:6px; }
.source-text mark { background:#fde68a; padding:1px 0; }
"""

# A click on a chip writes "turn:number" into the hidden box, which tells Python to open that source.
CHIP_CLICKS = r"""
() => {
  document.addEventListener('click', (event) => {
    if (event.target.closest('.close-panel')) {
      document.querySelector('#source-panel')?.classList.remove('open');
      return;
    }
    const chip = event.target.closest('.cite-chip');
    if (!chip) return;
    document.querySelector('#source-panel')?.classList.add('open');  // a drawer on narrow screens
    const box = document.querySelector('#cite-target textarea');
    if (!box) return;
    const found = /cite-t(\d+)-n(\d+)/.exec(chip.className);
    if (!found) return;
    box.value = found[1] + ':' + found[2] + ':' + Date.now();
    box.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(() => document.querySelector('#cite-open')?.click(), 50);
  });
}
"""
SCROLL_TO_QUOTE = ("() => { const m = document.getElementById('cited-quote'); "
                   "if (m) m.scrollIntoView({block: 'center'}); }")


class ChatApp:
    """The handlers behind the page; plain methods so they can be tested without a browser."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.assistant = Assistant(settings)
        self._generators: dict[str, Generator] = {settings.generator: self.assistant.generator}
        self._lock = threading.Lock()
        self._answering: dict[str, object] = {}  # browser session → the answer run being written for it
        self._names: tuple[int, tuple[Counter[str], set[str]]] | None = None  # (index version, name counts)

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
            yield from self._respond(question, messages, answers, backend, passages, since, until)
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
        try:
            dates = {name: date.fromisoformat(value.strip()) for name, value in (("since", since), ("until", until))
                     if value and value.strip()}
        except ValueError:
            yield messages, answers, question, "Dates in Settings must look like 2025-12-20."
            return
        history = [(a["question"], a["text"]) for a in answers]
        turn = len(answers)
        messages = [*messages, {"role": "user", "content": html.escape(question)},
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
                    messages[-1] = {"role": "assistant", "content": html.escape(shown) + " ▍"}
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

    def export_markdown(self, answers: list[dict]) -> str | None:
        """The conversation as a Markdown file: each question, its answer and its numbered quotes."""
        if not answers:
            return None
        lines = ["# Conversation with News Assistant", ""]
        for answer in answers:
            lines += [f"## {answer['question']}", "", answer["text"], ""]
            for citation in answer["citations"]:
                details = ", ".join(x for x in (citation["title"], citation.get("publisher"), citation.get("date"))
                                    if x)
                lines.append(f"[{citation['number']}] {citation['source']} ({details}), characters "
                             f"{citation['start']}–{citation['end']}: > {citation['quote']}")
            lines += ["", f"_Answered by {answer['generator']}._", ""]
        path = Path(tempfile.mkdtemp(prefix="news-assistant-")) / "conversation.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        return str(path)

    # --- sources --------------------------------------------------------------------------------------
    def open_source(self, target: str, answers: list[dict]) -> str:
        match = re.match(r"^(\d+):(\d+)", target or "")
        if not match or int(match.group(1)) >= len(answers):
            return ""
        citations = {c["number"]: c for c in answers[int(match.group(1))]["citations"]}
        citation = citations.get(int(match.group(2)))
        if citation is None:
            return ""
        try:  # the conversation may come back from the browser: its paths are checked like any other
            _, path = article_path(Path(self.settings.docs), str(citation["source"]))
            text = load_within(path, Path(self.settings.docs), self.settings.load_timeout).text
        except FileNotFoundError:
            return (f"<p>{html.escape(citation['source'])} was removed from the library after this answer was "
                    "given; restore it from the trash in the Library tab to see it again.</p>")
        except (BadSource, LoadError) as error:
            return f"<p>{html.escape(str(error))}</p>"
        return render_source(Citation(**citation), text)

    # --- library --------------------------------------------------------------------------------------
    def library_rows(self) -> list[list[object]]:
        return [[first.chunk.source, first.metadata.get("title", ""), first.metadata.get("date", ""),
                 first.metadata.get("publisher", ""), count] for first, count in self.assistant.store.articles()]

    def library_table(self) -> list[list[object]]:
        """The library as the Library tab shows it: an article that states no date says so."""
        return [[source, title, day or UNDATED, *rest] for source, title, day, *rest in self.library_rows()]

    def upload(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[list, object, str]:  # noqa: B008 (Gradio injects its tracker here)
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

    def ask_to_remove(self, source: str | None) -> tuple[object, str]:
        """The first click only asks: the confirm button appears, naming the file."""
        if not source:
            return gr.update(visible=False), "Pick a file to remove."
        return (gr.update(visible=True, value=f"Yes, move {source} to the trash"),
                f"Remove **{source}** from the library? It goes to the trash and can be restored below.")

    def remove(self, source: str | None) -> tuple[list, object, object, object, str]:
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

    def restore(self, entry: str | None) -> tuple[list, object, object, str]:
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
        """The people the loaded articles mention most."""
        return [name for name, _ in self._name_counts()[0].most_common(limit)]

    def _name_counts(self) -> tuple[Counter[str], set[str]]:
        """How often each name appears in a sentence, and the names some sentence has saying something; read
        once per version of the index (the summary and the examples both need it)."""
        version = self.assistant.store.version
        if self._names is None or self._names[0] != version:
            self._names = (version, self._count_names())
        return self._names[1]

    def _count_names(self) -> tuple[Counter[str], set[str]]:
        names: Counter[str] = Counter()
        speaking: set[str] = set()
        for indexed in self.assistant.store.catalog.spread(NAME_SAMPLE):
            for sentence in sentence_spans(indexed.chunk.text):
                if sentence.text[-1:] not in ".!?\"\u201d":  # headings are no sentences
                    continue
                found = [p for p in capitalised_phrases(sentence.text) if looks_like_a_name(p)]
                names.update(found)
                if SPEECH.search(sentence.text):
                    speaking.update(found)
        return names, speaking

    def example_questions(self, limit: int = 4) -> list[str]:
        """Questions the loaded articles answer (each is asked first, model-free, and kept only if answered)."""
        extractive = self.generator_for("extractive")
        names, speaking = self._name_counts()
        found: list[str] = []
        for name, _ in names.most_common(limit * 2):
            question = f"What did {name} say?" if name in speaking else f"Who is {name}?"
            if len(found) < limit and final_answer(self.assistant.ask_stream(question, generator=extractive)).answered:
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
            span = _day(days[0]) if days[0] == days[-1] else f"{_day(days[0])} – {_day(days[-1])}"
            parts.append(span + (f" ({len(first) - len(days)} undated)" if len(days) < len(first) else ""))
        if names := self.top_names(3):
            parts.append(", ".join(names))
        return " · ".join(parts)


def _day(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def render_answer(answer: Answer, turn: int) -> str:
    """The answer with a chip per citation, its sources grouped by article, and which backend wrote it."""
    badge = (f'<div class="answer-meta">{html.escape(answer.generator)} · '
             f'{answer.timings.get("total", 0.0):.1f} s</div>')
    if not answer.answered:
        return render_refusal(answer) + badge
    by_number = {c.number: c for c in answer.citations}

    def chip(match: re.Match[str]) -> str:
        return "".join(citation_chip(turn, by_number[int(n)]) for n in re.findall(r"\d+", match.group(0))
                       if int(n) in by_number)

    body = MARKER.sub(chip, html.escape(answer.text))
    articles: dict[str, list[Citation]] = {}
    for citation in answer.citations:
        articles.setdefault(citation.source, []).append(citation)
    sources = "<br>".join(
        "".join(citation_chip(turn, c) for c in cited) + " " + describe_article(cited[0])
        for cited in articles.values())
    return f'{body}<div class="answer-sources"><b>Sources</b><br>{sources}</div>{badge}'

def render_refusal(answer: Answer) -> str:
    """The refusal, why in plain words, and the closest passages, plainly marked as not an answer."""
    why = next((n.message for n in answer.notes if n.kind == NoteKind.REFUSED), "")
    parts = [f'<span class="refusal">{html.escape(CANNOT_ANSWER)}</span>']
    if why:
        parts.append(f'<div class="refusal-reason">{html.escape(why)}</div>')
    if answer.related:
        quotes = "".join(f"<li>\u201c{html.escape(c.quote)}\u201d — {describe_article(c)}</li>"
                         for c in answer.related)
        parts.append(f'<div class="related"><b>Related, but not an answer:</b><ul>{quotes}</ul></div>')
    return "".join(parts)


def describe_article(citation: Citation) -> str:
    """Title · publisher · date, then the file name, smaller."""
    details = " · ".join(html.escape(x) for x in (citation.title or citation.source, citation.publisher,
                                                  citation.date or UNDATED) if x)
    return f'{details} <span class="file-name">({html.escape(citation.source)})</span>'


def citation_chip(turn: int, citation: Citation) -> str:
    """A focusable button naming its source; hovering or focusing it previews the quote and the date."""
    # the page's sanitiser keeps classes but strips data- attributes, so the chip's target is in its class
    preview = citation.quote if len(citation.quote) <= 200 else citation.quote[:197].rstrip() + "…"
    dated = f" (article of {citation.date})" if citation.date else f" ({UNDATED} article)"
    label = f"Source {citation.number}: {citation.title or citation.source}"
    # the sanitiser also drops aria- attributes: the accessible name is visually hidden text inside the button
    return (f'<button type="button" class="cite-chip cite-t{turn}-n{citation.number}" '
            f'title="\u201c{html.escape(preview)}\u201d{html.escape(dated)}">'
            f'[{citation.number}]<span class="sr-only"> {html.escape(label)}</span></button>')


def render_source(citation: Citation, text: str) -> str:
    before, quote, after = text[:citation.start], text[citation.start:citation.end], text[citation.end:]
    details = " · ".join(html.escape(x) for x in (citation.source, citation.date or UNDATED, citation.publisher) if x)
    return ('<button type="button" class="close-panel">Close</button>'
            f"<h3>{html.escape(citation.title or citation.source)}</h3><p>{details}</p>"
            f'<div class="source-text">{html.escape(before)}<mark id="cited-quote">{html.escape(quote)}</mark>'
            f"{html.escape(after)}</div>")


def looks_like_a_name(phrase: str) -> bool:
    words = phrase.split()
    return len(words) == 2 and all(w.isalpha() and len(w) > 2 and w.lower() not in STOPWORDS for w in words)


def status_line(answer: Answer) -> str:
    timing = answer.timings.get("total", 0.0)
    notes = f" · {'; '.join(n.message for n in answer.notes[:2])}" if answer.notes else ""
    return f"Answered by: {answer.generator} · {timing:.1f} s{notes}"


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
                        with gr.Row():
                            new_chat = gr.Button("New chat", size="sm", elem_id="new-chat")
                            export = gr.DownloadButton("Export as Markdown", size="sm", elem_id="export")
                        examples = gr.Dataset(components=[gr.Textbox(visible=False)], label="Try",
                                              samples=[[q] for q in app.example_questions()], elem_id="examples")
                        status = gr.Markdown(elem_id="status")
                    with gr.Column(scale=2):
                        source = gr.HTML("<p>Click a citation to see its source.</p>", elem_id="source-panel")
                cite_target = gr.Textbox(elem_id="cite-target", visible="hidden")
                cite_open = gr.Button(elem_id="cite-open", visible="hidden")
            with gr.Tab("Library"):
                table = gr.Dataframe(app.library_table(), headers=["file", "title", "date", "publisher", "chunks"],
                                     interactive=False, elem_id="library", wrap=True,
                                     column_widths=["24%", "40%", "12%", "16%", "8%"])
                uploads = gr.File(file_count="multiple", file_types=list(SUPPORTED_SUFFIXES), elem_id="upload",
                                  label="Add articles (.txt, .md, .html, .pdf)")
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
        new_chat.click(lambda: ([], [], "New chat: ask away.", {}), None, [chat, answers, status, saved])

        stop.click(app.stop_answer, None, status, cancels=asked)
        cite_open.click(app.open_source, [cite_target, answers], source).then(None, js=SCROLL_TO_QUOTE)

        def refreshed() -> tuple[str, object]:
            return app.corpus_summary(), gr.Dataset(samples=[[q] for q in app.example_questions()])

        uploads.upload(app.upload, uploads, [table, to_remove, library_status]).then(
            refreshed, None, [corpus, examples])
        remove.click(app.ask_to_remove, to_remove, [confirm_remove, library_status])
        to_remove.change(lambda _: gr.update(visible=False), to_remove, confirm_remove)
        confirm_remove.click(app.remove, to_remove, [table, to_remove, confirm_remove, in_trash, library_status]).then(
            refreshed, None, [corpus, examples])
        restore.click(app.restore, in_trash, [table, to_remove, in_trash, library_status]).then(
            refreshed, None, [corpus, examples])
    return page
