"""The LLM generator's own logic, driven by a scripted chat model: what reaches the answer, and what falls back."""

from __future__ import annotations

from pathlib import Path

import httpx
import openai
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant import Assistant
from assistant.answering.answer import Answer, ExtractiveGenerator, NoteKind, final_answer
from assistant.answering.cite import Citation
from assistant.answering.llm import LLMGenerator, locate_span, parse_span_reply
from assistant.library.load import load_document
from assistant.settings import PROMPTS

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
QUESTION = "Who leads the Russian delegation?"


def _citation(number: int, quote: str) -> Citation:
    return Citation(number, "a.txt", "T", quote, 0, len(quote))


@pytest.mark.parametrize(("reply", "parsed"), [
    ('{"answer": "Kirill Dmitriev", "passage": 2}', ("Kirill Dmitriev", 2)),
    ('Sure! {"answer": "  June\\n2024 ", "passage": 1} hope that helps', ("June 2024", 1)),
    ('{"answer": "", "passage": 0}', ("", 0)),
    ("Kirill Dmitriev [1]", None),
    ('{"passage": 1}', None),
    ('{"answer": "x", "passage": "first"}', None),
])
def test_the_span_reply_is_read_only_when_it_is_the_json_asked_for(reply: str, parsed) -> None:
    assert parse_span_reply(reply) == parsed


def test_copied_words_are_found_in_the_passage_that_holds_them_as_that_passage_writes_them() -> None:
    numbered = {1: _citation(1, "Russia’s delegation will be led by Kirill Dmitriev, an envoy of Putin."),
                2: _citation(2, "Previous discussions have taken place in Hallandale Beach, Florida.")}
    assert locate_span("kirill  dmitriev", 1, numbered) == (1, "Kirill Dmitriev")
    assert locate_span("Hallandale Beach", 1, numbered) == (2, "Hallandale Beach")  # the model named the wrong one
    assert locate_span("“Hallandale Beach.”", 2, numbered) == (2, "Hallandale Beach")
    assert locate_span("Mar-a-Lago", 1, numbered) is None  # not copied from any passage


def _generator(replies: list[str] | Exception) -> LLMGenerator:
    def client():
        if isinstance(replies, Exception):
            raise replies
        return FakeListChatModel(responses=replies)
    return LLMGenerator("local", client, PROMPTS, ExtractiveGenerator(), mode="span")


def _answer(assistant: Assistant, generator: LLMGenerator, question: str = QUESTION) -> Answer:
    return final_answer(generator.stream(question, assistant.gather(question).reading))


def test_the_models_words_lead_the_answer_with_the_exact_quote_that_holds_them(seed_assistant: Assistant) -> None:
    answer = _answer(seed_assistant, _generator(['{"answer": "kirill dmitriev", "passage": 1}']))
    assert answer.generator == "local" and answer.answered
    assert answer.text.startswith("Kirill Dmitriev: \u201c") and answer.text.endswith("[1]")
    [citation] = answer.citations
    assert "Kirill Dmitriev" in citation.quote and citation.quote in answer.text
    assert load_document(SEEDS / citation.source, SEEDS).text[citation.start:citation.end] == citation.quote


@pytest.mark.parametrize(("reply", "note"), [
    ('{"answer": "Sergei Lavrov", "passage": 1}', "the model's answer is not in the passages"),
    ('{"answer": "", "passage": 0}', "the model found no answer in the passages"),
    ("Kirill Dmitriev leads it.", "the model's reply was not the JSON asked for"),
])
def test_words_no_passage_holds_never_reach_the_answer(seed_assistant: Assistant, reply: str, note: str) -> None:
    answer = _answer(seed_assistant, _generator([reply]))
    assert answer.generator == "extractive" and "Lavrov" not in answer.text
    assert answer.notes[0].kind == NoteKind.FALLBACK and answer.notes[0].message.startswith(note)


def test_a_failing_backend_gives_the_extractive_answer_with_a_note(seed_assistant: Assistant) -> None:
    down = openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions"))
    answer = _answer(seed_assistant, _generator(down))
    assert answer.generator == "extractive" and "Kirill Dmitriev" in answer.text
    assert answer.notes[0].kind == NoteKind.FALLBACK
    assert answer.notes[0].message.startswith("local backend failed (APIConnectionError")


def test_a_bug_is_raised_not_hidden_behind_an_extractive_answer(seed_assistant: Assistant) -> None:
    with pytest.raises(KeyError):
        _answer(seed_assistant, _generator(KeyError("a template field nobody filled")))


FOUR_YEARS_MISSED = pytest.mark.xfail(strict=True, reason=(
    "known miss: the other file's 'nearly four years' sentence ranks 13th, outside the top 5 where a disagreement "
    "is looked for (a wider search said 'the sources differ' falsely on real news)"))
DISAGREEMENT_QUESTIONS = [
    pytest.param("How long has the war in Ukraine been going on, according to the two reports?",
                 marks=FOUR_YEARS_MISSED),
    "How many years of conflict have there been since Russia's full-scale invasion?",
]


def _figures_each_cited(answer: Answer) -> dict[str, str]:
    """'three'/'four' → the file whose quote gives that many years, for each figure the answer cites."""
    found = {}
    for citation in answer.citations:
        for figure in ("three", "four"):
            if f"{figure} years" in citation.quote and f"[{citation.number}]" in answer.text:
                found[figure] = citation.source
    return found


@pytest.mark.parametrize("question", DISAGREEMENT_QUESTIONS)
def test_when_the_sources_disagree_the_reader_shows_both_figures_each_cited(seed_assistant: Assistant,
                                                                            question: str) -> None:
    answer = _answer(seed_assistant, _generator(['{"answer": "3 years", "passage": 1}']), question)
    assert answer.generator == "local" and answer.text.startswith("Three years")  # '3' found as the passage writes it
    figures = _figures_each_cited(answer)
    assert set(figures) == {"three", "four"} and figures["three"] != figures["four"], answer.text
    assert [n.kind for n in answer.notes] == [NoteKind.SOURCES_DIFFER]


@pytest.mark.parametrize("question", DISAGREEMENT_QUESTIONS)
def test_when_the_sources_disagree_the_extractive_answer_shows_both_figures_each_cited(
        seed_assistant: Assistant, question: str) -> None:
    answer = seed_assistant.ask(question)
    assert answer.generator == "extractive" and answer.text.startswith("The sources differ on this:")
    figures = _figures_each_cited(answer)
    assert set(figures) == {"three", "four"} and figures["three"] != figures["four"], answer.text
