"""Refit the answer-or-refuse model (assistant/answerability.json) on the real-news dev split.

    .venv/bin/python evals/realtimeqa.py --repo PATH --out evals/realnews/dev --split dev
    .venv/bin/python evals/fit_answerability.py --docs evals/realnews/dev/docs \
        --questions evals/realnews/dev/questions.jsonl

For every question it runs the assistant's own retrieval, sentence ranking and `decide.signals()`, fits a
logistic regression (answerable vs not; Newton's method with a small L2 penalty), and picks the highest
threshold whose false refusals on dev stay within --max-false-refusals. It prints the trade-off curve and a
5-fold cross-validated estimate, so the dev numbers are not only in-sample. Never fit on the test split.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Assistant, Settings
from assistant.answering.answer import rank_sentences
from assistant.answering.decide import MODEL_FILE, AnswerabilityModel, signals
from assistant.answering.followup import with_context
from assistant.evaluate import load_questions

L2 = 0.5


def collect(assistant: Assistant, questions) -> tuple[list[dict[str, float]], np.ndarray]:
    assistant.ensure_index()
    keyword = assistant.retriever.keyword_index
    rows, labels = [], []
    for question in questions:
        query = with_context(question.question, question.history or None)
        retrieval = assistant.retriever.search(query)
        ranked = rank_sentences(query, retrieval.passages, keyword, assistant.settings.embed_threads)
        rows.append(signals(query, retrieval, ranked, keyword))
        labels.append(question.answer is not None)
    return rows, np.array(labels, dtype=float)


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method; the bias is not penalised."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(w)), gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def probabilities(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x @ weights + bias, -30, 30)))


def pick_threshold(p: np.ndarray, y: np.ndarray, max_false_refusals: float) -> float:
    """The highest threshold that refuses at most that share of the answerable questions."""
    answerable = np.sort(p[y == 1])
    allowed = int(np.floor(max_false_refusals * len(answerable)))
    return float(answerable[allowed]) if len(answerable) else 0.5


def rates(p: np.ndarray, y: np.ndarray, threshold: float) -> tuple[float, float]:
    refused = p < threshold
    return float(refused[y == 0].mean()), float(refused[y == 1].mean())


def cross_validated(x: np.ndarray, y: np.ndarray, max_false_refusals: float, folds: int = 5) -> tuple[float, float]:
    order = list(range(len(y)))
    random.Random(7).shuffle(order)
    refused_unanswerable, wrongly_refused = [], []
    for fold in range(folds):
        held_out = set(order[fold::folds])
        held = np.array(order[fold::folds])
        train = np.array([i for i in order if i not in held_out])
        weights, bias = fit(x[train], y[train])
        threshold = pick_threshold(probabilities(x[train], weights, bias), y[train], max_false_refusals)
        p = probabilities(x[held], weights, bias)
        refused = p < threshold
        refused_unanswerable += list(refused[y[held] == 0])
        wrongly_refused += list(refused[y[held] == 1])
    return float(np.mean(refused_unanswerable)), float(np.mean(wrongly_refused))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--index", type=Path, default=None, help="index folder [a temporary one]")
    parser.add_argument("--max-false-refusals", type=float, default=0.04)
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args()
    index = args.index or Path(tempfile.mkdtemp(prefix="fit-index-"))
    assistant = Assistant(Settings(docs=args.docs, index=index, generator="extractive"))
    rows, y = collect(assistant, load_questions(args.questions))
    names = list(rows[0])
    x = np.array([[row[n] for n in names] for row in rows])
    weights, bias = fit(x, y)
    p = probabilities(x, weights, bias)
    threshold = pick_threshold(p, y, args.max_false_refusals)
    model = AnswerabilityModel({n: round(float(w), 4) for n, w in zip(names, weights)}, round(bias, 4),
                               round(threshold, 4))
    args.out.write_text(json.dumps({**model.to_dict(), "fitted_on": str(args.questions),
                                    "questions": len(y), "max_false_refusals": args.max_false_refusals},
                                   indent=1) + "\n", encoding="utf-8")
    print("weights:", json.dumps(model.weights), "bias", model.bias, "threshold", model.threshold)
    print(f"{'threshold':>10} {'refused unanswerable':>21} {'wrongly refused':>16}")
    for t in sorted({*np.round(np.linspace(0.1, 0.9, 9), 2), threshold}):
        print(f"{t:>10.3f} {rates(p, y, t)[0]:>21.3f} {rates(p, y, t)[1]:>16.3f}")
    cv = cross_validated(x, y, args.max_false_refusals)
    print(f"in-sample at {threshold:.3f}: refused unanswerable {rates(p, y, threshold)[0]:.3f}, "
          f"wrongly refused {rates(p, y, threshold)[1]:.3f}; 5-fold CV: {cv[0]:.3f}, {cv[1]:.3f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
