"""Fit the sentence ranker, the reader and the decision on every week of the real-news benchmark outside the test
split.

    .venv/bin/python evals/realtimeqa.py --repo PATH --out evals/realnews/fit --split fit --shards 5
    .venv/bin/python evals/fit_models.py --stage ranker --cache /tmp/ranker.pickle [--index DIR]
    .venv/bin/python evals/fit_models.py --stage all --cache /tmp/all.pickle [--index DIR]
    .venv/bin/python evals/fit_models.py --stage threshold --dev-results RUN/results.jsonl

The fit corpora are built like dev (2022 and 2023 weeks, dealt out to 5 shards). For every question the script
runs the assistant's own retrieval and sentence ranking, then fits:

0. (`--stage ranker`, first) the sentence ranker (`assistant/answering/ranker.json`): which of the retrieved
   passages' sentences holds the answer, from what rank.sentence_features() knows of each;
1. the answer type model (`answer_types.json`): which kind of entity spaCy finds the gold answer to be in its
   article (PERSON, ORG, GPE, DATE, MONEY … or NONE), from the question's embedding and its asking words;
2. the reader model (`reader.json`): which phrase among the entities of the best sentences, their titles and
   neighbours is the answer, with the threshold above which it leads the answer;
3. the decision model (`answerability.json`): answer or refuse, from `decide.signals()`, which include the
   reader's best phrase;
4. (`--stage threshold`, last) the decision's threshold, tuned on a dev run (`assistant eval … --out RUN` on
   evals/realnews/dev): the highest that refuses at most --max-false-refusals of dev's answerable questions,
   refusals no score can outweigh included. The fit weeks' unanswerable questions are made by removing
   articles, dev's are the benchmark's own: the threshold is where they differ.

Each later model is fitted on out-of-fold outputs of the earlier ones (a shard's type probabilities come from a
model fitted on the other shards), and each is scored by leaving one shard out at a time, so the numbers printed
are held out. The test weeks are never read. The collected evidence is cached (--cache, outside the repository:
it holds the unlicensed texts' sentences) so refitting after a change to a model alone is quick.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Assistant, Settings
from assistant.answering import reader
from assistant.answering.decide import MODEL_FILE, AnswerabilityModel, base_signals, reader_signals
from assistant.answering.rank import RANKER_FILE, RankerModel, ranker_model
from assistant.evaluate import contains, load_questions, normalise, token_f1
from assistant.nlp import ANSWER_LABELS, NO_ENTITY, entities_of

L2 = 0.5
# The ranker the project started with (the hand-set weights), the baseline a fitted one is compared with.
HAND_RANKER = RankerModel({"context": 0.225, "facets": 0.225, "meaning": 0.35, "typed": 0.12, "passage": 0.05,
                           "novelty": 0.03, "title": -0.15, "joined": -0.05}, 0.0, logistic=False)
MAX_FALSE_REFUSALS = 0.05
# The reader's threshold: the best F1 among those whose held-out short answers are right this often. At 0.6 the
# fit chose 0.3, which on dev gave 12 more short answers than 0.4, 2 of them right: a wrong name leading an answer
# costs a reader more than a missing one.
MIN_SHORT_ANSWER_PRECISION = 0.65


@dataclass
class Record:
    """One question with what the assistant found for it, enough to refit every model without asking again."""
    id: str
    shard: int
    question: str
    gold: str | None
    vector: np.ndarray  # the question's embedding
    answer_label: str = NO_ENTITY  # what spaCy calls the gold answer in its article
    phrases: list[tuple[str, str, dict[str, float]]] = field(default_factory=list)  # text, label, features
    signals: dict[str, float] = field(default_factory=dict)  # decide.base_signals(): all but the reader's part
    sentences: list[str] = field(default_factory=list)  # the best-ranked sentences, best first
    candidates: list[tuple[dict[str, float], bool]] = field(default_factory=list)  # ranker features, holds gold


# --- collecting ---------------------------------------------------------------------------------------------

def gold_label(gold: str, sources: list[str], docs: Path) -> str:
    """The NER label of the gold answer where a gold article states it (the most common one), or NONE."""
    wanted = normalise(gold)
    paragraphs = [p for source in sources for p in (docs / source).read_text(encoding="utf-8").split("\n")
                  if f" {wanted} " in f" {normalise(p)} "][:6]
    labels: dict[str, int] = {}
    for found in entities_of([p[:2000] for p in paragraphs]):
        for entity in found:
            if matches(entity.text, gold):
                labels[entity.label] = labels.get(entity.label, 0) + 1
    return max(labels, key=lambda k: labels[k]) if labels else NO_ENTITY


def matches(phrase: str, gold: str) -> bool:
    """A phrase names the gold answer: one contains the other and most words are shared ('Joe Biden' for
    'President Joe Biden', not 'Joe' for 'Joe Biden' … unless the gold is one word)."""
    return (contains(phrase, gold) or contains(gold, phrase)) and token_f1(phrase, gold) >= 0.5


def collect(fit: Path, index: Path, stage: str = "all") -> list[Record]:
    """Every fit question asked; `stage` "ranker": only what the sentence ranker is fitted on (no reader, no NER)."""
    records = []
    shards = sorted(fit.glob("shard-*"))
    for number, shard in enumerate(shards):
        docs = shard / "docs"
        assistant = Assistant(Settings(docs=docs, index=index, generator="extractive"))
        assistant.ensure_index()
        catalog = assistant.store.catalog
        questions = load_questions(shard / "questions.jsonl")
        for question in questions:
            evidence = assistant.gather(question.question, question.history or None, as_of=question.as_of,
                                        read_phrases=False)
            ranked = evidence.reading.ranked
            record = Record(question.id, number, question.question, question.answer, np.zeros(0),
                            sentences=[c.span.text for c in ranked[:10]],
                            candidates=[(c.features, question.answer is not None and contains(c.span.text,
                                                                                              question.answer))
                                        for c in ranked])
            if stage != "ranker":
                record.vector = reader.type_features(question.question)
                found = reader.phrases(question.question, reader.surroundings(ranked, catalog), types={},
                                        keyword=evidence.keyword)
                record.phrases = [(p.text, p.label, {**p.features, "support": p.surroundings.rank}) for p in found]
                record.signals = base_signals(evidence.query, evidence.retrieval, evidence.reading, evidence.keyword)
                if question.answer is not None:
                    record.answer_label = gold_label(question.answer, question.gold_sources, docs)
            records.append(record)
        print(f"{shard.name}: {len(questions)} questions", flush=True)
    return records


# --- fitting --------------------------------------------------------------------------------------------------

def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method; the bias is not penalised."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(w)), gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def fit_softmax(x: np.ndarray, y: np.ndarray, classes: int, l2: float = 1e-3, steps: int = 600) -> np.ndarray:
    """Multinomial logistic regression by full-batch Adam; weights (features + 1, classes), last row the bias."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros((design.shape[1], classes))
    target = np.eye(classes)[y]
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, steps + 1):
        logits = design @ w
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        gradient = design.T @ (p - target) / len(x) + l2 * np.vstack([w[:-1], np.zeros((1, classes))])
        m = 0.9 * m + 0.1 * gradient
        v = 0.999 * v + 0.001 * gradient ** 2
        w -= 0.05 * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return w


