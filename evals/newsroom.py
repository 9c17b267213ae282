"""Measure the timeline and the digest on the real-news benchmark corpus.

    .venv/bin/python evals/newsroom.py timeline --docs evals/realnews/dev/docs [--index DIR]
    .venv/bin/python evals/newsroom.py quotes --docs evals/realnews/dev/docs [--index DIR] [--show N]
    .venv/bin/python evals/newsroom.py digest --docs evals/realnews/dev/docs \
        --questions evals/realnews/dev/questions.jsonl

timeline: for each story in evals/timeline_stories.txt (written before the timeline was run on them) whose
articles span at least two weeks, checks every line automatically: its quote is its file's exact text; its date is
stated in its quote (the words that state it are there) or is its first article's date and marked so; the lines
are in date order; no two lines on one date tell the same event (half or more of their words in common).
quotes: for each speaker in evals/quote_speakers.txt (written before who-said-what was run on them), checks every
statement automatically: its quote is its file's exact text; the words the article names the speaker by stand in
the file within a paragraph's reach of the quote (the attribution is in the text, not made up); the speaker's full
name holds the asked name; statements are newest first.
digest: for each week of the split (the week up to each question's as-of date), the share of that week's
answerable questions whose gold answer is in the digest's lines (recall of the week's news), and the share of
lines whose articles are all dated inside the week.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Assistant, Settings
from assistant.evaluate import contains, load_questions
from assistant.library.load import load_document
from assistant.newsroom.digest import digest
from assistant.newsroom.quotes import PRONOUN_REACH, names_the_same, who_said
from assistant.newsroom.timeline import Timeline, timeline
from assistant.text import terms
from assistant.timeframe import article_date

STORIES = Path(__file__).resolve().parent / "timeline_stories.txt"
SPEAKERS = Path(__file__).resolve().parent / "quote_speakers.txt"
SAME_EVENT_WORDS = 0.5


@lru_cache(maxsize=512)
def article_text(docs: Path, source: str) -> str:
    """The file's text as loaded (what citations' offsets count in), read once however often it is cited."""
    return load_document(docs / source, docs).text


def listed(path: Path) -> list[str]:
    """The non-empty lines of a list file (stories, speakers)."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_timeline(result: Timeline, docs: Path) -> dict[str, object]:
    exact = dated = 0
    for line in result.lines:
        exact += all(article_text(docs, c.source)[c.start:c.end] == c.quote for c in line.citations)
        first = line.citations[0]
        if line.stated:
            dated += bool(line.stated_as) and line.stated_as in first.quote
        else:
            dated += article_date(first.date) == line.day
    days = [line.day for line in result.lines]
    repeats = sum(1 for i, a in enumerate(result.lines) for b in result.lines[i + 1:]
                  if a.day == b.day and _shared(a.text, b.text) >= SAME_EVENT_WORDS)
    sources = {c.source for line in result.lines for c in line.citations}
    article_days = sorted(d for d in (article_date(c.date) for line in result.lines for c in line.citations) if d)
    return {"topic": result.topic, "lines": len(result.lines), "articles": len(sources),
            "span_days": (article_days[-1] - article_days[0]).days if article_days else 0,
            "quotes_exact": exact, "dates_right": dated, "in_order": days == sorted(days), "same_event_pairs": repeats,
            "seconds": round(result.seconds, 2)}


def _shared(a: str, b: str) -> float:
    x, y = set(terms(a)), set(terms(b))
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def run_timelines(assistant: Assistant, docs: Path, show: int) -> None:
    rows = []
    for number, topic in enumerate(listed(STORIES)):
        result = timeline(assistant, topic)
        row = check_timeline(result, docs)
        rows.append(row)
        print(f"{topic}: {row['lines']} lines from {row['articles']} articles in {row['seconds']} s", flush=True)
        if number < show:
            print(result.markdown())
    multi = [r for r in rows if r["span_days"] >= 14]
    print("| story | articles | span (days) | lines | quotes exact | dates right | in order | same-event pairs | s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['topic']} | {r['articles']} | {r['span_days']} | {r['lines']} | {r['quotes_exact']} | "
              f"{r['dates_right']} | {'yes' if r['in_order'] else 'no'} | {r['same_event_pairs']} | {r['seconds']} |")
    def total(key: str) -> int:
        return sum(int(r[key]) for r in multi)  # type: ignore[call-overload]

    lines = total("lines")
    in_order = sum(bool(r["in_order"]) for r in multi)
    print(f"\n{len(multi)} stories span two weeks or more: {lines} lines, quotes exact "
          f"{total('quotes_exact')}/{lines}, dates right {total('dates_right')}/{lines}, in order "
          f"{in_order}/{len(multi)}, same-event pairs {total('same_event_pairs')}")


