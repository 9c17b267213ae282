"""Citations: [n] markers mapped to file, character span and the exact quote."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import asdict, dataclass

from .retrieve import Passage

_NUMBERS = r"\d{1,3}(?:\s*,\s*\d{1,3})*"  # "2" or "2, 5": what one [n] marker holds
MARKER = re.compile(rf"\[({_NUMBERS})\]")
_MARKER_RUN = rf"(?:\s*\[{_NUMBERS}\])+"  # "[1]" or "[1] [3]"


@dataclass(frozen=True)
class Citation:
    number: int
    source: str  # file path relative to the documents folder
    title: str
    quote: str  # == that file's text[start:end]
    start: int
    end: int
    date: str = ""
    publisher: str = ""
    url: str = ""  # where the article was published, when it says (a page added from the web always does)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def label(self, width: int = 90) -> str:
        quote = self.quote if len(self.quote) <= width else self.quote[: width - 3].rstrip() + "..."
        return f"[{self.number}] {self.source} — \u201c{quote}\u201d"


def citation_for_span(number: int, passage: Passage, start: int, end: int) -> Citation:
    """A citation of document[start:end], which must lie inside the passage's chunk."""
    chunk = passage.chunk
    if not (chunk.start <= start <= end <= chunk.end):
        raise ValueError(f"span {start}:{end} is outside chunk {chunk.start}:{chunk.end} of {chunk.source}")
    quote = chunk.text[start - chunk.start:end - chunk.start]
    return Citation(
        number=number, source=chunk.source, title=passage.metadata.get("title", ""),
        quote=quote, start=start, end=end,
        date=passage.metadata.get("date", ""), publisher=passage.metadata.get("publisher", ""),
        url=passage.metadata.get("url", ""),
    )


def cited_numbers(text: str) -> list[int]:
    """Every [n] (and [n, m]) marker in order of appearance."""
    numbers: list[int] = []
    for match in MARKER.finditer(text):
        numbers.extend(int(n) for n in match.group(1).split(","))
    return numbers


_CLAIM = re.compile(rf"(.*?)({_MARKER_RUN})([.!?]?)(?=\s|$)", re.S)
LEADING_MARKER = re.compile(rf"^\s*\[{_NUMBERS}\]")


def claims(text: str) -> list[tuple[str, list[int]]]:
    """The answer cut after each run of [n] markers: (claim text with its markers, cited numbers).

    Text after the last marker, if any, is a claim citing nothing.
    """
    if LEADING_MARKER.match(text):
        return _claims_after_markers(text)
    found: list[tuple[str, list[int]]] = []
    cursor = 0
    for match in _CLAIM.finditer(text):
        claim = text[cursor:match.end()].strip()
        if strip_markers(claim):
            found.append((claim, cited_numbers(match.group(2))))
        cursor = match.end()
    if strip_markers(text[cursor:]):
        found.append((text[cursor:].strip(), []))
    return found


def _claims_after_markers(text: str) -> list[tuple[str, list[int]]]:
    """Claims written as "[1] claim. [2] claim.": each marker run cites the text that follows it."""
    pieces = re.split(rf"({_MARKER_RUN}\s*)", text)
    found = []
    for markers, body in zip(pieces[1::2], pieces[2::2]):
        if strip_markers(body):
            found.append((f"{body.strip()} {markers.strip()}", cited_numbers(markers)))
    return found


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", text)).strip()


def renumber(text: str, citations: list[Citation]) -> tuple[str, list[Citation]]:
    """Number the citations 1..n in order of first use in text and drop the unused ones."""
    by_number = {c.number: c for c in citations}
    order: list[int] = []
    for n in cited_numbers(text):
        if n in by_number and n not in order:
            order.append(n)
    mapping = {old: new for new, old in enumerate(order, start=1)}

    def replace(match: re.Match[str]) -> str:
        kept = [mapping[int(n)] for n in match.group(1).split(",") if int(n) in mapping]
        return "".join(f"[{n}]" for n in dict.fromkeys(kept))

    new_text = MARKER.sub(replace, text)
    new_citations = [
        dataclasses.replace(by_number[old], number=new) for old, new in mapping.items()
    ]
    return new_text, new_citations
