"""The keyword index keeps up with the catalog change by change, and ranks exactly as a full rebuild does."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from assistant.library.catalog import Catalog, FileRecord
from assistant.library.chunk import chunk_document
from assistant.library.keyword import MAX_SEGMENTS, KeywordIndex
from assistant.library.load import Document
from assistant.text import terms

WORDS = ["harbour", "ferry", "council", "budget", "strike", "union", "mayor", "bridge", "storm", "river", "school",
         "vote", "election", "court", "judge", "police", "fire", "train", "airport", "museum", "hospital",
         "tax", "water", "power", "festival", "market", "bank", "port", "island", "road"]


def _article(rng: random.Random, name: str, day: int) -> Document:
    sentences = [" ".join(rng.choices(WORDS, k=rng.randint(6, 14))).capitalize() + "."
                 for _ in range(rng.randint(4, 30))]
    return Document(source=name, text=f"{name} report\n\n" + " ".join(sentences), title=f"{name} report",
                    date=f"2024-03-{day:02d}")


def _add(catalog: Catalog, document: Document) -> None:
    chunks = chunk_document(document, 300, 40)
    catalog.add_file(document.source, FileRecord(len(document.text), 0, document.content_hash, len(chunks)), chunks,
                     document.metadata)


def _queries(rng: random.Random) -> list[list[str]]:
    return [terms(" ".join(rng.choices(WORDS, k=rng.randint(1, 5)))) for _ in range(40)]


def _rankings(index: KeywordIndex, queries: list[list[str]], **dates) -> list[list[str]]:
    return [index.search(q, 15, **dates) for q in queries]


def test_after_additions_changes_and_removals_the_ranking_is_a_full_rebuilds(tmp_path: Path) -> None:
    rng = random.Random(7)
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    for n in range(40):
        _add(catalog, _article(rng, f"a{n:02d}.txt", 1 + n % 28))
    live = KeywordIndex.open(catalog, tmp_path / "live")
    for step in range(30):  # one file at a time, as a watched folder sees them
        if step % 3 == 0:
            catalog.remove([f"a{rng.randrange(40):02d}.txt"])
        else:
            _add(catalog, _article(rng, f"b{step:02d}.txt" if step % 3 == 1 else f"a{rng.randrange(40):02d}.txt",
                                   1 + step % 28))
        live.refresh()
    assert len(live.segments) <= MAX_SEGMENTS + 1
    rebuilt = KeywordIndex.build(catalog, tmp_path / "rebuilt")
    queries = _queries(rng)
    assert live.size == rebuilt.size and live.sources == rebuilt.sources
    assert _rankings(live, queries) == _rankings(rebuilt, queries)
    assert all(live.idf(w) == pytest.approx(rebuilt.idf(w), abs=1e-12) for w in terms(" ".join(WORDS)))
    from datetime import date
    window = {"since": date(2024, 3, 5), "until": date(2024, 3, 12)}
    assert _rankings(live, queries, **window) == _rankings(rebuilt, queries, **window)
    reopened = KeywordIndex.open(catalog, tmp_path / "live")  # what a new process sees
    assert _rankings(reopened, queries) == _rankings(rebuilt, queries)


def test_a_removed_article_is_never_found_and_an_added_one_at_once(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    rng = random.Random(3)
    for n in range(10):
        _add(catalog, _article(rng, f"a{n}.txt", 3))
    index = KeywordIndex.open(catalog, tmp_path / "kw")
    _add(catalog, Document(source="tram.txt", text="Tram news\n\nThe new zeppelin tram opened.", title="Tram news"))
    index.refresh()
    assert {catalog.chunks_by_id(index.search(["zeppelin"], 5))[i].chunk.source
            for i in index.search(["zeppelin"], 5)} == {"tram.txt"}
    catalog.remove(["tram.txt"])
    index.refresh()
    assert index.search(["zeppelin"], 5) == [] and index.frequency("zeppelin") == 0


def test_a_damaged_segment_is_rebuilt_from_the_catalog(tmp_path: Path, caplog) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    rng = random.Random(5)
    for n in range(10):
        _add(catalog, _article(rng, f"a{n}.txt", 3))
    built = KeywordIndex.open(catalog, tmp_path / "kw")
    expected = _rankings(built, _queries(random.Random(1)))
    for array in (tmp_path / "kw").rglob("docs.npy"):
        array.write_bytes(array.read_bytes()[:100] + bytes(200))
    reopened = KeywordIndex.open(catalog, tmp_path / "kw")
    assert "rebuilding the keyword index" in caplog.text
    assert _rankings(reopened, _queries(random.Random(1))) == expected
