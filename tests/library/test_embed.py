import hashlib

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from assistant.library.embed import (
    TOKENIZER_MD5,
    chroma_embedding_function,
    get_embedder,
    langchain_embeddings,
    tokenizer_file,
)


def test_tokenizer_comes_from_the_pinned_package_and_is_verified() -> None:
    assert hashlib.md5(tokenizer_file().read_bytes()).hexdigest() == TOKENIZER_MD5


def test_vectors_are_normalised_and_meaningful() -> None:
    vectors = get_embedder().embed([
        "The central bank raised interest rates.",
        "Interest rates were increased by the central bank.",
        "The striker scored twice in the final.",
    ])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > 0.8 > vectors[0] @ vectors[2] + 0.3


def test_long_texts_are_truncated_not_rejected() -> None:
    assert get_embedder().embed(["word " * 5000]).shape == (1, 384)


def test_batching_does_not_change_the_vectors() -> None:
    texts = [f"Report number {i} about the harbour." for i in range(40)]
    together = get_embedder().embed(texts)
    alone = np.vstack([get_embedder().embed([t]) for t in texts[:3]])
    assert np.allclose(together[:3], alone, atol=1e-4)


def test_chroma_uses_the_offline_function(tmp_path) -> None:
    client = chromadb.PersistentClient(str(tmp_path), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.create_collection("test-collection", embedding_function=chroma_embedding_function())
    collection.add(ids=["a", "b"], documents=["Wheat prices fell.", "The election was held in May."])
    found = collection.query(query_texts=["When was the vote?"], n_results=1)
    assert found["ids"][0] == ["b"]


def test_langchain_embeddings_match_the_embedder() -> None:
    embeddings = langchain_embeddings()
    query = embeddings.embed_query("grain exports")
    assert np.allclose(query, get_embedder().embed(["grain exports"])[0], atol=1e-5)
    assert len(embeddings.embed_documents(["a", "b"])) == 2


def test_texts_of_mixed_lengths_come_back_in_the_order_given() -> None:
    """The embedder sorts by length and spreads the work over sessions; each vector still belongs to its text."""
    texts = [("The harbour reopened after the storm. " * n).strip() for n in (9, 1, 30, 4, 2, 17, 1, 60, 5)]
    texts[6] = "Wheat prices fell sharply in May."
    together = get_embedder().embed(texts)
    alone = np.vstack([get_embedder().embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)
    assert together[6] @ together[1] < 0.5  # the odd one out kept its own vector