def softmax(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    logits = np.hstack([x, np.ones((len(x), 1))]) @ w
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(z, -30, 30)))


def fit_ranker(records: list[Record]) -> RankerModel:
    """The sentence ranker: P(a sentence holds the gold answer | its features), fitted on every candidate sentence
    of the answerable questions. Prints, held out by shard, how often the gold is in the best 1, 3 and 5
    sentences, beside the hand-set weights' ranking."""
    answerable = [r for r in records if r.gold is not None and r.candidates]
    names = sorted(answerable[0].candidates[0][0])
    hand = ranker_model(RANKER_FILE) if not ranker_model(RANKER_FILE).logistic else HAND_RANKER
    shards = sorted({r.shard for r in answerable})
    hits: dict[str, list[list[bool]]] = {"hand-set": [], "fitted": []}
    for shard in shards:
        train = [r for r in answerable if r.shard != shard]
        x = np.array([[f[n] for n in names] for r in train for f, _ in r.candidates])
        y = np.array([held for r in train for _, held in r.candidates], dtype=float)
        w, b = fit_logistic(x, y)
        fitted = RankerModel(dict(zip(names, w.tolist())), b)
        for record in (r for r in answerable if r.shard == shard):
            for name, model in (("hand-set", hand), ("fitted", fitted)):
                order = sorted(record.candidates, key=lambda c: -model.score(c[0]))
                hits[name].append([any(held for _, held in order[:k]) for k in (1, 3, 5)])
    print("sentence ranker, held out by shard: the gold in the best 1 / 3 / 5 sentences")
    for name, found in hits.items():
        print(f"  {name:>9}: " + " / ".join(f"{v:.3f}" for v in np.mean(found, axis=0)))
    x = np.array([[f[n] for n in names] for r in answerable for f, _ in r.candidates])
    y = np.array([held for r in answerable for _, held in r.candidates], dtype=float)
    w, b = fit_logistic(x, y)
    return RankerModel({n: round(float(v), 4) for n, v in zip(names, w)}, round(b, 4))


