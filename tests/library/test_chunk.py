from pathlib import Path

from assistant.library.chunk import chunk_document
from assistant.library.load import Document, load_folder

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_every_chunk_knows_its_exact_span_in_the_file() -> None:
    documents, _ = load_folder(SEEDS)
    for document in documents:
        chunks = chunk_document(document, chunk_size=400, chunk_overlap=60)
        assert len(chunks) > 2
        for chunk in chunks:
            assert document.text[chunk.start:chunk.end] == chunk.text
            assert len(chunk.text) <= 400


def test_chunks_cover_the_whole_text_in_order() -> None:
    text = "\n\n".join(f"Paragraph {i} says the figure was {i * 7} percent." for i in range(60))
    chunks = chunk_document(Document(source="p.txt", text=text), chunk_size=200, chunk_overlap=40)
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for before, after in zip(chunks, chunks[1:]):
        assert after.start <= before.end + 2  # at most the separator between them is skipped
        assert after.start > before.start


def test_repeated_text_gets_the_right_offsets() -> None:
    text = "Same sentence here. " * 80
    chunks = chunk_document(Document(source="r.txt", text=text), chunk_size=120, chunk_overlap=0)
    assert all(text[c.start:c.end] == c.text for c in chunks)
    assert len({c.start for c in chunks}) == len(chunks)


def test_chunk_ids_change_with_content_and_not_otherwise() -> None:
    a = chunk_document(Document(source="x.txt", text="One fact. Another fact."))
    b = chunk_document(Document(source="x.txt", text="One fact. Another fact."))
    c = chunk_document(Document(source="x.txt", text="One fact. A changed fact."))
    assert [x.id for x in a] == [x.id for x in b] != [x.id for x in c]
