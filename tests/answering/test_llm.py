"""The LLM path end to end: a real llama.cpp server (SmolLM2-135M) on loopback, a real OpenAI client."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from conftest import small_test_model

from assistant import CANNOT_ANSWER, Answer, Assistant, Settings
from assistant.answering.answer import NoteKind
from assistant.answering.cite import claims
from assistant.answering.llm import LLMGenerator
from assistant.answering.llm_server import LocalLLMServer, ServerStartError
from assistant.answering.local_model import ModelUnavailable, resolve_model_path
from assistant.answering.support import support
from assistant.library.load import load_document
from assistant.pipeline import make_generator

pytestmark = pytest.mark.llm
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def server():
    with LocalLLMServer(small_test_model(), context=2048, threads=2) as running:
        yield running


@pytest.fixture(scope="module")
def local_assistant(tmp_path_factory) -> Assistant:
    settings = Settings(docs=SEEDS, index=tmp_path_factory.mktemp("llm-index"), generator="local",
                        model_path=small_test_model(), llm_context=2048, max_tokens=96)
    return Assistant(settings)


def assert_every_claim_is_supported(answer: Answer) -> None:
    quotes = {c.number: c.quote for c in answer.citations}
    for text, numbers in claims(answer.text):
        assert numbers, f"uncited claim survived verification: {text!r}"
        assert any(support(text, quotes[n]).supported for n in numbers if n in quotes), text
    for citation in answer.citations:
        assert load_document(SEEDS / citation.source, SEEDS).text[citation.start:citation.end] == citation.quote


def given_passages(assistant: Assistant, question: str):
    """What the LLM generator would hand the model for this question: (generator, numbered, ranked)."""
    generator = assistant.generator
    assert isinstance(generator, LLMGenerator)
    reading = assistant.gather(question).reading
    return generator, generator.numbered_passages(reading.ranked[:6]), reading


def test_the_server_speaks_openai_on_loopback_only(server: LocalLLMServer) -> None:
    from openai import OpenAI

    assert server.base_url.startswith("http://127.0.0.1:")
    reply = OpenAI(base_url=server.base_url, api_key="local").chat.completions.create(
        model="any", messages=[{"role": "user", "content": "Say hello."}], max_tokens=8)
    assert reply.choices[0].message.content


def test_local_answers_carry_the_models_words_with_an_exact_citation(local_assistant: Assistant) -> None:
    answer = local_assistant.ask("Who leads the Russian delegation?")
    assert answer.generator == "local", answer.notes  # the model's reply was used, not the extractive fallback
    assert "Dmitriev" in answer.text.split("\u201c")[0]  # the words before the quote are the model's
    assert_every_claim_is_supported(answer)


@pytest.fixture(scope="module")
def prose_assistant(tmp_path_factory) -> Assistant:
    settings = Settings(docs=SEEDS, index=tmp_path_factory.mktemp("prose-index"), generator="local", llm_mode="prose",
                        model_path=small_test_model(), llm_context=2048, max_tokens=96)
    return Assistant(settings)


def test_span_answers_arrive_whole_once_the_model_is_done(local_assistant: Assistant) -> None:
    pieces = list(local_assistant.ask_stream("Who leads the Russian delegation?"))
    assert len(pieces) == 2 and pieces[0] == pieces[1].text  # no half-written JSON is ever shown
    assert pieces[1].timings["first_token"] > 0
    assert_every_claim_is_supported(pieces[1])


def test_prose_answers_stream_tokens_then_the_verified_answer(prose_assistant: Assistant) -> None:
    pieces = list(prose_assistant.ask_stream("Who leads the Russian delegation?"))
    tokens, final = pieces[:-1], pieces[-1]
    assert isinstance(final, Answer) and all(isinstance(t, str) for t in tokens)
    assert len(tokens) > 3, "the model's reply should arrive in several pieces"
    assert final.timings["first_token"] > 0
    assert_every_claim_is_supported(final)


def test_refusals_are_decided_before_the_model_is_asked(local_assistant: Assistant) -> None:
    answer = local_assistant.ask("Which football team won the championship?")
    assert not answer.answered and answer.text == CANNOT_ANSWER
    assert "first_token" not in answer.timings


def test_follow_ups_are_rewritten_by_the_model(local_assistant: Assistant) -> None:
    history = [("Who is Ukraine's chief negotiator?", "Rustem Umerov is Ukraine's chief negotiator [1].")]
    answer = local_assistant.ask("Who did he say had been briefed?", history=history)
    assert answer.query and answer.query != "Who did he say had been briefed?"
    assert answer.answered


def test_verification_strips_a_fabricated_citation(local_assistant: Assistant) -> None:
    generator, numbered, ranked = given_passages(
        local_assistant, "Who leads the Russian delegation and where did talks happen?")
    dmitriev = next(n for n, c in numbered.items() if "Dmitriev" in c.quote)
    crafted = (f"Kirill Dmitriev leads the Russian delegation [{dmitriev}]. "
               f"The delegates signed a peace treaty on the Moon in 1969 [{dmitriev}]. "
               "Rubio said the talks cost 40 billion dollars [9].")
    answer = generator.verified_answer("q", crafted, numbered, ranked)
    assert "Moon" not in answer.text and "40 billion" not in answer.text and "[9]" not in answer.text
    assert answer.text == "Kirill Dmitriev leads the Russian delegation [1]."
    assert [n.kind for n in answer.notes].count(NoteKind.CLAIM_DROPPED) == 2
    assert_every_claim_is_supported(answer)


def test_a_reply_with_no_supported_claim_falls_back_to_extractive(local_assistant: Assistant) -> None:
    question = "Where have previous discussions taken place?"
    generator, numbered, ranked = given_passages(local_assistant, question)
    answer = generator.verified_answer(question, "It was on Mars [1].", numbered, ranked)
    assert answer.generator == "extractive" and "Hallandale Beach" in answer.text
    assert answer.notes[0].kind == NoteKind.FALLBACK


def test_the_openai_backend_works_against_any_compatible_server(server: LocalLLMServer, tmp_path) -> None:
    settings = Settings(docs=SEEDS, index=tmp_path / "i", generator="openai", openai_base_url=server.base_url,
                        openai_api_key="sk-test-not-a-real-key", model="smollm2", max_tokens=64)
    answer = Assistant(settings).ask("Who leads the Russian delegation?")
    assert answer.generator == "openai" and answer.answered, answer.notes
    assert "Dmitriev" in answer.text.split("\u201c")[0]
    assert_every_claim_is_supported(answer)


def test_a_dead_server_gives_a_clear_note_and_an_extractive_answer(tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(docs=SEEDS, index=tmp_path / "i", generator="openai",
                        openai_base_url=f"http://127.0.0.1:{port}/v1", openai_api_key="sk-secret-value", llm_timeout=5)
    answer = Assistant(settings).ask("Where have previous discussions taken place?")
    assert answer.answered and answer.generator == "extractive" and "Hallandale Beach" in answer.text
    assert answer.notes[0].kind == NoteKind.FALLBACK
    message = answer.notes[0].message
    assert message.startswith("openai backend failed (") and "ConnectionError" in message
    assert "sk-secret-value" not in " ".join(n.message for n in answer.notes)


def test_auto_picks_openai_when_configured_else_extractive(tmp_path) -> None:
    base = {"docs": SEEDS, "index": tmp_path / "i"}
    assert make_generator(Settings(**base, generator="auto", openai_base_url="http://127.0.0.1:1/v1")).name == "openai"
    assert make_generator(Settings(**base, generator="auto", model_path=small_test_model())).name == "extractive"
    assert make_generator(Settings(**base, generator="local", model_path=small_test_model())).name == "local"
    assert make_generator(Settings(**base, generator="extractive")).name == "extractive"


def test_a_missing_model_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ModelUnavailable, match="does not point at a file"):
        resolve_model_path(tmp_path / "missing.gguf", tmp_path)
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a model")
    with pytest.raises(ServerStartError, match="bogus.gguf"):
        LocalLLMServer(bogus).start()


def test_a_passage_from_another_file_with_a_different_figure_is_added(local_assistant: Assistant) -> None:
    question = "How many years of fighting has there been since the invasion?"
    generator, numbered, ranked = given_passages(local_assistant, question)
    three = next(n for n, c in numbered.items() if "three years" in c.quote)
    answer = generator.verified_answer(question, f"There have been nearly three years of conflict [{three}].",
                                       numbered, ranked)
    assert {c.source for c in answer.citations} == {"000_f3ed65131ccd6e47.txt", "003_001337cf8562453b.txt"}
    assert "four years" in answer.text and "different figure" in answer.text
