"""Cost against corpus size, beside the plain LangChain tutorial pipeline in the same run.

For corpora of about 1k, 10k and 100k chunks of real news it measures: ingest (chunks/s), unchanged re-ingest,
the first answer from a new process (`assistant ask`), warm retrieval p50/p95, extractive `ask()` p50, peak RSS
and index size on disk. The peer is LangChain's RAG tutorial as a user writes it (TextLoader-style reading,
RecursiveCharacterTextSplitter(1000, 200), a Chroma vector store, similarity top-4) with the same MiniLM model
run the plain way (batches of 32 texts padded to the longest, in file order, as Chroma's own ONNX function
batches them). Every phase runs in a process of its own, so each has its own start-up and peak RSS.

    .venv/bin/python evals/realtimeqa.py --repo PATH --out /tmp/rtqa-all --split all --full   # ~13k articles
    .venv/bin/python benchmarks/scale.py --articles /tmp/rtqa-all/docs --sizes 1000 10000 100000 \
        --peer-max 10000 --work /tmp/scale --out benchmarks/results

Articles come from the --articles folders (real news), in file-name order, one copy of each text; only when they
run out is the corpus padded with deterministic synthetic articles (the count is reported). The table goes to
OUT/scale.md, the numbers to OUT/scale.json and the plot to OUT/scale.png.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_QUESTIONS = ROOT / "evals" / "questions.jsonl"
QUESTIONS_PER_RUN = 40
TECHNIQUE_CHUNKS = int(os.environ.get("SCALE_TECHNIQUE_CHUNKS", "1000"))  # chunks each embedding technique runs on
SUFFIXES = (".txt", ".md")


# --- corpora ---------------------------------------------------------------------------------------------------

def build_corpus(sources: list[Path], size: int, target: Path) -> dict[str, int]:
    """target/ gets the first articles of the sources (deduplicated) holding `size` chunks at the assistant's
    default chunking, padded with synthetic articles if they run out."""
    from assistant.library.chunk import chunk_document
    from assistant.library.load import load_document
    from assistant.settings import Settings

    settings = Settings()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    chunks = real = synthetic = 0
    seen: set[str] = set()
    for path in sorted((p for folder in sources for p in folder.iterdir() if p.suffix in SUFFIXES),
                       key=lambda p: p.name):
        if chunks >= size:
            break
        text = path.read_text(encoding="utf-8", errors="replace")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        (target / path.name).write_text(text, encoding="utf-8")
        chunks += len(chunk_document(load_document(target / path.name, target), settings.chunk_size,
                                     settings.chunk_overlap))
        real += 1
    rng = random.Random(size)
    while chunks < size:
        name = f"synthetic-{synthetic:06d}.txt"
        (target / name).write_text(synthetic_article(rng), encoding="utf-8")
        chunks += len(chunk_document(load_document(target / name, target), settings.chunk_size,
                                     settings.chunk_overlap))
        synthetic += 1
    return {"chunks": chunks, "real_articles": real, "synthetic_articles": synthetic}


PLACES = ["Tammerfield", "Oslobrook", "Vantaa Bay", "Carrow", "Lindholm", "Marisport", "Eastvale", "Quellon"]
PEOPLE = ["Marta Lindqvist", "Ilse Varga", "Tomas Berg", "Ana Ruiz", "Kofi Mensah", "Li Wen", "Dara Walsh"]
SUBJECTS = ["the harbour authority", "the city council", "the transport union", "the water board",
            "the regional court", "the health agency", "the port operator", "the school district"]
ACTIONS = ["approved a budget of {n} million", "delayed the vote on {n} new homes", "reported {n} complaints",
           "hired {n} inspectors", "closed {n} routes for repairs", "opened an inquiry into {n} contracts"]


def synthetic_article(rng: random.Random) -> str:
    """A news-shaped article from fixed word lists (only used where real articles run out)."""
    place = rng.choice(PLACES)
    title = f"{place} {rng.choice(SUBJECTS).split()[-1]} {rng.choice(['update', 'report', 'briefing'])}"
    sentences = []
    for _ in range(rng.randint(15, 40)):
        action = rng.choice(ACTIONS).format(n=rng.randint(2, 900))
        sentences.append(f"{rng.choice(SUBJECTS).capitalize()} in {rng.choice(PLACES)} {action} on "
                         f"{rng.choice(['Monday', 'Tuesday', 'Friday'])}, {rng.choice(PEOPLE)} said.")
    return f"{title}\nDate: 2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n\n" + " ".join(sentences) + "\n"


def load_questions(path: Path) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [str(r["question"]) for r in rows][:QUESTIONS_PER_RUN]


# --- the phases, each run in its own process ---------------------------------------------------------------

def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settings_for(docs: Path, index: Path) -> Any:
    from assistant.settings import Settings

    return Settings(docs=docs, index=index, generator="extractive")


def child_ingest(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    from assistant.library.index import Store

    store = Store(settings_for(docs, index))
    report = store.ingest()
    return {"chunks": report.chunks_embedded, "seconds": report.seconds,
            "chunks_per_s": report.chunks_embedded / report.seconds}


def child_reingest(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    from assistant.library.index import Store

    started = time.perf_counter()
    report = Store(settings_for(docs, index)).ingest()
    assert not report.changed, report.summary()
    return {"seconds": time.perf_counter() - started, "ingest_seconds": report.seconds}


def child_warm(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    from assistant import Assistant

    assistant = Assistant(settings_for(docs, index))
    assistant.ensure_index()
    for question in questions[:3]:
        assistant.ask(question)
    retrieval, ask = [], []
    for question in questions:
        started = time.perf_counter()
        assistant.retriever.search(question)
        retrieval.append(time.perf_counter() - started)
        started = time.perf_counter()
        assistant.ask(question)
        ask.append(time.perf_counter() - started)
    return {"retrieval_p50_ms": percentile(retrieval, 50) * 1000, "retrieval_p95_ms": percentile(retrieval, 95) * 1000,
            "ask_p50_ms": percentile(ask, 50) * 1000}


def child_cli(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    """`assistant ask` as a user runs it (the parent times the whole process)."""
    import runpy

    sys.argv = ["assistant", "ask", questions[0], "--docs", str(docs), "--index", str(index),
                "--generator", "extractive"]
    try:
        runpy.run_module("assistant.frontends.cli", run_name="__main__")
    except SystemExit as stop:
        if stop.code:
            raise
    return {}


class PlainMiniLM:
    """The same model the plain way: batches of 32 in the order given, padded to the longest (LangChain
    `Embeddings`)."""

    def __init__(self) -> None:
        from tokenizers import Tokenizer

        from assistant.library.embed import MAX_TOKENS, _session, model_file, tokenizer_file

        self.session = _session(model_file(), threads=2)
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file()))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        import numpy as np

        out = []
        for start in range(0, len(texts), 32):
            encodings = self.tokenizer.encode_batch(texts[start:start + 32])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            output = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (output * weights).sum(axis=1) / weights.sum(axis=1)
            out.extend((pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _peer_store(index: Path) -> Any:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    class Plain(PlainMiniLM, Embeddings):
        pass

    return Chroma(collection_name="peer", embedding_function=Plain(), persist_directory=str(index))


def child_peer_ingest(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started = time.perf_counter()
    store = _peer_store(index)
    pages = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": p.name})
             for p in sorted(docs.iterdir())]
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True
                                            ).split_documents(pages)
    for start in range(0, len(splits), 1000):
        store.add_documents(splits[start:start + 1000])
    seconds = time.perf_counter() - started
    return {"chunks": len(splits), "seconds": seconds, "chunks_per_s": len(splits) / seconds}


def child_peer_warm(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    store = _peer_store(index)
    for question in questions[:3]:
        store.similarity_search(question, k=4)
    times = []
    for question in questions:
        started = time.perf_counter()
        store.similarity_search(question, k=4)
        times.append(time.perf_counter() - started)
    return {"retrieval_p50_ms": percentile(times, 50) * 1000, "retrieval_p95_ms": percentile(times, 95) * 1000}


def child_peer_first(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    """The tutorial's first result in a new process (its answer needs an LLM; this is the part before it)."""
    for document in _peer_store(index).similarity_search(questions[0], k=4):
        print(document.metadata["source"])
    return {}


