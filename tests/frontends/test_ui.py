"""The web UI's handlers, called directly (the browser test drives the same handlers through a page)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from assistant import CANNOT_ANSWER
from assistant.answering.cite import Citation
from assistant.frontends.render import render_source
from assistant.frontends.ui import ChatApp, build_ui
from assistant.library.intake import safe_name
from tests.conftest import SEEDS


@pytest.fixture
def app(docs, make_settings) -> ChatApp:
    chat = ChatApp(make_settings(docs))
    chat.assistant.ensure_index()
    return chat


def final(app: ChatApp, question: str, answers=None, backend="extractive", passages=6):
    *_, last = app.respond(question, [], answers or [], backend, passages)
    return last


def test_an_answer_streams_into_the_chat_with_citation_chips(app: ChatApp) -> None:
    steps = list(app.respond("Where did previous discussions take place?", [], [], "extractive", 6))
    assert steps[0][3].startswith("Searching")
    assert steps[0][2] == ""  # the question box is cleared when the question is taken …
    messages, answers, untouched, status = steps[-1]
    assert untouched == {"__type__": "update"}  # … and left alone after: what is typed meanwhile is kept
    assert status.startswith("Answered by: extractive")
    assert messages[0] == {"role": "user", "content": "Where did previous discussions take place?"}
    assert 'class="cite-chip cite-t0-n1"' in messages[1]["content"]
    assert "Hallandale Beach" in messages[1]["content"] and "003_001337cf8562453b.txt" in messages[1]["content"]
    assert answers[0]["citations"][0]["source"] == "003_001337cf8562453b.txt"


def test_after_stop_nothing_more_of_the_answer_is_shown_and_the_next_question_is_taken(app: ChatApp) -> None:
    steps = app.respond("Where did previous discussions take place?", [], [], "extractive", 6)
    assert next(steps)[3].startswith("Searching")
    assert app.stop_answer() == "Stopped."
    assert list(steps) == []  # a late step would write over "Stopped." with the answer
    *_, last = app.respond("Who leads the Russian delegation?", [], [], "extractive", 6)
    assert "Dmitriev" in last[0][-1]["content"]


def test_a_refusal_is_shown_as_such(app: ChatApp) -> None:
    messages, answers, _, _ = final(app, "Which football team won the championship?")
    shown = messages[1]["content"]
    assert 'class="refusal"' in shown and CANNOT_ANSWER.replace("'", "&#x27;") in shown
    assert answers[0]["answered"] is False


def test_follow_ups_use_the_earlier_turns(app: ChatApp) -> None:
    _, answers, _, _ = final(app, "Who is Ukraine's chief negotiator?")
    messages, answers, _, _ = final(app, "Who did he say had been briefed?", answers)
    assert "Zelenskiy" in messages[-1]["content"] and 'cite-t1-n1' in messages[-1]["content"]


def test_clicking_a_citation_opens_the_source_with_the_quote_highlighted(app: ChatApp) -> None:
    _, answers, _, _ = final(app, "Where did previous discussions take place?")
    panel = app.open_source("0:1:123", answers)
    quote = html.escape(answers[0]["citations"][0]["quote"])
    assert f'<mark id="cited-quote">{quote}</mark>' in panel
    assert "Trump administration pushes diplomacy" in panel
    assert app.open_source("5:1", answers) == "" and app.open_source("nonsense", answers) == ""


def test_article_markup_is_shown_as_text_never_run() -> None:
    text = "Title\n<script>alert('x')</script> <img src=x onerror=alert(1)> The vote passed."
    start = text.index("The vote")
    citation = Citation(1, "evil.html", "<b>Title</b>", "The vote passed.", start, start + 16)
    panel = render_source(citation, text)
    assert "<script>" not in panel and "<img" not in panel and "<b>" not in panel
    assert "&lt;script&gt;" in panel and '<mark id="cited-quote">The vote passed.</mark>' in panel


def test_uploaded_articles_become_answerable_without_a_restart(app: ChatApp, tmp_path: Path) -> None:
    upload = tmp_path / "ferry news.md"
    upload.write_text("# Ferry Line Reopens\n\nThe Lindholm ferry resumed service on Tuesday after a "
                      "three-week strike by deckhands.\n", encoding="utf-8")
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK\x03\x04")
    library, _, status = app.upload([str(upload), str(bad)])
    assert "1 added" in status and "notes.docx: not a supported type" in status
    assert ">ferry news.md</td>" in library and ">Ferry Line Reopens</td>" in library
    messages, *_ = final(app, "When did the Lindholm ferry resume service?")
    assert "Tuesday" in messages[-1]["content"] and "ferry news.md" in messages[-1]["content"]
    confirm, question = app.ask_to_remove("ferry news.md")  # the first click only asks, naming the file
    assert confirm["visible"] is True and "ferry news.md" in question and (app.settings.docs / "ferry news.md").exists()
    library, _, _, trash, status = app.remove("ferry news.md")
    assert status == "Moved ferry news.md to the trash; restore it below."
    assert "ferry news.md" not in library and not (app.settings.docs / "ferry news.md").exists()
    messages, *_ = final(app, "When did the Lindholm ferry resume service?")
    assert 'class="refusal"' in messages[-1]["content"]
    [entry] = trash["choices"]
    library, *_, status = app.restore(entry[0] if isinstance(entry, tuple) else entry)
    assert status == "Restored ferry news.md." and ">ferry news.md</td>" in library
    messages, *_ = final(app, "When did the Lindholm ferry resume service?")
    assert "Tuesday" in messages[-1]["content"]


def test_nothing_is_picked_for_removal_until_the_user_picks_it(app: ChatApp) -> None:
    page = build_ui(app)
    picker = next(block for block in page.blocks.values() if getattr(block, "elem_id", None) == "remove-choice")
    assert picker.value in (None, "", [])


def test_library_lists_files_with_chunk_counts_and_dates(app: ChatApp) -> None:
    rows = {row[0]: row for row in app.library_rows()}
    assert rows["000_f3ed65131ccd6e47.txt"][2] == "2025-12-20" and rows["000_f3ed65131ccd6e47.txt"][4] > 1


def test_example_questions_are_ones_the_corpus_answers(app: ChatApp) -> None:
    examples = app.example_questions()
    assert len(examples) == 4 and any("Dmitriev" in q for q in examples)
    assert any(q.startswith("What did ") for q in examples)  # not only "Who is X?"
    assert all(app.assistant.ask(q).answered for q in examples)


def test_the_chat_says_what_is_loaded_and_updates_after_changes(app: ChatApp, tmp_path: Path) -> None:
    counts, span, names = app.corpus_summary().split(" · ")
    assert (counts, span) == ("2 articles", "Dec 20, 2025 (1 undated)")
    people = names.split(", ")  # the three people the articles name most, by full name, the most named first
    seeds = " ".join(p.read_text() for p in SEEDS.glob("*.txt"))
    assert len(people) == 3 and people[0] == "Kirill Dmitriev" and all(" " in p and p in seeds for p in people)
    app.remove("003_001337cf8562453b.txt")
    assert app.corpus_summary().startswith("1 article · Dec 20, 2025 · ")


def test_empty_questions_and_odd_file_names_are_handled(app: ChatApp) -> None:
    messages, _, _, status = final(app, "   ")
    assert messages == [] and status == "Type a question first."
    assert safe_name("../../etc/passwd") == "passwd" and safe_name("a<b>.txt") == "a_b_.txt"


def test_the_page_has_the_controls_a_user_needs_wired_to_the_app(app: ChatApp) -> None:
    page = build_ui(app)
    ids = {block.elem_id for block in page.blocks.values()}
    assert {"question", "ask", "chat", "status", "source-panel", "upload", "remove", "backend"} <= ids
    wired = {fn.name for fn in page.fns.values()}
    assert {"respond", "open_source"} <= wired


def test_a_refusal_says_why_and_offers_the_closest_passages_as_not_an_answer(app: ChatApp) -> None:
    messages, answers, _, _ = final(app, "What did Angela Merkel say about the Florida talks?")
    shown = messages[-1]["content"]
    assert '<div class="refusal-reason">None of the 2 articles mentions Angela Merkel.</div>' in shown
    assert "Related, but not an answer:" in shown and answers[0]["related"]
    assert '<div class="answer-meta">extractive · ' in shown  # which backend, and how long it took


def test_sources_are_grouped_by_article_with_title_publisher_and_date(app: ChatApp) -> None:
    messages, answers, _, _ = final(app, "How long has the war in Ukraine been going on, according to the two reports?")
    sources = messages[-1]["content"].split('class="answer-sources"')[1]
    for citation in answers[0]["citations"]:
        assert sources.count(f"({citation['source']})") == 1  # one line per article, the file name last
    assert "www.marketscreener.com · 2025-12-20" in sources


def test_a_removed_articles_chip_says_it_was_removed(app: ChatApp) -> None:
    _, answers, _, _ = final(app, "Where did previous discussions take place?")
    source = answers[0]["citations"][0]["source"]
    app.remove(source)
    assert "was removed from the library after this answer was given" in app.open_source("0:1:1", answers)


def test_openai_is_offered_only_when_configured(app: ChatApp) -> None:
    page = build_ui(app)
    backend = next(block for block in page.blocks.values() if getattr(block, "elem_id", None) == "backend")
    assert "openai" not in [c[0] if isinstance(c, tuple) else c for c in backend.choices]


def test_a_conversation_exports_as_markdown_with_its_quotes_and_survives_a_reload(app: ChatApp) -> None:
    messages, answers, _, _ = final(app, "Where did previous discussions take place?")
    exported = Path(app.export_markdown(answers)).read_text(encoding="utf-8")
    citation = answers[0]["citations"][0]
    assert "## Where did previous discussions take place?" in exported
    assert f"[1] {citation['source']}" in exported and citation["quote"] in exported
    kept = {"messages": messages, "answers": answers, "backend": "openai"}  # openai is not configured here
    assert app.restore_conversation(kept) == (messages, answers, "extractive")
    assert "_No questions asked yet._" in Path(app.export_markdown([])).read_text(encoding="utf-8")
    assert app.export_note([]) == "Nothing asked yet: the export says so."
