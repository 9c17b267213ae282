"""Photo captions, credits and list numbers are not sentences of the article: never quoted as an answer, and
a quote never renders as a list or a heading."""

from __future__ import annotations

from pathlib import Path

from assistant import Assistant
from assistant.frontends.render import escape_text
from assistant.library.prose import non_prose

ARTICLE = """Harbour ferry returns after storm

The island ferry returned to service on Monday after a three-day halt, the port authority said.
Crews repaired the damaged ramp at Kestrel Point overnight, harbour master Ines Varga said.

24. Passengers wait at Kestrel Point on Sunday as the ferry stays docked. David Cliff/AP

The ferry carries about 1,200 passengers a day in summer.
"""


def test_a_caption_with_its_credit_and_a_list_number_are_marked_at_load() -> None:
    spans = [ARTICLE[start:end] for start, end in non_prose(ARTICLE)]
    assert "24. " in spans
    assert any(s.endswith("David Cliff/AP") for s in spans)
    assert not any("returned to service" in s or "1,200 passengers" in s for s in spans)


def test_a_caption_is_never_quoted_as_the_answer(tmp_path: Path, make_settings) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ferry.txt").write_text(ARTICLE, encoding="utf-8")
    answer = Assistant(make_settings(docs)).ask("Where did passengers wait on Sunday as the ferry stayed docked?")
    assert all("David Cliff" not in c.quote and not c.quote.startswith("24.") for c in answer.citations)
    assert "David Cliff/AP" not in answer.text


def test_quoted_markdown_is_shown_as_text() -> None:
    shown = escape_text("24. David Cliff/AP\n# Breaking *news* [1]")
    assert shown.startswith("24\\. ") and "\\# Breaking \\*news\\*" in shown and shown.endswith("[1]")
