"""Split documents into overlapping chunks that remember their character span in the file's text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .load import Document

SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    start: int
    end: int
    text: str  # == document.text[start:end]
    title: str = ""

    @property
    def search_text(self) -> str:
        """What gets embedded and keyword-indexed: the article title gives each chunk its context."""
        if self.title and not self.text.startswith(self.title):
            return f"{self.title}\n{self.text}"
        return self.text


def chunk_document(document: Document, chunk_size: int = 800, chunk_overlap: int = 120) -> list[Chunk]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter  # only needed when articles change

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=min(chunk_overlap, chunk_size // 2),
        separators=SEPARATORS,
        keep_separator="end",
        add_start_index=True,
    )
    chunks = []
    for piece in splitter.create_documents([document.text]):
        start = piece.metadata["start_index"]
        end = start + len(piece.page_content)
        if start < 0 or document.text[start:end] != piece.page_content:
            start = document.text.find(piece.page_content)
            end = start + len(piece.page_content)
        chunks.append(Chunk(
            id=_chunk_id(document, start, end),
            source=document.source, start=start, end=end,
            text=piece.page_content, title=document.title,
        ))
    return chunks


def _chunk_id(document: Document, start: int, end: int) -> str:
    key = f"{document.source}\0{document.content_hash}\0{start}:{end}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
