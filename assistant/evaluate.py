"""Offline evaluation: ask every question through the same ask() users call and score the answers.

Question file: one JSON object per line with `id`, `question`, `answer` (gold short answer, or null when
the sources do not hold it), `gold_sources` (file names relative to the docs folder), optional `type` and
optional `history` (list of [user, assistant] pairs).
"""

from __future__ import annotations

import json
import math
import re
import statistics
import string
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .answering.answer import VERIFICATION_KINDS, Answer, NoteKind
from .answering.cite import strip_markers
from .library.load import load_document
from .pipeline import Assistant

Row = dict[str, Any]  # one question's result, as written to results.jsonl
RETRIEVAL_DEPTH = 10
POSSESSIVE = re.compile(r"(?<=\w)['\u2019]s\b")
CHAT_TURNS = 2  # earlier turns each question of a --chat run is asked with
HEADLINE = ["answer_accuracy", "lenient_accuracy", "token_f1", "hit@1", "hit@5", "mrr@10", "ndcg@10",
            "citation_precision", "cited_files_holding_answer", "quotes_exact", "citation_recall",
            "refused_unanswerable", "wrongly_refused", "verification_edited", "extractive_fallback"]


class QuestionFileError(ValueError):
    pass


@dataclass
class Question:
    id: str
    question: str
    answer: str | None
    gold_sources: list[str]
    type: str = "untyped"
    history: list[tuple[str, str]] = field(default_factory=list)
    as_of: date | None = None  # the day the question was asked: "today" for "this week", "recently"


def load_questions(path: Path) -> list[Question]:
    if not path.is_file():
        raise QuestionFileError(f"question file not found: {path}")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(Question(
                id=str(row["id"]), question=row["question"], answer=row["answer"],
                gold_sources=list(row.get("gold_sources") or []), type=row.get("type") or "untyped",
                history=[(str(u), str(a)) for u, a in row.get("history") or []],
                as_of=date.fromisoformat(row["as_of"][:10]) if row.get("as_of") else None,
            ))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise QuestionFileError(f"{path}:{number}: not a valid question row ({error})") from error
    return questions


def sample_questions(questions: list[Question], count: int | None) -> list[Question]:
    """A fixed subset of `count` questions spread evenly over the file (all of them when count is None)."""
    if count is None or count >= len(questions):
        return questions
    step = len(questions) / count
    return [questions[int(i * step)] for i in range(count)]


# --- scoring one answer -------------------------------------------------------------------------------

def normalise(text: str) -> str:
    text = re.sub(r"[.'\u2019]", "", strip_markers(text).lower())
    text = "".join(" " if ch in string.punctuation or ch in "\u201c\u201d\u2014\u2013" else ch for ch in text)
    return " ".join(word for word in text.split() if word not in {"a", "an", "the"})


def contains(text: str, phrase: str) -> bool:
    """The phrase, normalised, appears in the text as whole words ('Miller' is in 'Dana Miller', 'Mill' is not;
    'University of Virginia' is in "University of Virginia's")."""
    wanted = normalise(phrase)
    return bool(wanted) and any(f" {wanted} " in f" {normalise(version)} "
                                for version in (text, POSSESSIVE.sub("", text)))


def token_f1(prediction: str, gold: str) -> float:
    predicted, wanted = normalise(prediction).split(), normalise(gold).split()
    common = sum((Counter(predicted) & Counter(wanted)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(wanted)
    return 2 * precision * recall / (precision + recall)


def retrieval_scores(ranked_sources: list[str], gold: set[str]) -> dict[str, float]:
    """Over the top chunks' files, each file counted at its first (best) rank."""
    files = list(dict.fromkeys(ranked_sources[:RETRIEVAL_DEPTH]))
    hits = [source in gold for source in files]
    first = next((i for i, hit in enumerate(hits) if hit), None)
    dcg = sum(1 / math.log2(i + 2) for i, hit in enumerate(hits) if hit)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(gold), RETRIEVAL_DEPTH)))
    return {
        "hit@1": float(any(hits[:1])), "hit@5": float(any(hits[:5])),
        "mrr@10": 1 / (first + 1) if first is not None else 0.0,
        "ndcg@10": dcg / ideal if ideal else 0.0,
    }


