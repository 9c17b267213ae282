"""The web UI's newsroom tabs: check a draft, a story's timeline, the digest of a span of days, who said what.

Each tab shows its result with citation chips that open the tab's own source panel (the exact span highlighted),
and offers the result as Markdown. Text from articles and drafts is escaped: it is data, never markup.
"""

from __future__ import annotations

import html
import re
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import gradio as gr

from ..answering.cite import Citation
from ..newsroom.check import VERDICT_WORDS, DraftCheck
from ..newsroom.digest import Digest
from ..newsroom.quotes import Statements
from ..newsroom.timeline import Timeline
from ..pipeline import Assistant, check_draft, digest, timeline, who_said
from .render import NO_SOURCE, citation_chip, day_label

TOOLS = ("check", "timeline", "digest", "quotes")
QUOTE_MARKS = "\"“”'‘’ "  # the quote is shown between marks of the page's own
DIFFERS_WORDS = {"figure": "a figure", "date": "a date", "name": "a name", "negation": "a negation",
                 "role": "who did what", "number": "a figure"}


def panel_id(tool: str) -> str:
    return f"source-panel-{tool}"


def chips(tool: str, citations: list[Citation]) -> str:
    return "".join(citation_chip(tool, c) for c in citations)


def draft_html(check: DraftCheck) -> str:
    """The draft as written, each sentence coloured by its verdict and followed by its chips; what differs said."""
    counts = " · ".join(f"{n} {VERDICT_WORDS[v]}" for v, n in check.counts().items())
    parts = [f'<p class="check-counts">{counts} · {check.seconds:.1f} s</p><div class="checked-draft">']
    for sentence in check.sentences:
        what = VERDICT_WORDS[sentence.verdict]
        if sentence.differs:
            what += f": {DIFFERS_WORDS.get(sentence.differs, sentence.differs)} differs"
        parts.append(f'<span class="verdict verdict-{sentence.verdict}" title="{html.escape(what)}">'
                     f"{html.escape(sentence.text)}</span>"
                     f'<span class="verdict-label">({html.escape(what)})</span>{chips("check", sentence.citations)} ')
    parts.append("</div>")
    return "".join(parts)


def timeline_html(result: Timeline) -> str:
    if not result.lines:
        return f"<p>{html.escape(' '.join(result.notes) or 'No dated events found for this story.')}</p>"
    rows = [f'<p class="check-counts">{len(result.lines)} events from {result.articles} articles · '
            f"{result.seconds:.1f} s</p><ol class=\"timeline\">"]
    for line in result.lines:
        when = html.escape(line.when) + ("" if line.stated else ' <span class="article-date">(article date)</span>')
        differs = (f' <span class="differs">the sources differ on the {html.escape(line.differs)}</span>'
                   if line.differs else "")
        rows.append(f"<li><strong>{when}</strong> {html.escape(line.text)} {chips('timeline', line.citations)}"
                    f"{differs}</li>")
    rows.append("</ol>")
    return "".join(rows) + "".join(f"<p>{html.escape(note)}</p>" for note in result.notes)


def digest_html(result: Digest) -> str:
    count = f"{len(result.stories)} stor{'ies' if len(result.stories) != 1 else 'y'}"
    rows = [f'<p class="check-counts">{count} · {result.seconds:.1f} s</p><ol class="digest">']
    for story in result.stories:
        titles = "; ".join(f"{html.escape(a.title or a.source)} ({day_label(a.date)})" for a in story.articles)
        rows.append(f"<li><strong>{day_label(story.newest)}</strong> {html.escape(story.summary)} "
                    f"{chips('digest', [story.citation])}<div class=\"story-articles\">{titles}</div></li>")
    rows.append("</ol>")
    notes = list(result.notes)
    if result.undated:
        notes.append(f"{result.undated} undated article{'s' * (result.undated != 1)} cannot be placed in a span of "
                     "days.")
    return "".join(rows) + "".join(f"<p>{html.escape(note)}</p>" for note in notes)


