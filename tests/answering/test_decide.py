"""The answer-or-refuse stage: the shipped model, its signals, the fit, and the words a refusal uses."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import CANNOT_ANSWER, Assistant
from assistant.answering.decide import AnswerabilityModel, decide, load_model, signals

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "evals"))
import fit_models


def _decision(assistant: Assistant, question: str, model: AnswerabilityModel | None = None):
    found = assistant.gather(question)
    return (decide(question, found.retrieval, found.reading, found.keyword, model),
            signals(question, found.retrieval, found.reading, found.keyword))


def test_the_shipped_model_weighs_exactly_the_signals_the_code_computes(seed_assistant: Assistant) -> None:
    model = load_model()
    _, found = _decision(seed_assistant, "Who leads the Russian delegation?")
    assert set(model.weights) == set(found)
    assert 0 < model.threshold < 1


def test_a_stated_fact_is_more_likely_answerable_than_an_unmentioned_one(seed_assistant: Assistant) -> None:
    stated, _ = _decision(seed_assistant, "Who leads the Russian delegation?")
    absent, _ = _decision(seed_assistant, "Which football team won the championship?")
    assert stated.answer and not absent.answer
    assert stated.probability > absent.probability


def test_a_refusal_says_in_plain_words_what_the_articles_lack(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask("What did Angela Merkel say about the Florida talks?")
    assert not answer.answered and answer.text == CANNOT_ANSWER
    assert [n.message for n in answer.notes] == ["None of the 2 articles mentions Angela Merkel."]
    opening = seed_assistant.ask("Angela Merkel said what about the Florida talks?")  # a name that opens the question
    assert [n.message for n in opening.notes] == ["None of the 2 articles mentions Angela Merkel."]


def test_the_threshold_setting_trades_refusals_for_answers(seed_assistant: Assistant) -> None:
    strict = AnswerabilityModel(load_model().weights, load_model().bias, threshold=1.0)
    lenient = AnswerabilityModel(load_model().weights, load_model().bias, threshold=0.0)
    assert not _decision(seed_assistant, "Who leads the Russian delegation?", strict)[0].answer
    assert _decision(seed_assistant, "Which football team won the championship?", lenient)[0].answer


def test_the_fit_separates_signals_that_separate_and_keeps_false_refusals_within_bounds() -> None:
    rng = np.random.default_rng(3)
    answerable = rng.normal(0.7, 0.1, size=(200, 2))
    unanswerable = rng.normal(0.3, 0.1, size=(200, 2))
    x = np.vstack([answerable, unanswerable])
    y = np.array([1.0] * 200 + [0.0] * 200)
    weights, bias = fit_models.fit_logistic(x, y)
    p = fit_models.sigmoid(x @ weights + bias)
    threshold = fit_models.pick_threshold(p, y, 0.05)
    refused_unanswerable, wrongly_refused = (p < threshold)[y == 0].mean(), (p < threshold)[y == 1].mean()
    assert weights.min() > 0
    assert wrongly_refused <= 0.05 and refused_unanswerable > 0.9


@pytest.mark.parametrize("share", [0.0, 0.1])
def test_the_threshold_is_picked_to_refuse_at_most_the_allowed_share(share: float) -> None:
    p = np.linspace(0.01, 0.99, 100)
    y = np.ones(100)
    threshold = fit_models.pick_threshold(p, y, share)
    assert (p < threshold)[y == 1].mean() <= share