def run_quotes(assistant: Assistant, docs: Path, show: int) -> None:
    print("| speaker | articles read | statements | quotes exact | named near the quote | speaker matches | "
          "newest first | by pronoun | s |")
    print("|---|---|---|---|---|---|---|---|---|")
    totals: dict[str, float] = defaultdict(float)
    speakers = listed(SPEAKERS)
    for number, speaker in enumerate(speakers):
        result = who_said(assistant, speaker)
        exact = near = matches = pronoun = 0
        for statement in result.statements:
            citation = statement.citation
            text = article_text(docs, citation.source)
            exact += text[citation.start:citation.end] == citation.quote
            around = text[max(0, citation.start - PRONOUN_REACH):citation.end + PRONOUN_REACH]
            near += statement.named_as in around
            matches += names_the_same(speaker, statement.speaker)
            pronoun += statement.named_as.lower() in ("he", "she")
        days = [s.day for s in result.statements if s.day]
        row = {"statements": len(result.statements), "exact": exact, "near": near, "matches": matches,
               "pronoun": pronoun, "seconds": result.seconds}
        for key, value in row.items():
            totals[key] += value
        print(f"| {speaker} | {result.articles} | {len(result.statements)} | {exact} | {near} | {matches} | "
              f"{'yes' if days == sorted(days, reverse=True) else 'no'} | {pronoun} | {result.seconds:.2f} |")
        if number < show:
            print(result.markdown())
    n = int(totals["statements"])
    print(f"\n{n} statements: quotes exact {int(totals['exact'])}/{n}, named near the quote {int(totals['near'])}/{n}, "
          f"speaker matches {int(totals['matches'])}/{n}, by pronoun {int(totals['pronoun'])}; "
          f"seconds per speaker mean {totals['seconds'] / max(1, len(speakers)):.2f}")


def run_digests(assistant: Assistant, questions: Path) -> None:
    weeks: dict[str, list] = defaultdict(list)
    for q in load_questions(questions):
        if q.answer is not None and q.as_of:
            weeks[q.as_of.isoformat()].append(q)
    recalls, inside, lines, seconds = [], [], [], []
    for as_of, asked in sorted(weeks.items()):
        until = date.fromisoformat(as_of)
        result = digest(assistant, until - timedelta(days=6), until)
        told = " ".join(s.summary for s in result.stories)
        recalls.append(sum(contains(told, q.answer) for q in asked) / len(asked))
        inside += [all(result.since <= a.date <= result.until for a in s.articles) for s in result.stories]
        lines.append(len(result.stories))
        seconds.append(result.seconds)
    print(f"{len(weeks)} weeks: recall of the week's quiz answers in the digest's lines "
          f"{statistics.mean(recalls):.3f}; "
          f"lines whose articles are dated inside the week {sum(inside) / max(1, len(inside)):.3f}; "
          f"stories per week median {statistics.median(lines):.0f}; seconds p50 {statistics.median(seconds):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tool", choices=["timeline", "digest", "quotes"])
    parser.add_argument("--docs", type=Path, default=Path("evals/realnews/dev/docs"))
    parser.add_argument("--index", type=Path, default=Path(".assistant"))
    parser.add_argument("--questions", type=Path, default=Path("evals/realnews/dev/questions.jsonl"))
    parser.add_argument("--show", type=int, default=0, help="print this many timelines in full")
    args = parser.parse_args()
    assistant = Assistant(Settings(docs=args.docs, index=args.index, generator="extractive"))
    assistant.ingest()
    if args.tool == "timeline":
        run_timelines(assistant, args.docs, args.show)
    elif args.tool == "quotes":
        run_quotes(assistant, args.docs, args.show)
    else:
        run_digests(assistant, args.questions)


if __name__ == "__main__":
    main()
