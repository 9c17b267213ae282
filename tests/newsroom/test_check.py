"""Checking a draft against the seed articles: a verdict for every sentence, the passages behind it, and what
differs when a source says otherwise."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.library.load import load_document
from assistant.newsroom.check import CONTRADICTED, NOT_FOUND, SUPPORTED, check_draft
from assistant.newsroom.claims import claims_of
from tests.conftest import SEEDS

DRAFT = ("Russia's delegation will be led by Kirill Dmitriev, an envoy of President Vladimir Putin. "
         "Putin offered major concessions during his annual press conference in Moscow.\n\n"
         "Previous discussions took place at Witkoff's golf club in Miami Beach, Florida. "
         "The talks will be held in Geneva next month with Chinese mediators. "
         "Putin's demands were first laid out in June 2023.")
EXPECTED = [(SUPPORTED, None), (CONTRADICTED, "negation"), (CONTRADICTED, "name"), (NOT_FOUND, None),
            (CONTRADICTED, "date")]


@pytest.fixture(scope="module")
def checked(seed_assistant: Assistant):
    return check_draft(seed_assistant, DRAFT)


def test_every_sentence_gets_a_verdict_in_order_with_its_span_in_the_draft(checked) -> None:
    assert [(s.verdict, s.differs) for s in checked.sentences] == EXPECTED
    assert all(DRAFT[s.start:s.end] == s.text for s in checked.sentences)
    assert [s.start for s in checked.sentences] == sorted(s.start for s in checked.sentences)


def test_every_citation_is_the_exact_text_of_its_file(checked) -> None:
    cited = [c for s in checked.sentences for c in s.citations]
    assert cited and all(load_document(SEEDS / c.source, SEEDS).text[c.start:c.end] == c.quote for c in cited)


def test_a_contradiction_cites_the_passage_that_says_otherwise(checked) -> None:
    negated, renamed = checked.sentences[1], checked.sentences[2]
    assert "no concessions" in negated.citations[0].quote
    assert "Hallandale Beach" in renamed.citations[0].quote


def test_a_sentence_not_in_the_sources_cites_nothing(checked) -> None:
    assert checked.sentences[3].citations == []


def test_one_passage_cited_twice_keeps_one_number(checked) -> None:
    numbers = {}
    for sentence in checked.sentences:
        for c in sentence.citations:
            assert numbers.setdefault((c.source, c.start, c.end), c.number) == c.number


def test_a_sentence_with_two_claims_is_checked_claim_by_claim(seed_assistant: Assistant) -> None:
    draft = ("Russia's delegation will be led by Kirill Dmitriev, and Putin offered major concessions during "
             "his annual press conference in Moscow.")
    [sentence] = check_draft(seed_assistant, draft).sentences
    assert [c.verdict for c in sentence.claims] == [SUPPORTED, CONTRADICTED]
    assert sentence.verdict == CONTRADICTED and sentence.differs == "negation"


def test_claims_split_at_coordinated_clauses_and_keep_a_shared_subject() -> None:
    assert claims_of("Biden signed the bill and thanked Opal Lee.") == ["Biden signed the bill.",
                                                                         "Biden thanked Opal Lee."]
    assert claims_of("Carney said teachers deserve more and that the state will pay.") == [
        "Carney said teachers deserve more and that the state will pay."]


def test_an_empty_draft_has_no_sentences(seed_assistant: Assistant) -> None:
    assert check_draft(seed_assistant, "   \n").sentences == []
