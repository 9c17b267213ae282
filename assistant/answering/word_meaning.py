"""How close two words are in meaning, from the embedding model the library already runs (all-MiniLM-L6-v2).

The support check matches a claim's words to its quote's by stem and by the near-synonyms of `lexicon.py`. A
paraphrase uses words no list holds ("picked" for "had chosen", "interred" for "buried"): those are matched when
their vectors are at least `NEAR_SYNONYM` apart in cosine. Measured on the labelled pairs of
`evals/support_pairs.jsonl` (`python evals/support_check.py --word-meaning`) and on the draft sentences of
`evals/drafts.jsonl`. Antonyms are close in this space too ("rejected"/"accepted" 0.54), which is why the
threshold is high and the support check's antonym and negation checks still run on the words matched.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import numpy as np

from ..library.embed import get_embedder

CACHE_LIMIT = 50_000  # words kept with their vectors (384 floats each: ~77 MB at the limit)


class WordMeaning:
    """Word vectors, embedded in batches on first use and kept."""

    def __init__(self, threads: int = 2) -> None:
        self._threads = threads
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def vectors(self, words: Iterable[str]) -> dict[str, np.ndarray]:
        """The words' vectors; those not seen yet are embedded together in one batch."""
        wanted = list(dict.fromkeys(words))
        with self._lock:
            found = {w: self._vectors[w] for w in wanted if w in self._vectors}
        new = [w for w in wanted if w not in found]
        if new:
            found.update(zip(new, get_embedder(self._threads).embed(new)))
            with self._lock:
                if len(self._vectors) + len(new) > CACHE_LIMIT:
                    self._vectors.clear()
                self._vectors.update((w, found[w]) for w in new)
        return found

    def similarity(self, first: str, second: str) -> float:
        found = self.vectors([first, second])
        return float(np.dot(found[first], found[second]))


_shared: dict[int, WordMeaning] = {}
_shared_lock = threading.Lock()


def word_meaning(threads: int = 2) -> WordMeaning:
    """One word-vector cache per thread count, shared by every check in the process."""
    with _shared_lock:
        return _shared.setdefault(threads, WordMeaning(threads))
