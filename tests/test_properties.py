"""Property-based checks (hypothesis) of the parts every answer rests on, bounded to a few seconds each."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.answering.cite import Citation, cited_numbers, claims, renumber, strip_markers
from assistant.library.chunk import chunk_document
from assistant.library.load import Document, LoadError, load_document

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEWSY = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000) | st.from_regex(
    r"([A-Z][a-z]{1,9}( [a-z]{1,9}){2,12}[.?!]( |\n|\n\n)){1,40}", fullmatch=True)


@QUICK
@given(raw=st.binary(max_size=4000), suffix=st.sampled_from([".txt", ".md", ".html", ".htm"]))
def test_any_file_loads_or_is_refused_with_a_reason(raw: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"article{suffix}"
        path.write_bytes(raw)
        try:
            document = load_document(path, Path(folder))
        except LoadError as error:
            assert str(error).startswith(f"article{suffix}: ")
        else:
            assert document.text.strip() and document.source == f"article{suffix}"


@QUICK
@given(text=NEWSY, size=st.integers(20, 900), overlap=st.integers(0, 200))
def test_every_chunk_is_exactly_the_text_at_its_span(text: str, size: int, overlap: int) -> None:
    document = Document(source="a.txt", text=text)
    for chunk in chunk_document(document, size, overlap):
        assert 0 <= chunk.start <= chunk.end <= len(text)
        assert text[chunk.start:chunk.end] == chunk.text


MARKED = st.lists(st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
    st.integers(0, 12).map(lambda n: f"[{n}]"),
    st.lists(st.integers(1, 9), min_size=2, max_size=3).map(lambda ns: "[" + ", ".join(map(str, ns)) + "]"),
    st.sampled_from([". ", "? ", "\n", " "]),
), max_size=30).map("".join)


@QUICK
@given(text=MARKED)
def test_claims_keep_every_word_and_cite_only_markers_in_the_text(text: str) -> None:
    found = claims(text)
    cited = [n for _, numbers in found for n in numbers]
    assert set(cited) <= set(cited_numbers(text))
    if re.search(r"\w[.!?]? ?\[\d+\](\s|$)", text):  # a marker after a word, then a space: a citation
        assert cited
    letters = re.sub(r"\W+", "", strip_markers(text))  # no word lost or reordered
    assert re.sub(r"\W+", "", "".join(strip_markers(claim) for claim, _ in found)) == letters


@QUICK
@given(text=MARKED, available=st.sets(st.integers(0, 12), max_size=8))
def test_renumbering_gives_1_to_n_in_order_of_first_use(text: str, available: set[int]) -> None:
    citations = [Citation(n, f"{n}.txt", "T", f"quote {n}", 0, 7) for n in sorted(available)]
    new_text, kept = renumber(text, citations)
    used = list(dict.fromkeys(cited_numbers(new_text)))
    assert [c.number for c in kept] == list(range(1, len(kept) + 1)) == used
    assert [c.source for c in kept] == [f"{n}.txt" for n in dict.fromkeys(cited_numbers(text)) if n in available]