def quotes_html(result: Statements) -> str:
    if not result.statements:
        return f"<p>{html.escape(' '.join(result.notes) or 'No statements found.')}</p>"
    count, articles = len(result.statements), result.articles
    rows = [f'<p class="check-counts">{count} statement{"s" * (count != 1)} from {articles} '
            f'article{"s" * (articles != 1)} · {result.seconds:.1f} s</p><ol class="quotes">']
    for s in result.statements:
        named = (f' <span class="named-as">(“{html.escape(s.named_as)}” in the article)</span>'
                 if s.named_as != s.speaker else "")
        when = html.escape(s.day.isoformat()) if s.day else "undated"
        rows.append(f"<li><strong>{html.escape(s.speaker)}</strong>{named}, {when}: "
                    f"<q>{html.escape(s.citation.quote.strip(QUOTE_MARKS))}</q> {chips('quotes', [s.citation])}</li>")
    rows.append("</ol>")
    return "".join(rows)


def markdown_file(name: str, text: str) -> str:
    path = Path(tempfile.mkdtemp(prefix="news-assistant-")) / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _dates(since: str, until: str) -> tuple[date | None, date | None]:
    """Dates typed as YYYY-MM-DD (empty: none); ValueError with the expected form otherwise."""
    try:
        first, last = (date.fromisoformat(v.strip()) if v and v.strip() else None for v in (since, until))
    except ValueError:
        raise ValueError("Dates must look like 2025-12-20.") from None
    return first, last


def _shown(run: Callable[[], Any], view: Callable[[Any], str], cited: Callable[[Any], list[Citation]],
           filename: str) -> tuple[str, list[dict], object, str]:
    """A tab's outputs: the result as HTML, its citations (for the chips), its Markdown export, a cleared source
    panel; a bad input is said in the result's place."""
    try:
        result = run()
    except ValueError as error:
        return f'<p class="refusal">{html.escape(str(error))}</p>', [], gr.update(visible=False), NO_SOURCE
    return (view(result), [c.to_dict() for c in cited(result)],
            gr.update(value=markdown_file(filename, result.markdown()), visible=True), NO_SOURCE)


class NewsroomTabs:
    """The handlers of the three tabs; plain methods, testable without a browser. `source_view` renders a
    citation's source for a panel (the chat's own viewer)."""

    def __init__(self, assistant: Assistant, source_view: Callable[[dict, str], str]) -> None:
        self.assistant = assistant
        self.source_view = source_view

    def check(self, text: str) -> tuple[str, list[dict], object, str]:
        return _shown(lambda: check_draft(text, assistant=self.assistant), draft_html,
                      lambda r: [c for s in r.sentences for c in s.citations], "checked-draft.md")

    def timeline(self, topic: str, since: str, until: str) -> tuple[str, list[dict], object, str]:
        def run() -> Timeline:
            first, last = _dates(since, until)
            return timeline(topic, since=first, until=last, assistant=self.assistant)

        return _shown(run, timeline_html, lambda r: [c for line in r.lines for c in line.citations], "timeline.md")

    def digest(self, since: str, until: str) -> tuple[str, list[dict], object, str]:
        def run() -> Digest:
            first, last = _dates(since, until)
            return digest(first, last, assistant=self.assistant)

        return _shown(run, digest_html, lambda r: [s.citation for s in r.stories], "digest.md")

    def quotes(self, speaker: str, since: str, until: str) -> tuple[str, list[dict], object, str]:
        def run() -> Statements:
            first, last = _dates(since, until)
            return who_said(speaker, since=first, until=last, assistant=self.assistant)

        return _shown(run, quotes_html, lambda r: [s.citation for s in r.statements], "who-said-what.md")

    def open_source(self, tool: str, target: str, cited: list[dict]) -> str:
        match = re.match(r"^\d+:(\d+)", target or "")
        citation = next((c for c in cited if match and c["number"] == int(match.group(1))), None)
        return self.source_view(citation, f"cited-quote-{tool}") if citation else ""


