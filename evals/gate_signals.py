"""Print the refusal-gate signals (coverage, best sentence overlap and similarity) for a question file,
and how a sweep of coverage thresholds trades refusals of unanswerables against false refusals.

    .venv/bin/python evals/gate_signals.py --docs seeds --questions evals/questions.jsonl
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from assistant import Assistant, Settings
from assistant.answer import COVERAGE_FLOOR, unknown_names
from assistant.evaluate import load_questions
from assistant.retrieve import standalone_query


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=Path, default=Path("seeds"))
    parser.add_argument("--questions", type=Path, default=Path("evals/questions.jsonl"))
    parser.add_argument("--index", type=Path, default=None)
    args = parser.parse_args()
    index = args.index or Path(tempfile.mkdtemp())
    assistant = Assistant(Settings(docs=args.docs, index=index, generator="extractive"))
    assistant.ensure_index()
    signals = []
    for q in load_questions(args.questions):
        query = standalone_query(q.question, q.history or None)
        retrieval = assistant.retriever.search(query)
        ranked = assistant.generator.rank_sentences(query, retrieval.passages, assistant.retriever.keyword_index)
        best = ranked[0]
        unknown = bool(unknown_names(query, assistant.retriever.keyword_index))
        signals.append((q.answer is not None, retrieval.coverage, best.lexical, best.dense, unknown))
    answerable = [s for s in signals if s[0]]
    unanswerable = [s for s in signals if not s[0]]
    print(f"{'min_coverage':>12} {'refused unanswerable':>21} {'wrongly refused':>16}")
    for threshold in [x / 20 for x in range(4, 14)]:
        def refused(s):
            if s[4] or s[1] < COVERAGE_FLOOR:
                return True
            return not ((s[1] >= threshold and s[2] >= 0.25) or (s[3] >= 0.55 and s[2] >= 0.15 and s[1] >= 0.3))
        print(f"{threshold:>12.2f} {sum(map(refused, unanswerable)) / max(1, len(unanswerable)):>21.2f} "
              f"{sum(map(refused, answerable)) / max(1, len(answerable)):>16.2f}")


if __name__ == "__main__":
    main()
