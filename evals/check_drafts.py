"""Score the draft checker on evals/drafts.jsonl: sentences written from the real-news dev articles, labelled
supported (near-verbatim and paraphrased), contradicted (a figure, a date, a name, a negation, a role swapped)
or not found (plausible, on-topic, in no dev article), split by article into tune and held-out.

    .venv/bin/python evals/check_drafts.py --docs evals/realnews/dev/docs [--index DIR] [--split heldout]

evals/drafts_test.jsonl (split "fresh") is a second held-out set, written the same way from ten articles of the
real-news test split after the checker had been tuned and its first held-out split seen; it is never tuned on:

    .venv/bin/python evals/check_drafts.py --drafts evals/drafts_test.jsonl --docs evals/realnews/test/docs --index DIR

Prints per-label precision and recall for each split, how often the kind of difference is right, how many wrong
verdicts had their source article among the passages read (a reading miss, not a retrieval one), and the time to
check 10-sentence drafts; --out writes the numbers and every verdict as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Assistant, Settings
from assistant.newsroom.check import check_draft
from assistant.tuning import CHECK_PASSAGES

LABELS = ("supported", "contradicted", "not_found")
SPLITS = ("tune", "heldout", "fresh")
DRAFTS = Path(__file__).resolve().parent / "drafts.jsonl"


def scores(items: list[dict], verdicts: list[dict]) -> dict[str, object]:
    found: dict[str, object] = {}
    for label in LABELS:
        predicted = [v for v in verdicts if v["verdict"] == label]
        actual = [i for i in items if i["label"] == label]
        right = sum(1 for i, v in zip(items, verdicts) if i["label"] == label and v["verdict"] == label)
        found[label] = {"precision": right / len(predicted) if predicted else 0.0,
                        "recall": right / len(actual) if actual else 0.0, "n": len(actual)}
    kinds = [(i["differs"], v["differs"]) for i, v in zip(items, verdicts)
             if i["label"] == "contradicted" and v["verdict"] == "contradicted"]
    found["differs_right"] = sum(a == b for a, b in kinds) / len(kinds) if kinds else 0.0
    found["accuracy"] = sum(i["label"] == v["verdict"] for i, v in zip(items, verdicts)) / len(items)
    return found


def source_retrieved(assistant: Assistant, item: dict) -> bool:
    """Was the sentence's source article among the passages the checker read for it (retrieval or reading?)."""
    passages = assistant.retriever.search(item["text"], k=CHECK_PASSAGES).passages
    return any(p.chunk.source == item["source"] for p in passages)


def timed_drafts(assistant: Assistant, items: list[dict], size: int = 10) -> list[float]:
    """Seconds to check drafts of `size` sentences (the items in file order, `size` at a time)."""
    seconds = []
    for start in range(0, len(items) - size + 1, size):
        draft = " ".join(i["text"] for i in items[start:start + size])
        began = time.perf_counter()
        checked = check_draft(assistant, draft)
        seconds.append(time.perf_counter() - began)
        assert len(checked.sentences) >= size - 1, "a draft's sentences were lost"
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=Path("evals/realnews/dev/docs"))
    parser.add_argument("--index", type=Path, default=Path(".assistant"))
    parser.add_argument("--drafts", type=Path, default=DRAFTS, help="the labelled sentences (JSON lines)")
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--show", action="store_true", help="print every wrong verdict")
    args = parser.parse_args()
    assistant = Assistant(Settings(docs=args.docs, index=args.index, generator="extractive"))
    assistant.ingest()
    items = [json.loads(line) for line in args.drafts.read_text().splitlines() if line.strip()]
    items = [i for i in items if args.split == "all" or i["split"] == args.split]
    check_draft(assistant, "Warm-up sentence.")
    verdicts = []
    for item in items:
        [sentence] = check_draft(assistant, item["text"]).sentences
        verdicts.append({"id": item["id"], "verdict": sentence.verdict, "differs": sentence.differs,
                         "citations": [f"{c.source}:{c.start}-{c.end}" for c in sentence.citations]})
        if sentence.verdict != item["label"] and item["source"]:
            verdicts[-1]["source_retrieved"] = source_retrieved(assistant, item)
        if args.show and sentence.verdict != item["label"]:
            print(f"#{item['id']} {item['label']}/{item['differs']} -> {sentence.verdict}/{sentence.differs}: "
                  f"{item['text']}\n    {[c.quote[:100] for c in sentence.citations]}")
    report: dict[str, object] = {}
    for split in SPLITS:
        chosen = [(i, v) for i, v in zip(items, verdicts) if i["split"] == split]
        if chosen:
            report[split] = scores([i for i, _ in chosen], [v for _, v in chosen])
    for split in SPLITS:
        missed = [v for i, v in zip(items, verdicts) if i["split"] == split and "source_retrieved" in v]
        if missed:
            report[split]["wrong_with_source_retrieved"] = (  # type: ignore[index]
                f"{sum(v['source_retrieved'] for v in missed)}/{len(missed)}")
    seconds = timed_drafts(assistant, items)
    report["ten_sentence_draft_s"] = {"p50": statistics.median(seconds), "max": max(seconds), "drafts": len(seconds)}
    print("| split | label | precision | recall | n |\n|---|---|---|---|---|")
    for split in SPLITS:
        if split in report:
            for label in LABELS:
                s = report[split][label]  # type: ignore[index]
                print(f"| {split} | {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['n']} |")
    for split in SPLITS:
        if split in report:
            print(f"{split}: accuracy {report[split]['accuracy']:.3f}, kind of difference right "  # type: ignore[index]
                  f"{report[split]['differs_right']:.3f}, wrong verdicts whose source article was retrieved "  # type: ignore[index]
                  f"{report[split].get('wrong_with_source_retrieved', '0/0')}")  # type: ignore[index,union-attr]
    print(f"10-sentence draft: p50 {report['ten_sentence_draft_s']['p50']:.2f} s, "  # type: ignore[index]
          f"max {report['ten_sentence_draft_s']['max']:.2f} s")  # type: ignore[index]
    if args.out:
        args.out.write_text(json.dumps({"scores": report, "verdicts": verdicts}, indent=1) + "\n")


if __name__ == "__main__":
    main()