def fit_types(records: list[Record]) -> tuple[np.ndarray, dict[str, dict[str, float]]]:
    """The answer type model on all answerable questions, and each question's out-of-shard probabilities."""
    labels = list(ANSWER_LABELS)
    answerable = [r for r in records if r.gold is not None]
    x = np.array([r.vector for r in answerable])
    y = np.array([labels.index(r.answer_label) for r in answerable])
    held_out: dict[str, dict[str, float]] = {}
    hits = []
    for shard in sorted({r.shard for r in records}):
        train = np.array([r.shard != shard for r in answerable])
        w = fit_softmax(x[train], y[train], len(labels))
        mine = [r for r in records if r.shard == shard]
        p = softmax(np.array([r.vector for r in mine]), w)
        for record, row in zip(mine, p):
            held_out[record.id] = dict(zip(labels, row.tolist()))
            if record.gold is not None:
                hits.append(labels[int(row.argmax())] == record.answer_label)
    print(f"answer type, held out by shard: top-1 accuracy {np.mean(hits):.3f} on {len(hits)} questions")
    return fit_softmax(x, y, len(labels)), held_out


def phrase_rows(records: list[Record], types: dict[str, dict[str, float]]) -> tuple[list[str], list[tuple]]:
    """(feature names, rows of (record, phrase index, features with type fit, is the answer))."""
    rows = []
    for record in records:
        for index, (text, label, features) in enumerate(record.phrases):
            full = {k: v for k, v in features.items() if k != "support"}
            full.update(reader.type_fit(label, types[record.id]))
            rows.append((record, index, full, record.gold is not None and matches(text, record.gold)))
    names = sorted(rows[0][2]) if rows else []
    return names, rows


def fit_reader(records: list[Record], types: dict[str, dict[str, float]]
               ) -> tuple[reader.ReaderModel, dict[str, float]]:
    """The reader model, and each question's likeliest phrase's probability under the model of the other shards."""
    names, rows = phrase_rows(records, types)
    x = np.array([[row[2][n] for n in names] for row in rows])
    y = np.array([row[3] for row in rows], dtype=float)
    shards = np.array([row[0].shard for row in rows])
    held = np.zeros(len(rows))
    for shard in sorted(set(shards)):
        w, b = fit_logistic(x[shards != shard], y[shards != shard])
        held[shards == shard] = sigmoid(x[shards == shard] @ w + b)
    best = _best_per_question(rows, held)
    answerable = [r for r in records if r.gold is not None]
    print("reader, held out by shard (answerable questions):")
    present = np.mean([any(matches(text, r.gold) for text, _, _ in r.phrases) for r in answerable])
    print(f"  gold among the phrases: {present:.3f}")
    print(f"{'threshold':>11} {'short answers given':>20} {'of them right':>14} {'right of all':>13}")
    chosen, best_f = 0.5, -1.0
    for threshold in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        given = [(r, ok) for r in answerable if (found := best.get(r.id)) and (ok := found[1]) is not None
                 and found[0] >= threshold]
        right = sum(ok for _, ok in given)
        precision = right / len(given) if given else 0.0
        recall = right / len(answerable)
        print(f"{threshold:>11} {len(given) / len(answerable):>20.3f} {precision:>14.3f} {recall:>13.3f}")
        score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if precision >= MIN_SHORT_ANSWER_PRECISION and score > best_f:
            chosen, best_f = threshold, score
    w, b = fit_logistic(x, y)
    model = reader.ReaderModel({n: round(float(v), 4) for n, v in zip(names, w)}, round(b, 4), chosen)
    return model, {record_id: probability for record_id, (probability, _) in best.items()}


def fit_decision(records: list[Record], types: dict[str, dict[str, float]], best: dict[str, float],
                 max_false_refusals: float) -> AnswerabilityModel:
    """Answer or refuse, from the base signals and the reader's (out-of-shard) ones; the threshold refuses at
    most `max_false_refusals` of the answerable questions. Prints the held-out trade-off."""
    rows = [{**r.signals, **reader_signals(best.get(r.id, 0.0), 1.0 - types[r.id].get(NO_ENTITY, 0.0))}
            for r in records]
    names = sorted(rows[0])
    x = np.array([[row[n] for n in names] for row in rows])
    y = np.array([r.gold is not None for r in records], dtype=float)
    shards = np.array([r.shard for r in records])
    held = np.zeros(len(records))
    thresholds = {}
    for shard in sorted(set(shards)):
        w, b = fit_logistic(x[shards != shard], y[shards != shard])
        thresholds[shard] = pick_threshold(sigmoid(x[shards != shard] @ w + b), y[shards != shard], max_false_refusals)
        held[shards == shard] = sigmoid(x[shards == shard] @ w + b)
    refused = np.array([held[i] < thresholds[s] for i, s in enumerate(shards)])
    print(f"decision, held out by shard at each shard's own threshold: unanswerable refused "
          f"{refused[y == 0].mean():.3f}, answerable wrongly refused {refused[y == 1].mean():.3f}")
    print(curve(held, y))
    w, b = fit_logistic(x, y)
    threshold = pick_threshold(sigmoid(x @ w + b), y, max_false_refusals)
    return AnswerabilityModel({n: round(float(v), 4) for n, v in zip(names, w)}, round(b, 4), round(threshold, 4))


