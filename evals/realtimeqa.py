"""Build the real-news benchmark from a local copy of RealTime QA (github.com/realtimeqa/realtimeqa_public).

    .venv/bin/python evals/realtimeqa.py --repo PATH --out evals/realnews/dev --split dev
    .venv/bin/python evals/realtimeqa.py --repo PATH --out evals/realnews/test --split test

PATH is a clone or a bare git directory of that repository. For each weekly quiz it holds the questions
(`past/YYYY/YYYYMMDD_qa.jsonl`) and the text of the articles a web search returned for each question
(`past/YYYY/YYYYMMDD_gcs.jsonl`). The builder writes:

- `OUT/docs/`: one article per file: a title line, then `Publisher:`, `URL:` and `Date:` lines (the date taken
  from the URL, else the search result's publish date), a blank line and the article text;
- `OUT/questions.jsonl` in the eval format. Answerable: the normalised correct choice appears in one of the
  question's own articles; `gold_sources` are those articles (the ones kept in the corpus). Unanswerable
  (`answer` null):
  real questions from the same weeks whose articles were left out and whose answer is in no corpus file.
- `OUT/manifest.json`: the split, seed, counts and question ids.

Splits by week: dev = 2023 (tune here), test = 2024-2026 (report). `--split fit --shards N` builds N corpora like
dev from every week outside the test split (2022 and 2023, the weeks dealt out in turn), each with all its
answerable questions, for fitting the decision and reader models on thousands of questions
(`evals/fit_models.py`); the test weeks are never used to fit. The data has no licence: the output folder is
git-ignored, and only ids and metrics are committed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.evaluate import normalise

SPLITS = {"dev": ("2023",), "test": ("2024", "2025", "2026"), "all": ("2023", "2024", "2025", "2026"),
          "fit": ("2022", "2023")}  # fit: every week outside the test split, for the fitted models
SEED = 20230101
GOLD_PER_QUESTION = 3  # answer-holding articles kept per answerable question
DISTRACTORS_PER_QUESTION = 2  # other search results kept beside them
MIN_ARTICLE_CHARS = 400
# Questions that only make sense with their multiple-choice options in view.
NEEDS_CHOICES = re.compile(r"\b(of the following|of these|following is|is not true|none of the above)\b", re.I)
UNUSABLE_ANSWER = re.compile(r"^(all|none|both|neither)\b|^(yes|no|true|false)$|\babove\b", re.I)
URL_DATE = re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/|/(20\d\d)-(\d\d)-(\d\d)")


@dataclass
class Article:
    url: str
    title: str
    text: str
    published: str  # YYYY-MM-DD, or "" when neither URL nor search result gives it
    normalised: str = ""

    @property
    def file_name(self) -> str:
        return hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:16] + ".txt"

    def holds(self, answer: str) -> bool:
        if not self.normalised:
            self.normalised = f" {normalise(self.title + ' ' + self.text)} "
        return f" {answer} " in self.normalised

    def render(self) -> str:
        publisher = (urlparse(self.url).hostname or "").removeprefix("www.")
        header = [self.title.strip() or "(untitled)", f"Publisher: {publisher}", f"URL: {self.url}"]
        if self.published:
            header.append(f"Date: {self.published}")
        return "\n".join(header) + "\n\n" + self.text.strip() + "\n"


@dataclass
class QuizQuestion:
    id: str
    week: str
    text: str
    answer: str
    date: str
    articles: list[Article] = field(default_factory=list)

    @property
    def normalised_answer(self) -> str:
        return normalise(self.answer)


# --- reading the repository ---------------------------------------------------------------------------

class Repository:
    """A working tree (has `past/`) or a bare git directory of the RealTime QA repository."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.is_tree = (path / "past").is_dir()
        if not self.is_tree and not (path / "HEAD").is_file() and not (path / ".git").exists():
            raise SystemExit(f"{path}: neither a checkout with past/ nor a git directory")

    def files(self, folder: str) -> list[str]:
        if self.is_tree:
            return sorted(p.relative_to(self.path).as_posix() for p in (self.path / folder).rglob("*") if p.is_file())
        listed = self._git("ls-tree", "-r", "--name-only", "HEAD", folder + "/")
        return sorted(listed.split())

    def read(self, name: str) -> str:
        return (self.path / name).read_text(encoding="utf-8") if self.is_tree else self._git("show", f"HEAD:{name}")

    def _git(self, *args: str) -> str:
        done = subprocess.run(["git", "--git-dir", str(self.path), *args], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"git {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout


def jsonl(text: str) -> Iterator[dict]:
    for line in text.splitlines():
        if line.strip():
            yield json.loads(line)


def article_date(url: str, published: str) -> str:
    if match := URL_DATE.search(url):
        year, month, day = (g for g in match.groups() if g)
        return f"{year}-{month}-{day}"
    if match := re.match(r"(\d{4})/(\d{2})/(\d{2})", published or ""):
        return "-".join(match.groups())
    return ""


def read_weeks(repo: Repository, years: tuple[str, ...]) -> list[QuizQuestion]:
    """Every usable question of the given years, with its own search results (one Article per URL)."""
    articles: dict[str, Article] = {}
    questions = []
    for year in years:
        files = set(repo.files(f"past/{year}"))
        # one quiz a week: YYYYMMDD_qa.jsonl beside its search results (2022 also has cumulative files without)
        weekly = (f for f in files if f.endswith("_qa.jsonl") and f.replace("_qa.jsonl", "_gcs.jsonl") in files)
        for qa_file in sorted(weekly):
            week = Path(qa_file).name[:8]
            results = {row["question_id"]: row.get("search_result") or []
                       for row in jsonl(repo.read(qa_file.replace("_qa.jsonl", "_gcs.jsonl")))}
            for row in jsonl(repo.read(qa_file)):
                question = _question(row, week)
                if question is None:
                    continue
                for hit in results.get(question.id, []):
                    text = (hit.get("text") or "").strip()
                    if len(text) < MIN_ARTICLE_CHARS or not hit.get("url"):
                        continue
                    article = articles.setdefault(hit["url"], Article(
                        hit["url"], hit.get("title") or "", text, article_date(hit["url"], hit.get("publish_date"))))
                    question.articles.append(article)
                questions.append(question)
    return questions


def _question(row: dict, week: str) -> QuizQuestion | None:
    try:
        answer = row["choices"][int(row["answer"][0])]
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    text = " ".join(str(row.get("question_sentence", "")).split())
    norm = normalise(answer)
    if not text or NEEDS_CHOICES.search(text) or len(norm) < 3 or UNUSABLE_ANSWER.search(norm):
        return None
    date = str(row.get("question_date", "")).replace("/", "-")
    return QuizQuestion(str(row["question_id"]), week, text, answer.strip(), date)


# --- choosing questions and corpus --------------------------------------------------------------------

@dataclass
class Benchmark:
    articles: dict[str, Article]  # file name -> article
    answerable: list[tuple[QuizQuestion, list[str]]]  # with gold file names
    unanswerable: list[QuizQuestion]


def build(questions: list[QuizQuestion], answerable: int | None, unanswerable: int | None,
          seed: int = SEED, full: bool = False) -> Benchmark:
    """Sample questions and the corpus around them. `None` counts take every eligible question."""
    rng = random.Random(seed)
    eligible = [q for q in questions if any(a.holds(q.normalised_answer) for a in q.articles)]
    rng.shuffle(eligible)
    chosen = eligible if answerable is None else eligible[:answerable]
    corpus: dict[str, Article] = {}
    for question in chosen:
        if full:
            keep = question.articles
        else:
            gold = [a for a in question.articles if a.holds(question.normalised_answer)][:GOLD_PER_QUESTION]
            others = [a for a in question.articles if a not in gold][:DISTRACTORS_PER_QUESTION]
            keep = gold + others
        for article in keep:
            corpus[article.file_name] = article
    chosen_ids = {q.id for q in chosen}
    weeks = {q.week for q in chosen}
    rest = sorted((q for q in questions if q.id not in chosen_ids and q.week in weeks), key=lambda q: q.id)
    rng.shuffle(rest)
    refused: list[QuizQuestion] = []
    for question in rest:
        if unanswerable is not None and len(refused) >= unanswerable:
            break
        if _left_out(question, corpus):
            refused.append(question)
    with_gold = [(q, sorted({a.file_name for a in q.articles
                             if a.file_name in corpus and a.holds(q.normalised_answer)})) for q in chosen]
    return Benchmark(corpus, with_gold, refused)


def _left_out(question: QuizQuestion, corpus: dict[str, Article]) -> bool:
    """None of the question's own articles is in the corpus, and no corpus file holds its answer."""
    if any(a.file_name in corpus for a in question.articles):
        return False
    return not any(a.holds(question.normalised_answer) for a in corpus.values())


def write(benchmark: Benchmark, out: Path, split: str, seed: int) -> None:
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for old in docs.glob("*.txt"):
        if old.name not in benchmark.articles:
            old.unlink()
    for name, article in sorted(benchmark.articles.items()):
        (docs / name).write_text(article.render(), encoding="utf-8")
    rows = [_row(q, gold) for q, gold in benchmark.answerable] + [_row(q, None) for q in benchmark.unanswerable]
    rows.sort(key=lambda r: r["id"])
    with (out / "questions.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    manifest = {
        "source": "realtimeqa/realtimeqa_public", "split": split, "years": list(SPLITS[split]), "seed": seed,
        "articles": len(benchmark.articles), "answerable": len(benchmark.answerable),
        "unanswerable": len(benchmark.unanswerable), "question_ids": [r["id"] for r in rows],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def _row(question: QuizQuestion, gold: list[str] | None) -> dict[str, object]:
    return {
        "id": question.id, "question": question.text, "answer": question.answer if gold is not None else None,
        "gold_sources": gold or [], "type": "answerable" if gold is not None else "unanswerable",
        "as_of": question.date,
    }


def write_shards(questions: list[QuizQuestion], args: argparse.Namespace) -> None:
    """The weeks dealt out in turn to N shards; each shard a corpus like dev, with all its answerable questions."""
    weeks = sorted({q.week for q in questions})
    for number in range(args.shards):
        mine = set(weeks[number::args.shards])
        benchmark = build([q for q in questions if q.week in mine], None, args.unanswerable, args.seed + number)
        out = args.out / f"shard-{number + 1}"
        write(benchmark, out, args.split, args.seed + number)
        print(f"{out}: {len(benchmark.articles)} articles, {len(benchmark.answerable)} answerable and "
              f"{len(benchmark.unanswerable)} unanswerable questions")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, required=True, help="clone or bare git directory of realtimeqa_public")
    parser.add_argument("--out", type=Path, required=True, help="output folder (docs/, questions.jsonl)")
    parser.add_argument("--split", choices=sorted(SPLITS), default="dev", help="dev = 2023, test = 2024-2026")
    parser.add_argument("--answerable", type=int, default=200)
    parser.add_argument("--unanswerable", type=int, default=60)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--shards", type=int, default=0,
                        help="N corpora of disjoint weeks, each with every answerable question of its weeks")
    parser.add_argument("--full", action="store_true",
                        help="every answerable question and every search result of the split (scale benchmark)")
    args = parser.parse_args(argv)
    questions = read_weeks(Repository(args.repo), SPLITS[args.split])
    if args.shards:
        write_shards(questions, args)
        return
    if args.full:
        benchmark = build(questions, None, None, args.seed, full=True)
    else:
        benchmark = build(questions, args.answerable, args.unanswerable, args.seed)
    write(benchmark, args.out, args.split, args.seed)
    print(f"{args.split}: {len(benchmark.articles)} articles, {len(benchmark.answerable)} answerable and "
          f"{len(benchmark.unanswerable)} unanswerable questions -> {args.out}")


if __name__ == "__main__":
    main()
