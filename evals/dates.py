"""Publication dates on real news files without header lines: are the dates the loader gives right?

    .venv/bin/python evals/dates.py --repo PATH [--out /tmp/dates-bench] [--articles 3000]

PATH is a clone or bare git directory of github.com/realtimeqa/realtimeqa_public. The articles are those whose
URL carries a date (the gold: /YYYY/MM/DD/ in the address the publisher gave), from every week of 2022-2026.
Each is written twice, the way articles arrive without a publisher's header:

- `bare/`: the title, a blank line and the text (no `Publisher:`, `URL:` or `Date:` line);
- `with-url/`: the same with the article's `URL:` line kept.

Every file is loaded with the assistant's own loader; the report gives, per variant, how many dates were given
(coverage) and how many of those are the gold date (precision), where the dates came from, and the wrong ones.
The data has no licence: the files go to --out (outside the repository); only counts are printed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from realtimeqa import SPLITS, URL_DATE, Article, Repository, read_weeks

from assistant.library.load import load_document

SEED = 20240101


def dated_articles(repo: Repository, count: int, seed: int = SEED) -> list[tuple[Article, str]]:
    """Up to `count` distinct articles whose URL holds a date, with that date, in a fixed random order."""
    found: dict[str, tuple[Article, str]] = {}
    for question in read_weeks(repo, ("2022", *SPLITS["all"])):
        for article in question.articles:
            if article.url not in found and (match := URL_DATE.search(article.url)):
                year, month, day = (g for g in match.groups() if g)
                found[article.url] = (article, f"{year}-{month}-{day}")
    chosen = sorted(found.values(), key=lambda pair: pair[0].url)
    random.Random(seed).shuffle(chosen)
    return chosen[:count]


def write_variants(articles: list[tuple[Article, str]], out: Path) -> dict[str, dict[str, str]]:
    """The files of each variant: variant → file name → gold date."""
    variants: dict[str, dict[str, str]] = {"bare": {}, "with-url": {}}
    for variant in variants:
        (out / variant).mkdir(parents=True, exist_ok=True)
    for article, gold in articles:
        title, body = article.title.strip() or "(untitled)", article.text.strip()
        name = article.file_name
        (out / "bare" / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        (out / "with-url" / name).write_text(f"{title}\nURL: {article.url}\n\n{body}\n", encoding="utf-8")
        for variant in variants:
            variants[variant][name] = gold
    return variants


def score(folder: Path, gold: dict[str, str]) -> dict[str, object]:
    given = right = 0
    sources: Counter[str] = Counter()
    wrong: list[tuple[str, str, str, str]] = []
    for name, expected in sorted(gold.items()):
        document = load_document(folder / name, folder)
        if not document.date:
            continue
        given += 1
        sources[document.date_source] += 1
        if document.date == expected:
            right += 1
        else:
            wrong.append((name, document.date, expected, document.date_source))
    return {"files": len(gold), "dates_given": given, "right": right,
            "precision": right / given if given else 1.0, "coverage": given / len(gold) if gold else 0.0,
            "found_in": dict(sources), "wrong": wrong[:20]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("/tmp/dates-bench"))
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args(argv)
    variants = write_variants(dated_articles(Repository(args.repo), args.articles), args.out)
    results = {variant: score(args.out / variant, gold) for variant, gold in variants.items()}
    print("| files | dates given | right | precision | coverage | found in |")
    print("|---|---|---|---|---|---|")
    for variant, result in results.items():
        print(f"| {variant} ({result['files']}) | {result['dates_given']} | {result['right']} | "
              f"{result['precision']:.3f} | {result['coverage']:.3f} | {result['found_in']} |")
    (args.out / "report.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"\nwrong dates (file, given, gold, found in): {args.out / 'report.json'}")


if __name__ == "__main__":
    main()