def pick_threshold(p: np.ndarray, y: np.ndarray, max_false_refusals: float) -> float:
    """The highest threshold that refuses at most that share of the answerable questions."""
    answerable = np.sort(p[y == 1])
    allowed = int(np.floor(max_false_refusals * len(answerable)))
    return float(answerable[allowed]) if len(answerable) else 0.5


def tune_threshold(results: Path, max_false_refusals: float) -> None:
    """Set the decision's threshold from a dev run's confidences (those refused whatever the score count as 0)."""
    rows = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    p = np.array([float(r.get("confidence", 0.0)) for r in rows])
    y = np.array([r["gold"] is not None for r in rows], dtype=float)
    threshold = round(pick_threshold(p, y, max_false_refusals), 4)
    saved = json.loads(MODEL_FILE.read_text())
    MODEL_FILE.write_text(json.dumps({**saved, "threshold": threshold, "threshold_tuned_on": "evals/realnews/dev",
                                      "max_false_refusals": max_false_refusals}, indent=1) + "\n")
    refused = p < threshold
    print(f"threshold {threshold}: dev unanswerable refused {refused[y == 0].mean():.3f}, answerable wrongly "
          f"refused {refused[y == 1].mean():.3f}")
    print(curve(p, y))


def curve(p: np.ndarray, y: np.ndarray) -> str:
    """Refused unanswerable vs wrongly refused answerable, at a range of thresholds."""
    lines = ["| threshold | unanswerable refused | answerable wrongly refused |", "|---|---|---|"]
    for threshold in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        refused = p < threshold
        lines.append(f"| {threshold} | {refused[y == 0].mean():.3f} | {refused[y == 1].mean():.3f} |")
    return "\n".join(lines)


def _best_per_question(rows: list[tuple], p: np.ndarray) -> dict[str, tuple[float, bool]]:
    best: dict[str, tuple[float, bool]] = {}
    for (record, _, _, right), probability in zip(rows, p):
        if record.id not in best or probability > best[record.id][0]:
            best[record.id] = (float(probability), bool(right))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fit", type=Path, default=Path("evals/realnews/fit"))
    parser.add_argument("--index", type=Path, default=Path(".assistant"))
    parser.add_argument("--cache", type=Path, help="where the collected evidence is kept (--stage ranker, all)")
    parser.add_argument("--recollect", action="store_true", help="ask every question again (after code changes)")
    parser.add_argument("--max-false-refusals", type=float, default=MAX_FALSE_REFUSALS)
    parser.add_argument("--stage", choices=["ranker", "all", "threshold"], default="all",
                        help="ranker: fit the sentence ranker (run first); all: the answer types, the reader and the "
                             "decision, on sentences ranked by the fitted ranker; threshold: tune the decision's "
                             "threshold on a dev run")
    parser.add_argument("--dev-results", type=Path, help="results.jsonl of a dev eval run (--stage threshold)")
    args = parser.parse_args()
    if args.stage == "threshold":
        tune_threshold(args.dev_results, args.max_false_refusals)
        return
    if args.cache.is_file() and not args.recollect:
        records = pickle.loads(args.cache.read_bytes())
    else:
        records = collect(args.fit, args.index, args.stage)
        args.cache.write_bytes(pickle.dumps(records))
    if args.stage == "ranker":
        ranker = fit_ranker(records)
        RANKER_FILE.write_text(json.dumps({**ranker.to_dict(), "fitted_on": str(args.fit)}, indent=1) + "\n")
        print("ranker weights:", json.dumps(ranker.weights), "bias", ranker.bias)
        return
    weights, types = fit_types(records)
    reader.TYPES_FILE.write_text(json.dumps({**reader.AnswerTypeModel(ANSWER_LABELS, weights).to_dict(),
                                             "fitted_on": str(args.fit), "questions": len(records)}) + "\n")
    model, best = fit_reader(records, types)
    reader.READER_FILE.write_text(json.dumps({**model.to_dict(), "fitted_on": str(args.fit)}, indent=1) + "\n")
    print("reader weights:", json.dumps(model.weights), "threshold", model.threshold)
    decision = fit_decision(records, types, best, args.max_false_refusals)
    MODEL_FILE.write_text(json.dumps({**decision.to_dict(), "fitted_on": str(args.fit), "questions": len(records),
                                      "max_false_refusals": args.max_false_refusals}, indent=1) + "\n")
    print("decision weights:", json.dumps(decision.weights), "bias", decision.bias, "threshold", decision.threshold)


if __name__ == "__main__":
    main()
