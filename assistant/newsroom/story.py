"""A story's articles and their sentences, shared by the timeline and the digest.

The articles of a story are those the hybrid retriever finds for it whose retrieved passages (and title) hold most
of its words, weighted by how rare each word is: 'the Florida talks' needs 'Florida' and 'talks', not only 'the'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..answering.cite import Citation, citation_for_span
from ..answering.rank import prose_sentences
from ..answering.retrieve import Passage, question_focus
from ..library.catalog import IndexedChunk
from ..text import terms
from ..timeframe import Timeframe, article_date
from ..tuning import STORY_COVERAGE, STORY_PASSAGES

if TYPE_CHECKING:
    from ..pipeline import Assistant


@dataclass(frozen=True)
class Sentence:
    """A whole prose sentence of an article, with what a citation of it needs."""
    passage: Passage
    start: int
    end: int
    text: str

    @property
    def source(self) -> str:
        return self.passage.chunk.source

    @property
    def published(self) -> date | None:
        return article_date(self.passage.metadata.get("date"))

    def cite(self, number: int) -> Citation:
        return citation_for_span(number, self.passage, self.start, self.end)


def story_sources(assistant: Assistant, topic: str, timeframe: Timeframe | None = None) -> list[str]:
    """The files about the topic, best first."""
    retrieval = assistant.retriever.search(topic, k=STORY_PASSAGES, timeframe=timeframe)
    wanted = list(dict.fromkeys(terms(question_focus(topic)))) or terms(topic)
    keyword = assistant.retriever.keyword_index
    weight = {t: keyword.idf(t) for t in wanted}
    total = sum(weight.values()) or 1.0
    found: dict[str, set[str]] = {}
    for passage in retrieval.passages:
        present = set(terms(passage.chunk.search_text))  # the title with the text
        found.setdefault(passage.chunk.source, set()).update(present)
    return [source for source, present in found.items()
            if sum(weight[t] for t in wanted if t in present) / total >= STORY_COVERAGE]


def article_sentences(chunks: list[IndexedChunk]) -> list[Sentence]:
    """An article's prose sentences in order, each once (chunks overlap)."""
    seen: set[int] = set()
    found = []
    for indexed in chunks:
        passage = Passage(indexed.chunk, indexed.metadata)
        for span in prose_sentences(passage):
            if span.start not in seen and len(terms(span.text)) >= 3:
                seen.add(span.start)
                found.append(Sentence(passage, span.start, span.end, span.text))
    return found


def lead_sentence(sentences: list[Sentence]) -> Sentence | None:
    """The article's first sentence of prose that is no heading (it ends as a sentence ends)."""
    title = sentences[0].passage.metadata.get("title", "").strip() if sentences else ""
    for sentence in sentences:
        if sentence.text.strip() != title and sentence.text.rstrip("\"”’' )").endswith((".", "!", "?")):
            return sentence
    return None