def score(question: Question, answer: Answer, ranked_sources: list[str]) -> Row:
    gold = set(question.gold_sources)
    cited = [c.source for c in answer.citations]
    row: Row = {
        "id": question.id, "type": question.type, "question": question.question, "gold": question.answer,
        "answer": answer.text, "answered": answer.answered, "generator": answer.generator,
        "citations": [c.to_dict() for c in answer.citations], "notes": [asdict(n) for n in answer.notes],
        "retrieved": ranked_sources[:RETRIEVAL_DEPTH], "timings": answer.timings, "confidence": answer.confidence,
        "short_answer": answer.short_answer,
    }
    if question.answer is None:
        row["refused"] = not answer.answered
        return row
    row.update(retrieval_scores(ranked_sources, gold))
    row["wrongly_refused"] = not answer.answered
    if answer.answered:
        row["correct"] = contains(answer.text, question.answer)
        row["lenient"] = row["correct"] or bool(answer.short_answer and contains(question.answer, answer.short_answer))
        row["token_f1"] = token_f1(answer.short_answer or answer.text, question.answer)
        if cited:
            row["citation_precision"] = sum(s in gold for s in cited) / len(cited)
        row["cites_gold"] = bool(gold & set(cited))
    else:
        row["correct"], row["lenient"], row["token_f1"], row["cites_gold"] = False, False, 0.0, False
    return row


# --- aggregating --------------------------------------------------------------------------------------

def _has_note(row: Row, kinds: set[NoteKind]) -> bool:
    return any(note["kind"] in kinds for note in row["notes"])


def summarise(rows: list[Row]) -> Row:
    answerable = [r for r in rows if r["gold"] is not None]
    unanswerable = [r for r in rows if r["gold"] is None]
    answered = [r for r in answerable if r["answered"]]
    summary: Row = {"questions": len(rows), "answerable": len(answerable),
                                  "unanswerable": len(unanswerable)}
    if answerable:
        summary["answer_accuracy"] = _mean(r["correct"] for r in answerable)
        summary["lenient_accuracy"] = _mean(r.get("lenient", r["correct"]) for r in answerable)
        summary["token_f1"] = _mean(r["token_f1"] for r in answerable)
        for metric in ("hit@1", "hit@5", "mrr@10", "ndcg@10"):
            summary[metric] = _mean(r[metric] for r in answerable)
        summary["wrongly_refused"] = _mean(r["wrongly_refused"] for r in answerable)
    holding = [r["cited_files_holding_answer"] for r in answered if "cited_files_holding_answer" in r]
    if holding:
        summary["cited_files_holding_answer"] = _mean(holding)
    quotes = sum(int(r.get("quotes", 0)) for r in rows)
    if quotes:
        summary["quotes_exact"] = sum(int(r.get("quotes_exact", 0)) for r in rows) / quotes
    precisions = [r["citation_precision"] for r in answered if "citation_precision" in r]
    if precisions:
        summary["citation_precision"] = _mean(precisions)
    if answered:
        summary["citation_recall"] = _mean(r["cites_gold"] for r in answered)
    answered_all = [r for r in rows if r["answered"]]
    if answered_all:
        summary["verification_edited"] = _mean(_has_note(r, VERIFICATION_KINDS) for r in answered_all)
        summary["extractive_fallback"] = _mean(_has_note(r, {NoteKind.FALLBACK}) for r in answered_all)
    if unanswerable:
        summary["refused_unanswerable"] = _mean(r["refused"] for r in unanswerable)
    if answerable and unanswerable:
        summary["refusal_curve"] = refusal_curve(rows)
    latencies = [float(r["timings"].get("total", 0.0)) for r in rows]
    summary["latency_p50_s"] = percentile(latencies, 50)
    summary["latency_p95_s"] = percentile(latencies, 95)
    stages = sorted({k for r in rows for k in r["timings"] if k != "total"})
    summary["stage_p50_s"] = {s: percentile([float(r["timings"].get(s, 0.0)) for r in rows], 50)
                              for s in stages}
    return summary


