"""Accuracy on the real-news questions that are about time ("this week", "recently", "latest", "today" …),
with and without the quiz date as `as_of`, for the time boosts given (default: those in assistant/tuning.py).

    python evals/time_questions.py --split dev                       # before (no dates) and after
    python evals/time_questions.py --split dev --boosts 0.5,0.3 1,0  # try other (time, recency) boosts
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from assistant import Assistant, Settings, tuning
from assistant.answering import retrieve
from assistant.evaluate import load_questions, normalise

TIME_WORDS = re.compile(r"\b(this week|last week|recently|latest|this month|yesterday|today|this year|newest|"
                        r"most recent)\b", re.I)
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev", choices=["dev", "test"])
    parser.add_argument("--index", type=Path, help="index folder [.assistant-realnews-<split>]")
    parser.add_argument("--boosts", nargs="*", default=[f"{tuning.TIME_BOOST},{tuning.RECENCY_BOOST}"],
                        help="time,recency pairs to try with the quiz date as as_of")
    args = parser.parse_args()
    folder = ROOT / "evals" / "realnews" / args.split
    questions = [q for q in load_questions(folder / "questions.jsonl") if TIME_WORDS.search(q.question)]
    assistant = Assistant(Settings(docs=folder / "docs", generator="extractive",
                                   index=args.index or ROOT / f".assistant-realnews-{args.split}"))
    assistant.ensure_index()
    runs = [("before: no dates", 0.0, 0.0, False)]
    runs += [(f"after: time {t}, recency {r}", float(t), float(r), True)
             for t, r in (pair.split(",") for pair in args.boosts)]
    answerable = sum(q.answer is not None for q in questions)
    for label, time_boost, recency_boost, use_dates in runs:
        retrieve.TIME_BOOST, retrieve.RECENCY_BOOST = time_boost, recency_boost
        correct = refused = wrongly = 0
        for question in questions:
            answer = assistant.ask(question.question, as_of=question.as_of if use_dates else None)
            if question.answer is None:
                refused += not answer.answered
            else:
                correct += answer.answered and normalise(question.answer) in normalise(answer.text)
                wrongly += not answer.answered
        print(f"{args.split} {label}: answerable correct {correct}/{answerable} ({correct / answerable:.3f}), "
              f"unanswerable refused {refused}/{len(questions) - answerable}, wrongly refused {wrongly}", flush=True)


if __name__ == "__main__":
    main()
