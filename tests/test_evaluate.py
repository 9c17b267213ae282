import json
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.evaluate import (
    QuestionFileError,
    check_thresholds,
    contains,
    load_questions,
    normalise,
    retrieval_scores,
    run_eval,
    token_f1,
    write_report,
)

ROOT = Path(__file__).resolve().parent.parent


def test_normalising_ignores_case_punctuation_articles_and_markers() -> None:
    assert normalise("The U.S. envoy, Steve Witkoff [1].") == "us envoy steve witkoff"
    assert normalise("a \u201cprolonged, grinding\u201d phase") == "prolonged grinding phase"
    assert token_f1("Kirill Dmitriev leads it [1]", "Kirill Dmitriev") == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert token_f1("nothing", "Kirill Dmitriev") == 0.0


def test_strict_and_lenient_scores() -> None:
    assert contains("The winner was Dana Miller [1].", "Dana Miller")
    assert not contains("Millerton council [1]", "Miller")  # whole words only
    assert contains("Dana Miller", "Miller") and not contains("Miller", "Dana Miller")


def test_in_chat_mode_a_question_that_stands_alone_is_answered_as_in_a_new_chat(seed_assistant: Assistant) -> None:
    """Asked one after another, standalone questions must not be taken for follow-ups of the one before."""
    questions = [q for q in load_questions(ROOT / "evals" / "questions.jsonl") if not q.history][:12]
    single_rows, single = run_eval(seed_assistant, questions)
    chat_rows, chat = run_eval(seed_assistant, questions, chat=True)
    assert (single["mode"], chat["mode"]) == ("single", "chat")
    assert [r["answer"] for r in chat_rows] == [r["answer"] for r in single_rows]


def test_retrieval_scores_count_each_file_once_at_its_best_rank() -> None:
    scores = retrieval_scores(["b.txt", "a.txt", "a.txt", "c.txt"], {"a.txt"})
    assert scores["hit@1"] == 0.0 and scores["hit@5"] == 1.0 and scores["mrr@10"] == 0.5
    assert 0 < scores["ndcg@10"] < 1
    assert retrieval_scores(["a.txt"], {"a.txt"})["ndcg@10"] == 1.0


def test_malformed_question_files_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "1", "question": "Q?", "answer": null, "gold_sources": []}\n{"id": 2}\n')
    with pytest.raises(QuestionFileError, match=r"q.jsonl:2"):
        load_questions(path)
    with pytest.raises(QuestionFileError, match="not found"):
        load_questions(tmp_path / "missing.jsonl")


def test_the_seed_question_set_is_complete() -> None:
    questions = load_questions(ROOT / "evals" / "questions.jsonl")
    kinds = [q.type for q in questions]
    assert len(questions) >= 60 and kinds.count("unanswerable") >= 15
    assert {"one_article", "both_articles", "disagreement", "follow_up"} <= set(kinds)
    assert all(q.history for q in questions if q.type == "follow_up")
    assert len({q.id for q in questions}) == len(questions)


def test_seed_eval_meets_the_recorded_thresholds(seed_assistant: Assistant, tmp_path: Path) -> None:
    """The CI quality gate: a drop in a headline metric fails the build."""
    questions = load_questions(ROOT / "evals" / "questions.jsonl")
    rows, summary = run_eval(seed_assistant, questions)
    report = write_report(tmp_path / "report", rows, summary, "seeds")
    thresholds = json.loads((ROOT / "evals" / "thresholds.json").read_text())
    assert check_thresholds(summary, thresholds) == [], report.read_text()
    assert {"report.md", "results.jsonl", "summary.json", "metrics_by_type.png", "latency.png"} <= {
        p.name for p in report.parent.iterdir()}
    assert len((report.parent / "results.jsonl").read_text().splitlines()) == len(questions)


def test_eval_command_writes_a_report_and_prints_the_table(docs, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "a", "question": "Who leads the Russian delegation?", "answer": "Kirill Dmitriev",
                    "gold_sources": ["003_001337cf8562453b.txt"], "type": "fact"}) + "\n"
        + json.dumps({"id": "b", "question": "Which football team won the cup?", "answer": None,
                      "gold_sources": []}) + "\n")
    env = {**os.environ, "ASSISTANT_INDEX": str(tmp_path / "i"), "ASSISTANT_GENERATOR": "extractive"}
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "eval", "--docs", str(docs), "--questions", str(questions),
         "--out", str(tmp_path / "out")], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "| answer_accuracy | 1.000 |" in result.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["overall"]["refused_unanswerable"] == 1.0


def test_verification_edits_and_fallbacks_are_counted() -> None:
    from assistant.evaluate import summarise

    base = {"type": "t", "gold": None, "answered": True, "refused": False, "timings": {"total": 1.0}}
    rows = [
        {**base, "id": "1", "notes": [{"kind": "claim_dropped", "message": "any wording"}]},
        {**base, "id": "2", "notes": [{"kind": "fallback", "message": "the model declined"}]},
        {**base, "id": "3", "notes": [{"kind": "sources_differ", "message": "re-cited dropped"}]},
        {**base, "id": "4", "notes": [{"kind": "recited", "message": "y"}]},
    ]
    summary = summarise(rows)
    assert summary["verification_edited"] == 0.5 and summary["extractive_fallback"] == 0.25


def test_the_report_names_the_backend_asked_even_when_the_first_answer_fell_back_to_extractive(
        seed_assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen: a local run's report headed "Generator: extractive" because its first answer was a fallback."""
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.answering.answer import ExtractiveGenerator
    from assistant.answering.llm import LLMGenerator
    from assistant.settings import PROMPTS

    model = LLMGenerator("local", lambda: FakeListChatModel(responses=['{"answer": "", "passage": 0}']), PROMPTS,
                         ExtractiveGenerator())
    monkeypatch.setattr(seed_assistant, "generator", model)
    questions = [q for q in load_questions(ROOT / "evals" / "questions.jsonl") if q.answer is not None][:1]
    rows, summary = run_eval(seed_assistant, questions)
    assert rows[0]["generator"] == "extractive" and rows[0]["answered"]  # the model found nothing: extractive
    assert summary["generator"] == "local"
