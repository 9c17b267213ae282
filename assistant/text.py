"""Text helpers every stage shares: search terms (stemmed, no stopwords) and sentence spans."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import bm25s
import pysbd
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

_LOCAL = threading.local()  # PyStemmer stemmers and pysbd segmenters keep state: one of each per thread
STOPWORDS = sorted(STOPWORDS_EN_PLUS)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_WORD = re.compile(r"\w+")
_CAPITALISED = re.compile(r"\b[A-Z][\w’'\-]*[a-zA-Z]\b|\b[A-Z]\.(?:[A-Z]\.)+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def terms(text: str) -> list[str]:
    """Lower-cased, stemmed words with English stopwords removed, as BM25 sees them."""
    return list(_terms(text))


@lru_cache(maxsize=16384)  # the same sentences are read again for each claim and question
def _terms(text: str) -> tuple[str, ...]:
    return tuple(terms_batch([text])[0])


def terms_batch(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(
        texts, stopwords=STOPWORDS, stemmer=_stemmer(), return_ids=False, show_progress=False
    )


def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())


def _stemmer() -> Stemmer.Stemmer:
    if not hasattr(_LOCAL, "stemmer"):
        _LOCAL.stemmer = Stemmer.Stemmer("english")
    return _LOCAL.stemmer


def word_key(word: str) -> str:
    """A word as names are compared: no possessive, no surrounding punctuation, stemmed ('Putin’s' → 'putin')."""
    return stem(re.sub(r"[’']s$", "", word.strip("?!,.;:\"“”()")))


def _segmenter() -> pysbd.Segmenter:
    if not hasattr(_LOCAL, "segmenter"):
        _LOCAL.segmenter = pysbd.Segmenter(language="en", clean=False)
    return _LOCAL.segmenter


def sentence_spans(text: str, offset: int = 0) -> list[Span]:
    """Sentences of text (one per line at least), each with its exact span, shifted by offset."""
    return list(_sentence_spans(text, offset))


@lru_cache(maxsize=4096)  # a chunk's sentences are asked for again and again (ranking, checking, citing)
def _sentence_spans(text: str, offset: int) -> tuple[Span, ...]:
    spans: list[Span] = []
    line_start = 0
    for line in text.splitlines(keepends=True):
        cursor = 0
        first = len(spans)
        for sentence in _segmenter().segment(line) if line.strip() else []:
            stripped = sentence.strip()
            found = line.find(stripped, cursor) if stripped else -1
            if found < 0:
                continue
            cursor = found + len(stripped)
            if len(spans) > first and len(_WORD.findall(stripped)) == 1:
                # one word cut off by an abbreviation ('at 10:59 p.m. ET.'): it ends the sentence before
                begin, end = spans[-1].start - offset, line_start + cursor
                spans[-1] = Span(offset + begin, offset + end, text[begin:end])
                continue
            spans.append(Span(offset + line_start + found, offset + line_start + cursor, stripped))
        line_start += len(line)
    return tuple(spans)


def numbers(text: str) -> set[str]:
    return {n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text)}


def capitalised_words(text: str) -> set[str]:
    """Capitalised words (names, places, organisations), excluding the first word of each sentence."""
    return {match.group(0).lower() for match in _CAPITALISED.finditer(text)
            if not _starts_sentence(text, match.start())}


def _starts_sentence(text: str, index: int) -> bool:
    before = text[:index].rstrip()
    return not before or before[-1] in ".!?\n“\""


_NAME_RUN = re.compile(r"\b[A-Z][\w’'\-.]*(?:\s+[A-Z][\w’'\-.]*)*")


def capitalised_phrases(text: str) -> list[str]:
    """Runs of capitalised words ("Vice President JD Vance"), leaving out a sentence's first word."""
    phrases = []
    for match in _NAME_RUN.finditer(text):
        words = match.group(0).split()
        if _starts_sentence(text, match.start()):
            words = words[1:]
        if words:
            phrases.append(" ".join(words))
    return phrases


def error_line(error: BaseException, limit: int = 200, with_type: bool = True) -> str:
    """An error in one line for a message: 'Type: first line of its text', cut to `limit` characters."""
    first = str(error).splitlines()[0] if str(error) else ""
    if not with_type:
        return first[:limit] or type(error).__name__
    return f"{type(error).__name__}: {first}"[:limit] if first else type(error).__name__