CURVE_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def refusal_curve(rows: list[Row]) -> dict[str, list[float]]:
    """At each threshold of the decision's probability: [unanswerable refused, answerable wrongly refused]."""
    answerable = [r.get("confidence", 0.0) for r in rows if r["gold"] is not None]
    unanswerable = [r.get("confidence", 0.0) for r in rows if r["gold"] is None]
    return {str(t): [_mean(p < t for p in unanswerable), _mean(p < t for p in answerable)] for t in CURVE_THRESHOLDS}


def _mean(values) -> float:
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else 0.0


def percentile(values: list[float], q: int) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1)]


# --- running ------------------------------------------------------------------------------------------

def source_checks(question: Question, answer: Answer, text_of: Callable[[str], str]) -> Row:
    """Every quote is exactly its file's text at its span; which cited files hold the gold answer."""
    checks: Row = {"quotes": len(answer.citations), "quotes_exact": sum(
        text_of(c.source)[c.start:c.end] == c.quote for c in answer.citations)}
    if question.answer is not None and answer.answered and answer.citations:
        gold = f" {normalise(question.answer)} "
        checks["cited_files_holding_answer"] = sum(
            gold in f" {normalise(text_of(c.source))} " for c in answer.citations) / len(answer.citations)
    return checks


def run_eval(assistant: Assistant, questions: list[Question], progress: Callable[[int, int], None] | None = None,
             chat: bool = False) -> tuple[list[Row], dict]:
    """Ask every question and score it. `chat`: one conversation, each question asked with the two turns before
    it as history (a question with a scripted history of its own keeps that), as people ask in the UI."""
    assistant.ensure_index()
    rows = []
    started = time.perf_counter()
    docs = Path(assistant.settings.docs)
    texts: dict[str, str] = {}

    def text_of(source: str) -> str:
        if source not in texts:
            texts[source] = load_document(docs / source, docs).text
        return texts[source]

    conversation: list[tuple[str, str]] = []
    for number, question in enumerate(questions, start=1):
        history = question.history or (conversation[-CHAT_TURNS:] if chat else [])
        answer = assistant.ask(question.question, history or None, as_of=question.as_of)
        conversation.append((question.question, answer.text))
        passages = assistant.retriever.search(answer.query or question.question, k=RETRIEVAL_DEPTH).passages
        rows.append({**score(question, answer, [p.chunk.source for p in passages]),
                     **source_checks(question, answer, text_of)})
        if progress:
            progress(number, len(questions))
    by_type = {kind: summarise([r for r in rows if r["type"] == kind])
               for kind in sorted({str(r["type"]) for r in rows})}
    summary = {"overall": summarise(rows), "by_type": by_type, "mode": "chat" if chat else "single",
               "generator": assistant.generator.name,  # the backend asked (a refusal or fallback is extractive)
               "seconds": time.perf_counter() - started}
    return rows, summary


