"""The LLM generator's own logic, driven by a scripted chat model: what reaches the answer, and what falls back."""

from __future__ import annotations

from pathlib import Path

import httpx
import openai
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant import Assistant
from assistant.answering.answer import Answer, ExtractiveGenerator, NoteKind, Reading, final_answer
from assistant.answering.cite import Citation
from assistant.answering.llm import LLMGenerator, context_pieces, format_passages, locate_span, parse_span_reply
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
    assert locate_span("kirill  dmitriev", 1, numbered) == (1, "sentence", "Kirill Dmitriev")
    assert locate_span("Hallandale Beach", 1, numbered) == (2, "sentence", "Hallandale Beach")  # named the wrong one
    assert locate_span("“Hallandale Beach.”", 2, numbered) == (2, "sentence", "Hallandale Beach")
    assert locate_span("Mar-a-Lago", 1, numbered) is None  # not copied from any passage


def _generator(replies: list[str] | Exception, neighbours: int = 0) -> LLMGenerator:
    def client():
        if isinstance(replies, Exception):
            raise replies
        return FakeListChatModel(responses=replies)
    return LLMGenerator("local", client, PROMPTS, ExtractiveGenerator(), mode="span", neighbours=neighbours)


def _answer(assistant: Assistant, generator: LLMGenerator, question: str = QUESTION) -> Answer:
    return final_answer(generator.stream(question, assistant.gather(question).reading))


def test_the_models_words_lead_the_answer_with_the_exact_quote_that_holds_them(seed_assistant: Assistant) -> None:
    answer = _answer(seed_assistant, _generator(['{"answer": "kirill dmitriev", "passage": 1}']))
    assert answer.generator == "local" and answer.answered
    assert answer.text.startswith("Kirill Dmitriev: \u201c") and answer.text.endswith("[1]")
    [citation] = answer.citations
    assert "Kirill Dmitriev" in citation.quote and citation.quote in answer.text
    assert load_document(SEEDS / citation.source, SEEDS).text[citation.start:citation.end] == citation.quote


RENEWAL = ("Night Harbor renewed for a second season\n\nThe streaming service announced Sunday that the wildly "
           "popular show is returning for a second season. Its lead actor, Ilse Varga, said filming starts in Oslo "
           "in the spring.\n")
BRIDGE = ("Harbour bridge approved\n\nThe council voted 9 to 4 on Tuesday to build a new bridge. Construction is "
          "expected to start in May, the mayor said.\n")
RENEWED = "Which show is returning for a second season?"


@pytest.fixture
def renewal(tmp_path: Path, make_settings) -> Assistant:
    """A story that names its show only in its title, beside another story."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "renewal.txt").write_text(RENEWAL, encoding="utf-8")
    (docs / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    return Assistant(make_settings(docs))


def _best_passage_only(reading: Reading) -> Reading:
    """The reading as if the model were shown its best passage alone (its neighbours then are not passages)."""
    return Reading(reading.ranked[:1], around=reading.around[:1])


def test_the_model_sees_each_passage_with_its_title_and_the_best_with_its_neighbours(renewal: Assistant) -> None:
    """A quoted sentence often lacks what was asked ("the wildly popular show"): the model is shown the article's
    title, and the sentences around the best passages, to copy it from; each piece of text once."""
    reading = renewal.gather(RENEWED).reading
    shown = format_passages(LLMGenerator.numbered_passages(reading.ranked), context_pieces(reading))
    for sentence in ("Night Harbor renewed for a second season", "Harbour bridge approved", "filming starts in Oslo"):
        assert shown.count(sentence) == 1, shown
    alone = _best_passage_only(reading)
    assert format_passages(LLMGenerator.numbered_passages(alone.ranked), context_pieces(alone, neighbours=1)) == (
        "[1] (Title: Night Harbor renewed for a second season) The streaming service announced Sunday that the "
        "wildly popular show is returning for a second season. Its lead actor, Ilse Varga, said filming starts in "
        "Oslo in the spring.")


def test_a_name_the_model_copies_from_the_title_is_cited_in_the_title(renewal: Assistant) -> None:
    reading = _best_passage_only(renewal.gather(RENEWED).reading)
    answer = final_answer(_generator(['{"answer": "Night Harbor", "passage": 1}']).stream(RENEWED, reading))
    assert answer.generator == "local" and answer.short_answer == "Night Harbor"
    assert answer.text.startswith("Night Harbor [1] — \u201cThe streaming service announced Sunday"), answer.text
    title, sentence = answer.citations[:2]
    assert title.quote == "Night Harbor renewed for a second season" and RENEWAL[title.start:title.end] == title.quote
    assert RENEWAL[sentence.start:sentence.end] == sentence.quote and "popular show is returning" in sentence.quote


def test_words_the_model_copies_from_a_neighbouring_sentence_cite_that_sentence(renewal: Assistant) -> None:
    reading = _best_passage_only(renewal.gather(RENEWED).reading)
    answer = final_answer(_generator(['{"answer": "Oslo", "passage": 1}'], neighbours=1).stream(RENEWED, reading))
    assert answer.generator == "local" and answer.text.startswith("Oslo [1] — \u201cThe streaming"), answer.text
    neighbour = answer.citations[0]
    assert "filming starts in Oslo" in neighbour.quote and RENEWAL[neighbour.start:neighbour.end] == neighbour.quote


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
