"""Sentence spans and BM25 terms are cached per text: callers get their own lists, equal to a fresh reading."""

from __future__ import annotations

from assistant.text import sentence_spans, terms

TEXT = "Talks began on Sunday in Hallandale Beach. Rubio said he may also participate.\nA second line.\n"


def test_cached_sentences_are_exact_spans_and_a_caller_cannot_spoil_them() -> None:
    first = sentence_spans(TEXT, 100)
    assert [TEXT[s.start - 100:s.end - 100] for s in first] == [s.text for s in first]
    assert len(first) == 3
    first.clear()
    assert [s.text for s in sentence_spans(TEXT, 100)][1] == "Rubio said he may also participate."
    assert sentence_spans(TEXT, 0)[0].start == 0  # another offset is another reading


def test_cached_terms_are_a_fresh_list_each_time() -> None:
    words = terms("Rubio said he may also participate")
    assert words == ["rubio", "said", "may", "also", "particip"]
    words.append("spoiled")
    assert terms("Rubio said he may also participate")[-1] == "particip"


def test_a_word_cut_off_by_an_abbreviation_ends_the_sentence_before_it() -> None:
    text = "Title\nDrawings are held at 10:59 p.m. ET. The next one is Wednesday."
    spans = sentence_spans(text, offset=100)
    assert [s.text for s in spans] == ["Title", "Drawings are held at 10:59 p.m. ET.", "The next one is Wednesday."]
    assert all(text[s.start - 100:s.end - 100] == s.text for s in spans)