def write_report(out: Path, rows: list[Row], summary: dict, title: str,
                 redact: bool = False) -> Path:
    """report.md, summary.json, plots and results.jsonl; `redact` keeps question and answer text out of
    report.md (for data that may not be published: results.jsonl is then git-ignored)."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    _plot_metrics(out / "metrics_by_type.png", summary)
    _plot_latency(out / "latency.png", rows)
    report = out / "report.md"
    report.write_text(render_markdown(rows, summary, title, redact), encoding="utf-8")
    return report


def summary_table(summary: dict) -> str:
    kinds = ["overall", *summary["by_type"]]
    columns = {"overall": summary["overall"], **summary["by_type"]}
    lines = ["| metric | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    for metric in ["questions", *HEADLINE, "latency_p50_s", "latency_p95_s"]:
        cells = [_cell(columns[k].get(metric)) for k in kinds]
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def render_markdown(rows: list[Row], summary: dict, title: str, redact: bool = False) -> str:
    overall = summary["overall"]
    stages = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in overall.get("stage_p50_s", {}).items())
    failures = [r for r in rows if (r["gold"] is not None and not r["correct"])
                or (r["gold"] is None and not r["refused"])]
    lines = [
        f"# Evaluation: {title}", "",
        f"Generator: `{summary['generator']}` · {summary.get('mode', 'single')} mode · {overall['questions']} "
        f"questions · run took {summary['seconds']:.1f} s", "",
        summary_table(summary), "",
        f"Median time per stage: {stages}.", "",
        "![metrics by type](metrics_by_type.png)", "", "![latency](latency.png)", "",
        "## How the metrics are computed", "",
        "- **answer_accuracy** (strict): the gold answer, normalised (lower-case, punctuation and articles "
        "removed), is contained in the normalised answer text; refusals count as wrong. **lenient_accuracy**: "
        "that, or the gold contains the answer's short answer ('Miller' for 'Dana Miller'). **token_f1**: "
        "token overlap F1 of the short answer (the answer text when it has none) with the gold.",
        "- **hit@k, mrr@10, ndcg@10**: over the files of the top 10 retrieved chunks (binary relevance: the "
        "chunk's file is a gold source).",
        "- **citation_precision**: share of cited files that are gold, averaged over answered questions; "
        "**cited_files_holding_answer**: share of cited files whose text holds the normalised gold answer; "
        "**quotes_exact**: share of citations whose quote is exactly its file's text at its span. "
        "**citation_recall**: share of answered questions citing at least one gold file.",
        "- **refused_unanswerable**: share of questions with a null answer that were refused. "
        "**wrongly_refused**: share of answerable questions that were refused.",
        "- **verification_edited**: share of answers in which verification re-cited, dropped or added a claim "
        "or citation; **extractive_fallback**: share where nothing the model wrote held up (or the model "
        "failed) and the extractive answer was given.", "",
        f"## Misses ({len(failures)})", "",
    ]
    if redact:
        lines.append("Question and answer text left out (unlicensed data); ids: "
                     + ", ".join(f"`{r['id']}`" for r in failures))
        return "\n".join(lines) + "\n"
    for row in failures[:60]:
        got = str(row["answer"]).replace("\n", " ")
        lines.append(f"- `{row['id']}` ({row['type']}) {row['question']} — gold: {row['gold']!r}; "
                     f"got: {got[:240]!r}")
    return "\n".join(lines) + "\n"


def _plot_metrics(path: Path, summary: dict) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["answer_accuracy", "hit@1", "citation_precision", "citation_recall", "refused_unanswerable"]
    groups = {"overall": summary["overall"], **summary["by_type"]}
    figure, axis = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(metrics)
    for i, metric in enumerate(metrics):
        values = [groups[g].get(metric, 0.0) or 0.0 for g in groups]
        axis.bar([x + i * width for x in range(len(groups))], values, width, label=metric)
    axis.set_xticks([x + 0.4 - width / 2 for x in range(len(groups))], list(groups), rotation=20, ha="right")
    axis.set_ylim(0, 1.05)
    axis.legend(fontsize=8, ncols=3)
    axis.set_title("Metrics by question type")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def _plot_latency(path: Path, rows: list[Row]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals = [float(r["timings"].get("total", 0.0)) for r in rows]
    figure, axis = plt.subplots(figsize=(6, 3.5))
    axis.hist(totals, bins=20)
    axis.set_xlabel("seconds per question")
    axis.set_ylabel("questions")
    axis.set_title(f"Latency (p50 {statistics.median(totals):.2f} s)" if totals else "Latency")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def check_thresholds(summary: dict, thresholds: dict[str, float]) -> list[str]:
    """Headline metrics that fell below their recorded floor (or above, for `*_max` entries)."""
    overall = summary["overall"]
    failures = []
    for metric, bound in thresholds.items():
        if metric.endswith("_max"):
            name = re.sub(r"_max$", "", metric)
            if overall.get(name, 0.0) > bound:
                failures.append(f"{name} = {overall.get(name):.3f} is above {bound}")
        elif overall.get(metric, 0.0) < bound:
            failures.append(f"{metric} = {overall.get(metric, 0.0):.3f} is below {bound}")
    return failures
