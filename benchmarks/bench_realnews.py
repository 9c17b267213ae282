"""Latency on real news, quiet machine: extractive and local ask() next to the peer (LangChain RAG tutorial, same
model) on the same questions, in one run.

    .venv/bin/python benchmarks/bench_realnews.py --docs evals/realnews/dev/docs \
        --questions evals/realnews/dev/questions.jsonl --index /tmp/idx-dev --peer-index /tmp/peer-idx-dev --sample 12

Needs the benchmark built by evals/realtimeqa.py and both indexes made (an eval run makes them). Run nothing else
meanwhile: on 2 cores any other process doubles these numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "evals"))

from assistant import Assistant, Settings
from assistant.evaluate import load_questions, percentile, sample_questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--peer-index", type=Path, default=None)
    parser.add_argument("--sample", type=int, default=12)
    args = parser.parse_args()
    questions = [q.question for q in sample_questions(load_questions(args.questions), args.sample)]
    rows: dict[str, dict[str, list[float]]] = {}
    for generator in ("extractive", "local"):
        assistant = Assistant(Settings(docs=args.docs, index=args.index, generator=generator))
        assistant.ask(questions[0])  # warm: index check, embedder, model server
        for question in questions:
            timings = assistant.ask(question).timings
            for key in ("total", "first_token"):
                if timings.get(key):
                    rows.setdefault(generator, {}).setdefault(key, []).append(timings[key])
    if args.peer_index:
        import peer_baseline

        store = peer_baseline.build_store(args.docs, args.peer_index)
        retriever = store.as_retriever(search_kwargs={"k": 4})
        chain = peer_baseline.tutorial_chain()
        peer_baseline.answer(chain, retriever, questions[0])
        for question in questions:
            timings = peer_baseline.answer(chain, retriever, question)[0].timings
            for key in ("total", "first_token"):
                rows.setdefault("peer (LangChain tutorial)", {}).setdefault(key, []).append(timings[key])
    print(f"{len(questions)} questions from {args.questions}\n")
    print("| backend | answer p50 | answer p95 | first token p50 | first token p95 |\n|---|---|---|---|---|")
    for name, found in rows.items():
        total, first = found.get("total", []), found.get("first_token", [])
        cells = [f"{statistics.median(total):.2f} s", f"{percentile(total, 95):.2f} s",
                 f"{statistics.median(first):.2f} s" if first else "–",
                 f"{percentile(first, 95):.2f} s" if first else "–"]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
