"""What the web UI shows, as HTML: answers with their citation chips, refusals with their reasons, the source
panel, the library. Article text is always escaped (HTML, and Markdown too, since the chat renders Markdown):
it is data, never markup.
"""

from __future__ import annotations

import html
import re
from datetime import date

from ..answering.answer import CANNOT_ANSWER, Answer
from ..answering.cite import MARKER, Citation

UNDATED = "undated"  # shown for an article that states no publication date (none is ever guessed)
NO_SOURCE = "<p>Click a citation to see its source.</p>"  # an empty source panel

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
  .block.source-panel { display:none; }
  .block.source-panel.open { display:block; position:fixed; left:0; right:0; bottom:0; max-height:75vh; overflow-y:auto;
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
.cite-chip { position:relative; }
.chip-preview { display:none; position:absolute; left:0; top:1.6em; z-index:50; width:min(22rem, 80vw);
  white-space:normal; text-align:left; font-weight:400; font-size:0.85rem; color:#111827; background:#fff;
  border:1px solid #93c5fd; border-radius:6px; padding:6px 8px; box-shadow:0 4px 12px #0002; }
.cite-chip:hover .chip-preview, .cite-chip:focus .chip-preview { display:block; }
#to-sources { position:absolute; left:-9999px; }
#to-sources:focus-within, #to-sources:focus { position:static; left:auto; }
.question-count { font-size:0.8em; color:#6b7280; }
.question-count.over { color:#b91c1c; font-weight:600; }
.filter-chip { display:inline-block; background:#ecfdf5; color:#065f46; border:1px solid #6ee7b7; border-radius:12px;
  padding:2px 10px; font-size:0.85em; }
.verdict { padding:1px 2px; border-radius:3px; }
.verdict-supported { background:#dcfce7; }
.verdict-contradicted { background:#fee2e2; text-decoration:underline wavy #b91c1c; }
.verdict-not_found { background:#f3f4f6; color:#374151; }
.verdict-label { font-size:0.75em; color:#6b7280; margin:0 3px; }
.checked-draft { line-height:1.9; }
.check-counts, .story-articles, .article-date { font-size:0.85em; color:#6b7280; }
.differs { font-size:0.85em; color:#92400e; background:#fef3c7; padding:0 4px; border-radius:4px; }
.library-table { width:100%; border-collapse:collapse; font-size:0.9em; table-layout:fixed; }
.library-table th, .library-table td { text-align:left; padding:4px 6px; border-bottom:1px solid #e5e7eb;
  overflow-wrap:anywhere; vertical-align:top; }
@media (max-width: 760px) {
  .library-table thead { display:none; }
  .library-table, .library-table tbody, .library-table tr, .library-table td { display:block; width:100%; }
  .library-table tr { border:1px solid #e5e7eb; border-radius:8px; margin:0 0 8px 0; padding:6px 8px; }
  .library-table td { border:0; padding:1px 0; }
  .library-table td::before { content: attr(data-label) ": "; color:#6b7280; font-size:0.85em; }
  .library-table td.title-cell { font-weight:600; }
  .library-table td.title-cell::before { content: ""; }
}
"""

# A click on a chip writes "turn:number" into the hidden box, which tells Python to open that source. Escape or a
# tap outside closes the source drawer on a phone; the skip link jumps to the latest answer's sources; the question
# box shows its length against the limit as one types.
CHIP_CLICKS = r"""
() => {
  const panels = () => document.querySelectorAll('.block.source-panel');  // the wrapper (its content has the class too)
  const closeDrawer = () => panels().forEach((p) => p.classList.remove('open'));
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape') closeDrawer(); });
  // a tap outside the drawer closes it (seen before any component can stop it)
  document.addEventListener('pointerdown', (event) => {
    if (!event.target.closest('.source-panel') && !event.target.closest('.cite-chip')) closeDrawer();
  }, true);
  document.addEventListener('click', (event) => {
    if (event.target.closest('.close-panel')) { closeDrawer(); return; }
    if (event.target.closest('#to-sources')) {
      const answers = document.querySelectorAll('#chat .answer-sources');
      answers[answers.length - 1]?.querySelector('.cite-chip')?.focus();
      return;
    }
    const chip = event.target.closest('.cite-chip');
    if (!chip) return;
    // chat chips are cite-t<turn>-n<number>; a newsroom tab's are cite-<tool>-n<number>, with the tool's own panel
    const found = /cite-(t\d+|check|timeline|digest|quotes)-n(\d+)/.exec(chip.className);
    if (!found) return;
    const tool = /^t\d+$/.test(found[1]) ? '' : '-' + found[1];
    document.querySelector('#source-panel' + tool)?.classList.add('open');  // a drawer on narrow screens
    const box = document.querySelector('#cite-target' + tool + ' textarea');
    if (!box) return;
    box.value = (tool ? '0' : found[1].slice(1)) + ':' + found[2] + ':' + Date.now();
    box.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(() => document.querySelector('#cite-open' + tool)?.click(), 50);
  });
  document.addEventListener('input', (event) => {
    const box = event.target.closest('#question textarea');
    const count = document.querySelector('#question-count');
    if (!box || !count) return;
    const limit = Number(count.dataset.limit || count.getAttribute('title') || 0);
    const n = box.value.length;
    count.textContent = n.toLocaleString() + ' / ' + limit.toLocaleString() + ' characters' +
      (n > limit ? ' \u2014 too long to send: shorten it (nothing is lost)' : '');
    count.classList.toggle('over', n > limit);
  });
}
"""
SCROLL_TO_QUOTE = ("() => document.querySelectorAll('mark[id^=cited-quote]').forEach((m) => { "
                   "if (m.offsetParent) m.scrollIntoView({block: 'center'}); })")


MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def escape_text(text: str) -> str:
    """Article text for the chat, which renders Markdown: HTML escaped, and every Markdown sign escaped too, so
    that '24. David Cliff/AP' is never a numbered list and '# Title' never a heading. [n] markers are kept (they
    become chips)."""
    pieces = MARKER.split(text)  # the text between markers, and the marker numbers
    out = []
    for index, piece in enumerate(pieces):
        out.append(f"[{piece}]" if index % 2 else MARKDOWN.sub(r"\\\1", html.escape(piece, quote=False)))
    return "".join(out)


def day_label(day: date) -> str:
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

    body = MARKER.sub(chip, escape_text(answer.text))
    articles: dict[str, list[Citation]] = {}
    for citation in answer.citations:
        articles.setdefault(citation.source, []).append(citation)
    sources = "<br>".join(
        "".join(citation_chip(turn, c) for c in cited) + " " + describe_article(cited[0])
        for cited in articles.values())
    return f'{body}<div class="answer-sources"><b>Sources</b><br>{sources}</div>{badge}'

def render_refusal(answer: Answer) -> str:
    """The refusal, why in plain words, and the closest passages, plainly marked as not an answer."""
    why = answer.refusal_reason
    parts = [f'<span class="refusal">{html.escape(CANNOT_ANSWER)}</span>']
    if why:
        parts.append(f'<div class="refusal-reason">{html.escape(why)}</div>')
    if answer.related:
        quotes = "".join(f"<li>\u201c{escape_text(c.quote)}\u201d — {describe_article(c)}</li>"
                         for c in answer.related)
        parts.append(f'<div class="related"><b>Related, but not an answer:</b><ul>{quotes}</ul></div>')
    return "".join(parts)


def describe_article(citation: Citation) -> str:
    """Title · publisher · date, then the file name and the article's address, smaller."""
    details = " · ".join(html.escape(x) for x in (citation.title or citation.source, citation.publisher,
                                                  citation.date or UNDATED) if x)
    where = f" · {html.escape(citation.url)}" if citation.url else ""
    return f'{details} <span class="file-name">({html.escape(citation.source)}{where})</span>'


def citation_chip(turn: int | str, citation: Citation) -> str:
    """A focusable button naming its source; hovering or focusing it previews the quote and the date. `turn` is
    the chat turn, or the newsroom tab ('check', 'timeline', 'digest') whose panel the chip opens."""
    where = f"t{turn}" if isinstance(turn, int) else turn
    # the page's sanitiser keeps classes but strips data- attributes, so the chip's target is in its class
    preview = citation.quote if len(citation.quote) <= 200 else citation.quote[:197].rstrip() + "…"
    dated = f" (article of {citation.date})" if citation.date else f" ({UNDATED} article)"
    label = f"Source {citation.number}: {citation.title or citation.source}"
    # the chat renders Markdown (its signs escaped too); a newsroom tab's HTML only needs HTML escaped
    shown = escape_text(preview) if isinstance(turn, int) else html.escape(preview, quote=False)
    # the sanitiser also drops aria- attributes: the accessible name is visually hidden text inside the button
    return (f'<button type="button" class="cite-chip cite-{where}-n{citation.number}" '
            f'title="\u201c{html.escape(preview)}\u201d{html.escape(dated)}">'
            f'[{citation.number}]<span class="sr-only"> {html.escape(label)}</span>'
            f'<span class="chip-preview">\u201c{shown}\u201d{html.escape(dated)}</span></button>')


def render_source(citation: Citation, text: str, mark_id: str = "cited-quote") -> str:
    before, quote, after = text[:citation.start], text[citation.start:citation.end], text[citation.end:]
    details = " · ".join(html.escape(x) for x in (citation.source, citation.date or UNDATED, citation.publisher,
                                                  citation.url) if x)
    return ('<button type="button" class="close-panel">Close</button>'
            f"<h3>{html.escape(citation.title or citation.source)}</h3><p>{details}</p>"
            f'<div class="source-text">{html.escape(before)}<mark id="{mark_id}">{html.escape(quote)}</mark>'
            f"{html.escape(after)}</div>")


def status_line(answer: Answer) -> str:
    timing = answer.timings.get("total", 0.0)
    notes = f" · {'; '.join(n.message for n in answer.notes[:2])}" if answer.notes else ""
    return f"Answered by: {answer.generator} · {timing:.1f} s{notes}"


LIBRARY_COLUMNS = ("file", "title", "date", "publisher", "chunks")


def library_html(rows: list[list[object]]) -> str:
    """The Library as a table (cards on a phone), every cell escaped."""
    if not rows:
        return "<p>No articles yet: add some below.</p>"
    head = "".join(f"<th>{name}</th>" for name in LIBRARY_COLUMNS)
    body = "".join("<tr>" + "".join(_cell(name, value) for name, value in zip(LIBRARY_COLUMNS, row)) + "</tr>"
                   for row in rows)
    widths = "".join(f'<col style="width:{w}">' for w in ("24%", "40%", "12%", "16%", "8%"))
    return (f'<table class="library-table"><colgroup>{widths}</colgroup><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _cell(name: str, value: object) -> str:
    kind = ' class="title-cell"' if name == "title" else ""
    return f'<td data-label="{name}"{kind}>{html.escape(str(value))}</td>'