def build_newsroom_tabs(tabs: NewsroomTabs, scroll_js: str) -> None:
    """The Check a draft, Timeline, Digest and Who said what tabs, inside the page's gr.Tabs."""
    today = date.today()
    with gr.Tab("Check a draft"):
        with gr.Row():
            with gr.Column(scale=3):
                draft = gr.Textbox(lines=8, label="Your draft", elem_id="draft",
                                   placeholder="Paste a paragraph: each sentence is checked against the articles.")
                check = gr.Button("Check the draft", variant="primary", elem_id="check")
                checked, check_export = _result_area("checked", "check-export")
            check_panel = _source_column("check")
        check_cited = _sources_of(tabs, "check", check_panel, scroll_js)
    _ranged_tab(tabs, "timeline", "Timeline", gr.Textbox(label="Story", placeholder="the Florida talks",
                                                          elem_id="topic", render=False),
                gr.Button("Show the timeline", variant="primary", elem_id="make-timeline", render=False),
                tabs.timeline, scroll_js)
    with gr.Tab("Digest"):
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Row():
                    d_since = gr.Textbox(str(today - timedelta(days=6)), label="Since (YYYY-MM-DD)",
                                         elem_id="digest-since")
                    d_until = gr.Textbox(str(today), label="Until", elem_id="digest-until")
                make_digest = gr.Button("Show the digest", variant="primary", elem_id="make-digest")
                shown_digest, digest_export = _result_area("digest", "digest-export")
            digest_panel = _source_column("digest")
        digest_cited = _sources_of(tabs, "digest", digest_panel, scroll_js)
    _ranged_tab(tabs, "quotes", "Who said what", gr.Textbox(label="Person or organisation", placeholder="Witkoff",
                                                             elem_id="speaker", render=False),
                gr.Button("Show what they said", variant="primary", elem_id="find-quotes", render=False),
                tabs.quotes, scroll_js)

    check.click(tabs.check, draft, [checked, check_cited, check_export, check_panel])
    make_digest.click(tabs.digest, [d_since, d_until], [shown_digest, digest_cited, digest_export, digest_panel])


def _ranged_tab(tabs: NewsroomTabs, tool: str, title: str, query: gr.Textbox, run: gr.Button,
                handler: Callable[[str, str, str], tuple[str, list[dict], object, str]], scroll_js: str) -> None:
    """A tab that asks for one thing (a story, a speaker) and an optional span of days, and shows the result with
    its source panel; the button or Enter in the box runs it."""
    with gr.Tab(title):
        with gr.Row():
            with gr.Column(scale=3):
                query.render()
                with gr.Row():
                    since = gr.Textbox(label="Since (YYYY-MM-DD, optional)", elem_id=f"{tool}-since")
                    until = gr.Textbox(label="Until (optional)", elem_id=f"{tool}-until")
                run.render()
                shown, export = _result_area(tool, f"{tool}-export")
            panel = _source_column(tool)
        cited = _sources_of(tabs, tool, panel, scroll_js)
    outputs = [shown, cited, export, panel]
    run.click(handler, [query, since, until], outputs)
    query.submit(handler, [query, since, until], outputs)


def _result_area(result_id: str, export_id: str) -> tuple[gr.HTML, gr.DownloadButton]:
    return (gr.HTML(elem_id=result_id),
            gr.DownloadButton("Export as Markdown", visible=False, size="sm", elem_id=export_id))


def _source_column(tool: str) -> gr.HTML:
    with gr.Column(scale=2):
        return gr.HTML(NO_SOURCE, elem_id=panel_id(tool), elem_classes=["source-panel"])


def _sources_of(tabs: NewsroomTabs, tool: str, panel: gr.HTML, scroll_js: str) -> gr.State:
    """The tab's citations (a State) and what a chip click writes to (the hidden box) and presses (the hidden
    button), which opens the source in the tab's panel."""
    cited = gr.State([])
    target = gr.Textbox(elem_id=f"cite-target-{tool}", visible="hidden")
    opener = gr.Button(elem_id=f"cite-open-{tool}", visible="hidden")
    opener.click(lambda t, c: tabs.open_source(tool, t, c), [target, cited], panel).then(None, js=scroll_js)
    return cited
