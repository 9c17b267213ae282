"""Does the vector index answer a query? Asked in a process of its own, because damaged vector files can crash
(segfault) the process that reads them rather than raise an error.

    python -m assistant.library.selfcheck INDEX_FOLDER COLLECTION     # what Store.verify runs
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

SECONDS = 120


def vector_self_check(index: object, collection: str) -> str:
    """'' when the collection opens, counts and answers a nearest-neighbour query; else what went wrong."""
    try:
        done = subprocess.run([sys.executable, "-m", "assistant.library.selfcheck", str(index), collection],
                              capture_output=True, text=True, timeout=SECONDS)
    except subprocess.TimeoutExpired:
        return f"a test query took longer than {SECONDS} s"
    if done.returncode < 0:
        return f"reading it crashed the process ({signal.Signals(-done.returncode).name})"
    if done.returncode:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1][:200] if lines else f"the check failed (exit status {done.returncode})"
    return ""


def check(index: str, name: str) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=index, settings=ChromaSettings(anonymized_telemetry=False))
    collection: Any = client.get_collection(name, embedding_function=None)
    count = collection.count()
    if count:
        stored: Any = collection.get(limit=1, include=["embeddings"])["embeddings"]
        collection.query(query_embeddings=[[float(v) for v in stored[0]]], n_results=min(10, count), include=[])


if __name__ == "__main__":
    try:
        check(sys.argv[1], sys.argv[2])
    except Exception as error:  # reported to the parent as the last line
        print(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}", file=sys.stderr)
        sys.exit(1)