def child_techniques(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    """Embedding throughput on the same chunks, adding one technique at a time."""
    import numpy as np

    from assistant.library import embed
    from assistant.library.chunk import chunk_document
    from assistant.library.load import load_folder

    documents, _ = load_folder(docs)
    texts = [c.search_text for d in documents for c in chunk_document(d)][:TECHNIQUE_CHUNKS]
    plain = PlainMiniLM()
    ours = embed.MiniLMEmbedder(threads=2)
    ours.embed(texts[:64])
    lengths = [len(e.ids) for e in ours._tokenizer.encode_batch(texts)]
    by_length = [texts[i] for i in np.argsort(lengths, kind="stable")]

    def rate(run: Any, items: list[str]) -> float:
        started = time.perf_counter()
        run(items)
        return len(items) / (time.perf_counter() - started)

    results = {"plain: batches of 32 padded to the longest, file order": rate(plain.embed_documents, texts),
               "+ sorted by length (batches of 32)": rate(plain.embed_documents, by_length)}
    one_session = embed.MiniLMEmbedder(threads=1)
    one_session._sessions = [one_session._pool.submit(embed._session, embed.model_file(), 2)]
    results["+ micro-batches of 2 (one 2-thread session)"] = rate(one_session.embed, texts)
    results["+ one 1-thread session per core (the assistant)"] = rate(ours.embed, texts)
    ours._tokenizer.enable_truncation(max_length=128)
    results["(not used) + truncation at 128 tokens"] = rate(ours.embed, texts)
    results["chunks over 128 tokens (%)"] = 100 * float(np.mean(np.array(lengths) > 128))
    results["chunks over 256 tokens (%)"] = 100 * float(np.mean(np.array(lengths) > 256))
    return results


def child_overlap(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    """Ingest with the store's writes run after each piece instead of beside the next one's embedding."""
    from concurrent.futures import Future

    from assistant.library import index as index_module
    from assistant.library.index import Store

    class InLine:
        def __init__(self, *_: object, **__: object) -> None: ...

        def __enter__(self) -> InLine:
            return self

        def __exit__(self, *_: object) -> None: ...

        def submit(self, call: Any, *args: Any) -> Future[Any]:
            done: Future[Any] = Future()
            done.set_result(call(*args))
            return done

    index_module.ThreadPoolExecutor = InLine  # type: ignore[assignment,misc]
    report = Store(settings_for(docs, index)).ingest()
    return {"chunks_per_s": report.chunks_embedded / report.seconds}


LIVE_FILES = int(os.environ.get("SCALE_LIVE_FILES", "20"))  # articles written into the watched folder, one at a time


SYLLABLES = ("ba", "ke", "lo", "mi", "nu", "ra", "si", "to", "vu", "ze")


def _made_up_word(number: int) -> str:
    """A word no corpus holds, spelt like a name (no digits: a name with digits is no name to NER)."""
    return "".join(SYLLABLES[int(digit)] for digit in f"{number:03d}")


def _place_terms(number: int) -> list[str]:
    from assistant.text import terms

    return terms(f"Quor{_made_up_word(number)}")


def _new_article(number: int) -> tuple[str, str, str]:
    """(file name, text, question) of an article no corpus holds: a made-up place, a made-up name."""
    word = _made_up_word(number)
    place, person = f"Quor{word}", f"Ysolde Bran{word}"
    text = (f"{place} harbour reopens\nDate: 2025-12-2{number % 10}\n\n{person}, the harbour master of {place}, "
            f"reopened the harbour on Tuesday after the storm, the port authority said.\n")
    return f"live-{number:03d}.txt", text, f"Who reopened the {place} harbour?"


def _retrieved(assistant: Any, question: str, name: str) -> bool:
    """The article is among the passages handed to the answer stage."""
    return name in {p.chunk.source for p in assistant.retriever.search(question).passages}


def _cites(assistant: Any, question: str, name: str) -> bool:
    return name in {c.source for c in assistant.ask(question).citations}


def child_live(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    """Articles written into the watched folder one at a time: seconds until one is among the passages retrieved
    for its question (then whether the answer cites it), and after removal until it is no longer retrieved."""
    from assistant import Assistant
    from assistant.library.watch import FolderWatcher

    assistant = Assistant(settings_for(docs, index))
    assistant.ensure_index()
    watcher = FolderWatcher(assistant.store).start()
    watcher.ready.wait(30)
    cited, gone, answered = [], [], 0
    try:
        for number in range(LIVE_FILES):
            name, text, question = _new_article(number)
            started = time.perf_counter()
            (docs / name).write_text(text, encoding="utf-8")
            while not _retrieved(assistant, question, name):
                time.sleep(0.05)
            cited.append(time.perf_counter() - started)
            answered += _cites(assistant, question, name)  # the answer itself cites the new article
            started = time.perf_counter()
            (docs / name).unlink()
            while _retrieved(assistant, question, name):
                time.sleep(0.05)
            gone.append(time.perf_counter() - started)
    finally:
        watcher.stop()
    return {"cited_p50_s": percentile(cited, 50), "cited_p95_s": percentile(cited, 95),
            "gone_p50_s": percentile(gone, 50), "gone_max_s": max(gone), "answer_cites_share": answered / LIVE_FILES}


def child_incremental(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    """One article added, then removed: seconds until it is searchable by keyword (and gone), as the watcher
    ingests it (the changed file only) and as `assistant ingest` does (the whole folder scanned), beside a full
    rebuild of the keyword index in the same process (what an added article cost before)."""
    from assistant.library.index import Store
    from assistant.library.keyword import KeywordIndex

    store = Store(settings_for(docs, index))
    store.ingest()
    store.keyword  # noqa: B018 (opened before timing)
    found = {}
    for number, only in ((997, True), (999, True), (998, False)):  # the first, untimed, warms what a first add loads
        name, text, _ = _new_article(number)
        searchable: list[float] = []
        started = time.perf_counter()
        (docs / name).write_text(text, encoding="utf-8")

        def catalogued(done: int, total: int, at: float = started, seen: list[float] = searchable) -> None:
            if not done:  # before any embedding: the keyword index holds the article
                seen.append(time.perf_counter() - at)

        store.ingest(catalogued, only=[name] if only else None)
        assert store.keyword.search(_place_terms(number), 5)
        (docs / name).unlink()
        started = time.perf_counter()
        store.ingest(only=[name] if only else None)
        gone_s = time.perf_counter() - started
        assert not store.keyword.search(_place_terms(number), 5)
        if number != 997:
            found.update({f"searchable{'' if only else '_scan'}_s": searchable[0],
                          f"gone{'' if only else '_scan'}_s": gone_s})
    started = time.perf_counter()
    KeywordIndex.build(store.catalog, index / "rebuild-baseline")
    return {**found, "full_rebuild_s": time.perf_counter() - started}


def child_catchup(docs: Path, index: Path, questions: list[str]) -> dict[str, float]:
    """Chroma server mode: two app processes' stores on one server (its data: a copy of this corpus's index);
    the seconds the second takes to take in one article the first added, beside copying the whole collection."""
    from assistant.library.index import Store
    from assistant.settings import Settings

    server_dir = index.parent / f"{index.name}-server"
    shutil.rmtree(server_dir, ignore_errors=True)
    shutil.copytree(index, server_dir, ignore=shutil.ignore_patterns("keyword", "trash"))
    for own in ("a", "b"):  # each process starts with an empty index folder of its own: the reader copies it all
        shutil.rmtree(index.parent / f"{index.name}-{own}", ignore_errors=True)
    port = _free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(server_dir),
                               "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        _wait_for(f"http://127.0.0.1:{port}/api/v2/heartbeat")
        url = f"http://127.0.0.1:{port}"
        writer = Store(Settings(docs=docs, index=index.parent / f"{index.name}-a", chroma_url=url,
                                generator="extractive"))
        started = time.perf_counter()
        reader = Store(Settings(docs=docs, index=index.parent / f"{index.name}-b", chroma_url=url,
                                generator="extractive"))
        full_copy_s = time.perf_counter() - started
        name, text, _ = _new_article(998)
        (docs / name).write_text(text, encoding="utf-8")
        writer.ingest()
        started = time.perf_counter()
        reader.sync()
        catchup_s = time.perf_counter() - started
        assert name in reader.catalog.files() and reader.keyword.search(_place_terms(998), 5)
        (docs / name).unlink()
        writer.ingest()
        return {"catchup_s": catchup_s, "full_copy_s": full_copy_s}
    finally:
        server.terminate()
        server.wait(timeout=60)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str) -> None:
    import urllib.request

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


CHILDREN = {name.removeprefix("child_"): function for name, function in globals().items()
            if name.startswith("child_")}


def percentile(values: list[float], q: int) -> float:
    from assistant.evaluate import percentile as eval_percentile

    return eval_percentile(values, q)


def run_child(task: str, docs: Path, index: Path, questions: Path) -> dict[str, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", task, "--docs", str(docs), "--index", str(index),
                           "--questions", str(questions)], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{task} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = wall
    return result


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# --- the run ----------------------------------------------------------------------------------------------------

def measure(size: int, args: argparse.Namespace) -> dict[str, Any]:
    corpus = args.work / f"corpus-{size}"
    made = build_corpus(args.articles, size, corpus)
    print(f"corpus {size}: {made}", flush=True)
    ours_index, peer_index = args.work / f"index-{size}", args.work / f"peer-{size}"
    for folder in (ours_index, peer_index):
        shutil.rmtree(folder, ignore_errors=True)
    row: dict[str, Any] = {"size": size, **made}
    ours = {task: run_child(task, corpus, ours_index, args.questions) for task in ("ingest", "reingest", "cli", "warm")}
    row["ours"] = {**_costs(ours, "cli", ours_index), "reingest_s": ours["reingest"]["seconds"],
                   "ask_p50_ms": ours["warm"]["ask_p50_ms"], "first_answer_rss_mb": ours["cli"]["peak_rss_mb"]}
    row["live"] = {task: run_child(task, corpus, ours_index, args.questions)
                   for task in ("incremental", "live", "catchup")}
    print(f"  ours: {row['ours']}", flush=True)
    if size <= args.peer_max:
        peer = {task: run_child(task, corpus, peer_index, args.questions)
                for task in ("peer_ingest", "peer_first", "peer_warm")}
        row["peer"] = _costs({k.removeprefix("peer_"): v for k, v in peer.items()}, "first", peer_index)
        print(f"  peer: {row['peer']}", flush=True)
    if size == min(args.sizes):
        row["techniques"] = run_child("techniques", corpus, ours_index, args.questions)
        shutil.rmtree(args.work / "overlap", ignore_errors=True)
        row["ours"]["ingest_without_overlap_chunks_per_s"] = run_child(
            "overlap", corpus, args.work / "overlap", args.questions)["chunks_per_s"]
    if not args.keep:
        for folder in (corpus, ours_index, peer_index):
            shutil.rmtree(folder, ignore_errors=True)
    return row


def _costs(phases: dict[str, dict[str, float]], first: str, index: Path) -> dict[str, float]:
    """What both pipelines report, from their ingest, first-answer and warm phases."""
    return {"chunks": phases["ingest"]["chunks"], "ingest_chunks_per_s": phases["ingest"]["chunks_per_s"],
            "first_s": phases[first]["wall_seconds"], "retrieval_p50_ms": phases["warm"]["retrieval_p50_ms"],
            "retrieval_p95_ms": phases["warm"]["retrieval_p95_ms"],
            "peak_rss_mb": max(phase["peak_rss_mb"] for phase in phases.values()), "index_mb": folder_mb(index)}


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| chunks (ours / peer) | pipeline | ingest chunks/s | unchanged re-ingest s | first answer, new "
             "process s | retrieval p50 / p95 ms | ask p50 ms | peak RSS MB | index MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        ours, peer = row["ours"], row.get("peer")
        size = f"{ours['chunks']:,}" + (f" / {peer['chunks']:,}" if peer else "")
        lines.append(f"| {size} | assistant | {ours['ingest_chunks_per_s']:.1f} | {ours['reingest_s']:.2f} | "
                     f"{ours['first_s']:.2f} | {ours['retrieval_p50_ms']:.1f} / {ours['retrieval_p95_ms']:.1f}"
                     f" | {ours['ask_p50_ms']:.0f} | {ours['peak_rss_mb']:.0f} | {ours['index_mb']:.0f} |")
        if peer:
            lines.append(f"| | plain tutorial | {peer['ingest_chunks_per_s']:.1f} | re-embeds all | "
                         f"{peer['first_s']:.2f} (retrieval only) | {peer['retrieval_p50_ms']:.1f} / "
                         f"{peer['retrieval_p95_ms']:.1f} | needs an LLM | {peer['peak_rss_mb']:.0f} | "
                         f"{peer['index_mb']:.0f} |")
            ratio = ours["ingest_chunks_per_s"] / peer["ingest_chunks_per_s"]
            lines.append(f"| | ratio | **{ratio:.2f}x** | | | | | | |")
    live = [row for row in rows if "live" in row]
    if live:
        lines += ["", "The live library: one article added or removed, the watched folder, a second process on a "
                  "Chroma server (seconds):", "",
                  "| chunks | keyword-searchable after an add: watcher / whole scan | gone after a removal: "
                  "watcher / whole scan | full keyword rebuild (before) | watched folder: retrieved p50 / p95 | "
                  "its answer cites it | removed: gone p50 / max | server catch-up, one article | server: whole "
                  "copy |", "|---|---|---|---|---|---|---|---|---|"]
        for row in live:
            found = row["live"]
            incremental, watched, server = found["incremental"], found["live"], found["catchup"]
            lines.append(f"| {row['ours']['chunks']:,} | {incremental['searchable_s']:.2f} / "
                         f"{_seconds(incremental, 'searchable_scan_s')} | {incremental['gone_s']:.2f} / "
                         f"{_seconds(incremental, 'gone_scan_s')} | {incremental['full_rebuild_s']:.2f} | "
                         f"{watched['cited_p50_s']:.2f} / {watched['cited_p95_s']:.2f} | "
                         f"{watched.get('answer_cites_share', 1.0):.2f} | "
                         f"{watched['gone_p50_s']:.2f} / {watched['gone_max_s']:.2f} | {server['catchup_s']:.2f} | "
                         f"{server['full_copy_s']:.2f} |")
    for row in rows:
        if "techniques" in row:
            lines += ["", f"Embedding techniques on the same {TECHNIQUE_CHUNKS:,} chunks of the "
                          f"{row['ours']['chunks']:,}-chunk "
                          "corpus (chunks/s, each adds to the line before):", "", "| technique | chunks/s |",
                      "|---|---|"]
            lines += [f"| {name} | {value:.1f} |" for name, value in row["techniques"].items()
                      if name not in ("peak_rss_mb", "wall_seconds")]
            lines.append(f"| whole ingest, store writes beside embedding / after it | "
                         f"{row['ours']['ingest_chunks_per_s']:.1f} / "
                         f"{row['ours']['ingest_without_overlap_chunks_per_s']:.1f} |")
    return "\n".join(lines) + "\n"


def _seconds(found: dict[str, float], key: str) -> str:
    """A measured value, or a dash in rows from runs before it was measured."""
    return f"{found[key]:.2f}" if key in found else "–"


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("ingest_chunks_per_s", "ingest (chunks/s)"), ("first_s", "first answer, new process (s)"),
              ("retrieval_p50_ms", "retrieval p50 (ms)"), ("peak_rss_mb", "peak RSS (MB)"),
              ("index_mb", "index on disk (MB)")]
    figure, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.4))
    for axis, (key, label) in zip(axes, panels):
        for name, colour in (("ours", "tab:blue"), ("peer", "tab:orange")):
            points = [(r[name]["chunks"], r[name][key]) for r in rows if name in r]
            if points:
                axis.plot(*zip(*points), marker="o", color=colour,
                          label="assistant" if name == "ours" else "plain tutorial")
        axis.set_xscale("log")
        axis.set_ylim(bottom=0)
        axis.set_xlabel("chunks")
        axis.set_title(label, fontsize=10)
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=Path, nargs="+", default=[ROOT / "seeds"],
                        help="folders of real articles (default: the seeds, padded with synthetic text)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--peer-max", type=int, default=10_000, help="largest corpus the peer runs on")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--work", type=Path, default=Path("/tmp/assistant-scale"))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--keep", action="store_true", help="keep the corpora and indexes")
    parser.add_argument("--report-from", type=Path, nargs="+",
                        help="measure nothing: write the table and plot from the scale.json of earlier runs")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--docs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = CHILDREN[args.child](args.docs, args.index, load_questions(args.questions))
        print(json.dumps({**result, "peak_rss_mb": peak_rss_mb()}))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    if args.report_from:
        rows = sorted((row for path in args.report_from for row in json.loads(path.read_text(encoding="utf-8"))),
                      key=lambda row: row["size"])
    else:
        args.work.mkdir(parents=True, exist_ok=True)
        rows = [measure(size, args) for size in sorted(args.sizes)]
    (args.out / "scale.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    (args.out / "scale.md").write_text(table(rows), encoding="utf-8")
    plot(rows, args.out / "scale.png")
    print(table(rows))
    print(f"wrote {args.out}/scale.md, scale.json and scale.png")


if __name__ == "__main__":
    main()
