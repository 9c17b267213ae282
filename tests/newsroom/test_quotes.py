"""Issue 22, item 4: who said what. Each statement is the exact quoted words, its speaker named in full (a surname
or 'she' read as the person the article named), the article's date and a citation; nothing unattributed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.library.load import load_document
from assistant.pipeline import who_said

HARBOUR = """Harbour reopens after the storm
Date: 2025-12-20

The harbour master, Maria Lopez, reopened the Tammerfield harbour on Tuesday.
"The quays are safe again and the ferries will run from Wednesday," Lopez said.
The port authority said in a statement that repairs cost 2 million euros.
Asked about the old pier, she said: "It will stay closed until the spring."
"We lost two weeks of trade," said Tomas Berg, who runs a fish stall on the quay.
"""

COUNCIL = """Council approves the harbour budget
Date: 2025-12-27

The town council approved the budget on Friday. "This money keeps the harbour open," Maria Lopez told the
council. A councillor, Ana Ruiz, disagreed: "We should have spent it on the schools."
"""


@pytest.fixture(scope="module")
def quoted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assistant, Path]:
    root = tmp_path_factory.mktemp("quotes")
    docs = root / "docs"
    docs.mkdir()
    (docs / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (docs / "council.txt").write_text(COUNCIL, encoding="utf-8")
    return Assistant(Settings(docs=docs, index=root / "index", generator="extractive")), docs


def test_each_statement_is_the_speakers_exact_words_newest_first_with_a_citation(quoted) -> None:
    assistant, docs = quoted
    result = who_said("Lopez", assistant=assistant)
    said = [s.citation.quote for s in result.statements]
    assert any("keeps the harbour open" in q for q in said)
    assert any("ferries will run from Wednesday" in q for q in said)
    assert any("stay closed until the spring" in q for q in said)  # 'she said', read as Maria Lopez
    assert not any("lost two weeks of trade" in q or "schools" in q for q in said)  # others' words
    assert {s.speaker for s in result.statements} == {"Maria Lopez"}
    assert [s.day for s in result.statements] == sorted((s.day for s in result.statements), reverse=True)
    assert result.statements[0].day == date(2025, 12, 27)
    for statement in result.statements:
        text = load_document(docs / statement.citation.source, docs).text
        assert text[statement.citation.start:statement.citation.end] == statement.citation.quote


def test_another_speaker_and_a_date_range_and_a_name_no_article_gives(quoted) -> None:
    assistant, _ = quoted
    berg = who_said("Tomas Berg", assistant=assistant)
    assert [s.speaker for s in berg.statements] == ["Tomas Berg"]
    assert "lost two weeks of trade" in berg.statements[0].citation.quote
    before = who_said("Maria Lopez", until=date(2025, 12, 21), assistant=assistant)
    assert before.statements and all(s.citation.source == "harbour.txt" for s in before.statements)
    nobody = who_said("Oskar Lind", assistant=assistant)
    assert not nobody.statements and nobody.notes == ["No article names Oskar Lind."]
    with pytest.raises(ValueError, match="Name the person"):
        who_said("  ", assistant=assistant)
