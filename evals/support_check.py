"""Scores the claim-support check on labelled pairs: does it catch unsupported claims and pass supported ones?

    python evals/support_check.py                      # both splits, by kind
    python evals/support_check.py --split heldout --errors
    python evals/support_check.py --json report.json   # what CI's floor reads

"Positive" is an unsupported claim: precision is the share of flagged claims that really are unsupported,
recall the share of unsupported claims flagged. Supported paraphrases that pass are the other half of the job.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from functools import partial
from pathlib import Path

from assistant.answering.support import support
from assistant.answering.word_meaning import word_meaning
from assistant.tuning import NEAR_SYNONYM

PAIRS = Path(__file__).with_name("support_pairs.jsonl")


def load_pairs(path: Path = PAIRS, split: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split in (None, "all", r["split"])]


def score(pairs: list[dict], check=support) -> dict[str, float]:
    flagged = [not check(p["claim"], p["quote"]).supported for p in pairs]
    unsupported = [not p["supported"] for p in pairs]
    caught = sum(f and u for f, u in zip(flagged, unsupported))
    passed = sum(not f and not u for f, u in zip(flagged, unsupported))
    return {
        "pairs": len(pairs),
        "precision": caught / max(1, sum(flagged)),
        "recall": caught / max(1, sum(unsupported)),
        "supported_passed": passed / max(1, len(pairs) - sum(unsupported)),
        "accuracy": (caught + passed) / max(1, len(pairs)),
    }


def by_kind(pairs: list[dict], check=support) -> dict[str, tuple[int, int]]:
    """kind → (judged right, pairs)."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in pairs:
        right = check(p["claim"], p["quote"]).supported == p["supported"]
        tally[p["kind"]][0] += right
        tally[p["kind"]][1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(tally.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="all", choices=["all", "tune", "heldout"])
    parser.add_argument("--errors", action="store_true", help="print the pairs judged wrongly")
    parser.add_argument("--json", type=Path, help="write the scores here")
    parser.add_argument("--word-meaning", action="store_true",
                        help="also match words by meaning, as the draft checker does (word_meaning.py)")
    parser.add_argument("--near", type=float, nargs="+", default=[NEAR_SYNONYM],
                        help="with --word-meaning: the cosine at which two words match (several: one row each)")
    args = parser.parse_args()
    if args.word_meaning:
        meaning = word_meaning()
        for near in args.near[:-1]:
            for split in ("tune", "heldout"):
                found = score(load_pairs(split=split), partial(support, meaning=meaning, near=near))
                print(f"near {near:.2f} {split:8} " + "  ".join(f"{k} {v:.3f}" for k, v in found.items()
                                                                 if isinstance(v, float)))
    check = partial(support, meaning=word_meaning(), near=args.near[-1]) if args.word_meaning else support
    report = {}
    for split in (["tune", "heldout", "all"] if args.split == "all" else [args.split]):
        pairs = load_pairs(split=split)
        report[split] = score(pairs, check)
        print(f"{split:8} " + "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                        for k, v in report[split].items()))
    pairs = load_pairs(split=args.split)
    print("by kind (right/pairs): " + ", ".join(f"{k} {r}/{n}" for k, (r, n) in by_kind(pairs, check).items()))
    if args.errors:
        for p in pairs:
            result = check(p["claim"], p["quote"])
            if result.supported != p["supported"]:
                label = "supported" if p["supported"] else "unsupported"
                print(f"\n#{p['id']} [{p['kind']}, {label}] problems={result.problems}\n  claim: {p['claim']}\n"
                      f"  quote: {p['quote']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
