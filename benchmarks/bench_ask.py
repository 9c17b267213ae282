"""Time ingest and ask() per stage on a documents folder, next to a dense-only baseline in the same run.

    .venv/bin/python benchmarks/bench_ask.py [--docs seeds] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from assistant import Assistant, Settings
from assistant.evaluate import percentile
from assistant.library.embed import get_embedder

QUESTIONS = [
    "Who leads the Russian delegation?",
    "Where did previous discussions take place?",
    "What did Rubio say about forcing a deal?",
    "When were Putin's demands first laid out?",
    "What did the Chinese foreign minister say?",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=Path, default=Path("seeds"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as index:
        assistant = Assistant(Settings(docs=args.docs, index=Path(index), generator="extractive"))
        started = time.perf_counter()
        get_embedder()
        load_model = time.perf_counter() - started
        report = assistant.ingest()
        print(f"embedding model load: {load_model:.2f}s")
        print(f"ingest {args.docs}: {report.summary()}")
        again = assistant.ingest()
        print(f"re-ingest (nothing changed): {again.seconds:.2f}s")
        stages: dict[str, list[float]] = {}
        baseline: list[float] = []
        for _ in range(args.repeat):
            for question in QUESTIONS:
                for stage, seconds in assistant.ask(question).timings.items():
                    stages.setdefault(stage, []).append(seconds)
                mark = time.perf_counter()
                assistant.store.collection.query(query_texts=[question], n_results=4)
                baseline.append(time.perf_counter() - mark)
        print(f"\n{'stage':<28}{'median ms':>10}{'p95 ms':>10}")
        for stage, values in stages.items():
            print(f"{stage:<28}{statistics.median(values) * 1000:>10.1f}{_p95(values) * 1000:>10.1f}")
        label = "baseline: dense top-4 only"
        print(f"{label:<28}{statistics.median(baseline) * 1000:>10.1f}{_p95(baseline) * 1000:>10.1f}")


def _p95(values: list[float]) -> float:
    return percentile(values, 95)


if __name__ == "__main__":
    main()
