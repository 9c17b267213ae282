"""What in an article is not its prose: the header block under the title (`Publisher:`, `URL:`, a date line),
photo captions with their credits ("… on Saturday. David Cliff/AP"), the numbers of list items ("24. "), and
sentences addressed to an assistant rather than written for readers (addressed.py).
Recognised once, when the article is loaded, and never quoted as an answer; the spans are kept in the chunks'
metadata, in file offsets.
"""

from __future__ import annotations

import json
import re

from .addressed import addressed_spans
from .dates import header_block_end

# A photo credit closing a paragraph: 'Steve Helber/AP', 'Ricardo Arduengo/AFP/Getty Images', 'NASA via AP'.
_CREDIT_END = re.compile(
    r"(?:^|(?<=[.!?\"”’)])\s)\s*(?:[A-Z][\w.'’\-]*\s+){0,5}[A-Z][\w.'’\-]*"
    r"(?:(?:/[A-Z][\w.&'’\-]*(?:\s+[A-Z][\w.&'’\-]*){0,4})+|\s+via\s+[A-Z][\w.&'’\- ]{1,30}|\s+Getty Images)\s*$")
_LIST_NUMBER = re.compile(r"^(\d{1,3}[.)]\s+)(?=\S)", re.M)


def non_prose(text: str) -> list[tuple[int, int]]:
    """Spans of the text that are not sentences of the article, in order."""
    spans = []
    if end := header_block_end(text):
        spans.append((_first_line_end(text), end))
    offset = 0
    for paragraph in text.splitlines(keepends=True):
        body = paragraph.rstrip()
        if body and _CREDIT_END.search(body):
            spans.append((offset, offset + len(body)))
        offset += len(paragraph)
    spans += [(m.start(1), m.end(1)) for m in _LIST_NUMBER.finditer(text)]
    spans += addressed_spans(text)
    return sorted(spans)


def _first_line_end(text: str) -> int:
    stripped = len(text) - len(text.lstrip())
    newline = text.find("\n", stripped)
    return newline if newline >= 0 else len(text)


def encode(spans: list[tuple[int, int]]) -> str:
    return json.dumps(spans, separators=(",", ":"))


def decode(value: str | None) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in json.loads(value)] if value else []
