"""LLM answers: a LangChain chain (prompt files → ChatOpenAI → text) over numbered passages, verified in code.

The local and openai backends share this code path; only the base URL differs. Refusals are decided by the
decision stage (decide.py) before the model is called, and every claim the model writes is checked against the
passage it cites (verify.py). When the model or its server fails, the extractive answer is given instead.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import openai
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

from ..figures import NUMBER_WORDS
from ..prompts import load_prompt
from ..text import error_line, terms
from ..tuning import PASSAGES_IN_PROMPT, PROMPT_NEIGHBOURS
from .answer import (
    CANNOT_ANSWER,
    Answer,
    Candidate,
    ExtractiveGenerator,
    Note,
    NoteKind,
    Reading,
    disagreeing_sentence,
    newer_of,
)
from .cite import Citation, citation_for_span, renumber
from .followup import is_follow_up, with_context
from .llm_server import ServerStartError
from .verify import verify_answer

if TYPE_CHECKING:
    from .reader import Piece

log = logging.getLogger(__name__)
FENCE = re.compile(r"</?\s*passages\s*>", re.I)  # the tags around the passages in the prompt files
CONTEXT_PLACES = ("title", "before", "after")  # what a passage may be shown with, besides its sentence

# What makes the answer fall back to extractive: the server or API failing (down, timeout, HTTP status, bad key).
# Anything else (a missing prompt, a template error, a bug) is raised: it needs fixing, not hiding.
BACKEND_ERRORS = (openai.APIError, httpx.HTTPError, ServerStartError)
# The span reader's reply, grammar-constrained by servers that support JSON schema (llama.cpp, OpenAI).
SPAN_SCHEMA = {"type": "json_schema", "json_schema": {"name": "answer", "strict": True, "schema": {
    "type": "object", "additionalProperties": False, "required": ["answer", "passage"],
    "properties": {"answer": {"type": "string", "maxLength": 160},
                   "passage": {"type": "integer", "minimum": 0, "maximum": PASSAGES_IN_PROMPT}}}}}


class LLMGenerator:
    """Writes the answer with a chat model; `make_client` builds the ChatOpenAI client on first use."""

    def __init__(self, name: str, make_client: Callable[[], ChatOpenAI], prompts_folder,
                 extractive: ExtractiveGenerator, mode: str = "span", neighbours: int = PROMPT_NEIGHBOURS) -> None:
        self.name = name
        self.mode = mode  # "span": copied words + the passage's quote; "prose": sentences, each verified
        self.neighbours = neighbours  # of the passages shown with their titles, the best with their neighbours too
        self._make_client = make_client
        self._client: ChatOpenAI | None = None
        self.prompts = prompts_folder
        self.extractive = extractive

    @property
    def client(self) -> ChatOpenAI:
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def stream(self, question: str, reading: Reading) -> Iterator[str | Answer]:
        ranked = reading.ranked
        numbered = self.numbered_passages(ranked[:PASSAGES_IN_PROMPT])
        prose = self.mode == "prose"
        # prose claims are verified against the sentence they cite, so prose is written from sentences alone
        context = {} if prose else context_pieces(reading, neighbours=self.neighbours)
        started = time.perf_counter()
        written: list[str] = []
        try:
            for token in self._chain().stream({"question": question,
                                               "passages": format_passages(numbered, context)}):
                if not written:
                    first_token = time.perf_counter() - started
                written.append(token)
                if prose:
                    yield token
        except BACKEND_ERRORS as error:
            yield from self._fallback(question, reading, f"{self.name} backend failed ({error_line(error)})")
            return
        reply = "".join(written)
        if prose:
            answer = self.verified_answer(question, reply, numbered, reading)
        else:
            answer = self.span_answer(question, reply, numbered, reading, context)
            yield answer.text
        answer.timings["first_token"] = first_token if written else 0.0
        answer.timings["generate"] = time.perf_counter() - started
        yield answer

    def span_answer(self, question: str, reply: str, numbered: dict[int, Citation], reading: Reading,
                    context: dict[int, dict[str, Piece]] | None = None) -> Answer:
        """The model's copied words, found by code in a passage (its sentence, or the title or neighbouring
        sentence shown with it, which is then cited too), given with that passage's exact quote."""
        parsed = parse_span_reply(reply)
        if parsed is None:
            return self._extractive_instead(question, reading, "the model's reply was not the JSON asked for")
        words, number = parsed
        if not words or number == 0:
            return self._extractive_instead(question, reading, "the model found no answer in the passages")
        context = context or {}
        located = locate_span(words, number, numbered, context)
        if located is None:
            return self._extractive_instead(question, reading, "the model's answer is not in the passages")
        number, place, exact = located
        lead = f"{exact[:1].upper()}{exact[1:]}"
        text = f"\u201c{numbered[number].quote}\u201d [{number}]"
        text, added = with_differing_figures(question, text, [number], numbered, reading.ranked)
        cited = [number, *added]
        if place == "sentence":
            text = f"{lead}: {text}"
        else:  # the words stand in the title or a neighbour: that piece is cited where the words are
            piece = context[number][place]
            extra = max(numbered) + 1
            numbered[extra] = citation_for_span(extra, piece.passage, piece.span.start, piece.span.end)
            text, cited = f"{lead} [{extra}] — {text}", [extra, *cited]
        answer = self._cited(question, text, cited, numbered, _differing_notes(added))
        answer.short_answer = exact
        return answer

    def verified_answer(self, question: str, reply: str, numbered: dict[int, Citation], reading: Reading) -> Answer:
        checked = verify_answer(reply, {n: c.quote for n, c in numbered.items()}, CANNOT_ANSWER)
        if not checked.text:
            why = "the model declined" if checked.declined else "no claim in the model's reply was supported"
            fallback = self._extractive_instead(question, reading, why)
            fallback.notes += checked.notes
            return fallback
        text, added = with_differing_figures(question, checked.text, checked.numbers, numbered, reading.ranked)
        notes = [*checked.notes, *_differing_notes(added)]
        return self._cited(question, text, [*checked.numbers, *added], numbered, notes)

    def _cited(self, question: str, text: str, numbers: list[int], numbered: dict[int, Citation],
               notes: list[Note]) -> Answer:
        text, citations = renumber(text, [numbered[n] for n in numbers])
        return Answer(question=question, text=text, answered=True, citations=citations,
                      generator=self.name, notes=notes)

    def standalone_question(self, question: str, history: list[tuple[str, str]] | None) -> str:
        if not history or not is_follow_up(question):
            return question
        conversation = "\n".join(f"User: {user}\nAssistant: {reply}" for user, reply in history[-3:])
        prompt = ChatPromptTemplate.from_messages([("user", load_prompt(self.prompts, "rewrite_question"))])
        try:
            rewritten = (prompt | self.client | StrOutputParser()).invoke(
                {"history": conversation, "question": question}).strip().splitlines()
        except BACKEND_ERRORS as error:
            log.warning("question rewrite failed (%s); searching with the conversation instead", error_line(error))
            return with_context(question, history)
        first = rewritten[0].strip() if rewritten else ""
        return first if keeps_the_question(first, question) else with_context(question, history)

    @staticmethod
    def numbered_passages(candidates: list[Candidate]) -> dict[int, Citation]:
        return {
            number: citation_for_span(number, c.passage, c.span.start, c.span.end)
            for number, c in enumerate(candidates, start=1)
        }

    def _chain(self):
        prompt = chat_prompt(self.prompts, self.mode)
        if self.mode == "prose":
            return prompt | self.client | StrOutputParser()
        return prompt | self.client.bind(response_format=SPAN_SCHEMA) | StrOutputParser()

    def _fallback(self, question: str, reading: Reading, why: str) -> Iterator[str | Answer]:
        log.warning("%s; giving the extractive answer", why)
        answer = self._extractive_instead(question, reading, why)
        yield "\n" + answer.text
        yield answer

    def _extractive_instead(self, question: str, reading: Reading, why: str) -> Answer:
        answer = self.extractive.answer_from(question, reading)
        answer.notes = [Note(NoteKind.FALLBACK, f"{why}; extractive answer given instead"), *answer.notes]
        return answer


def chat_prompt(prompts: Path, mode: str) -> ChatPromptTemplate:
    """The system and user messages a backend is sent ("prose": a cited answer; else the span reader's JSON),
    filled with `question` and `passages`."""
    if mode == "prose":
        return ChatPromptTemplate.from_messages([
            ("system", load_prompt(prompts, "answer_system").replace("{cannot_answer}", CANNOT_ANSWER)),
            ("user", load_prompt(prompts, "answer_user")),
        ])
    return ChatPromptTemplate.from_messages([
        ("system", load_prompt(prompts, "span_system")), ("user", load_prompt(prompts, "span_user"))])


def keeps_the_question(rewritten: str, question: str) -> bool:
    """A rewrite keeps what the follow-up asks about (its own content words); one that drops them (a small model
    that echoes an earlier question, or its instructions) is not used."""
    own = set(terms(question))
    return bool(rewritten) and own <= set(terms(rewritten))


def _differing_notes(added: list[int]) -> list[Note]:
    return [Note(NoteKind.SOURCES_DIFFER, "Another source gives a different figure.")] if added else []


def with_differing_figures(question: str, text: str, cited: list[int], numbered: dict[int, Citation],
                           ranked: list[Candidate]) -> tuple[str, list[int]]:
    """The text with a sentence from another file that gives a different figure quoted and cited after it (added
    to `numbered` if the model was not shown it), and the numbers of the passages added."""
    other = disagreeing_sentence(question, ranked, [ranked[n - 1] for n in cited if n <= len(ranked)])
    if other is None:
        return text, []
    number = ranked.index(other) + 1
    if number not in numbered:
        number = max(numbered) + 1
        numbered[number] = citation_for_span(number, other.passage, other.span.start, other.span.end)
    newer = newer_of(numbered[cited[0]], numbered[number]) if cited else None
    when = "" if newer is None else f" ({'newer' if newer is numbered[number] else 'older'}: {numbered[number].date})"
    text += f" Another source{when} gives a different figure: \u201c{numbered[number].quote}\u201d [{number}]"
    return text, [number]


def parse_span_reply(reply: str) -> tuple[str, int] | None:
    """(copied words, passage number) from the model's JSON reply, or None when it is not that JSON."""
    try:
        data = json.loads(reply[reply.index("{"):reply.rindex("}") + 1])
        return " ".join(str(data["answer"]).split()), int(data["passage"])
    except (ValueError, KeyError, TypeError):
        return None


def locate_span(words: str, number: int, numbered: dict[int, Citation],
                context: dict[int, dict[str, Piece]] | None = None) -> tuple[int, str, str] | None:
    """The passage that holds the words (the one the model named first, then the others in rank order), where in
    it ("sentence", or the "title", "before" or "after" shown with it) and the words exactly as written there; a
    figure matches in digits or words ('3' finds 'three')."""
    parts = words.strip(" .,;:\"'\u201c\u201d").split()
    if not parts:
        return None
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(_word_pattern(w) for w in parts) + r"(?!\w)", re.I)
    for candidate in [number, *(n for n in numbered if n != number)]:
        if candidate not in numbered:
            continue
        shown = {"sentence": numbered[candidate].quote,
                 **{place: piece.span.text for place, piece in (context or {}).get(candidate, {}).items()}}
        for place in ("sentence", *CONTEXT_PLACES):
            if place in shown and (match := pattern.search(shown[place])):
                return candidate, place, match.group(0)
    return None


def _word_pattern(word: str) -> str:
    spellings = {word, *(w for w, digits in NUMBER_WORDS.items() if digits == word)}
    if word.lower() in NUMBER_WORDS:
        spellings.add(NUMBER_WORDS[word.lower()])
    return "(?:" + "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True)) + ")"


def context_pieces(reading: Reading, passages: int = PASSAGES_IN_PROMPT,
                   neighbours: int = PROMPT_NEIGHBOURS) -> dict[int, dict[str, Piece]]:
    """What the prompt shows around each of the best `passages` numbered passages: its article's title and, for
    the best `neighbours`, the sentences just before and after it; each piece of text once (a title can be a
    passage itself, or the sentence before the first one)."""
    seen = [around.pieces["sentence"] for around in reading.around[:passages]]
    shown: dict[int, dict[str, Piece]] = {}
    for number, around in enumerate(reading.around[:passages], start=1):
        places = CONTEXT_PLACES if number <= neighbours else ("title",)
        shown[number] = {}
        for place in places:
            piece = around.pieces.get(place)
            if piece is not None and not any(_inside(piece, other) for other in seen):
                shown[number][place] = piece
                seen.append(piece)
    return shown


def _inside(piece: Piece, other: Piece) -> bool:
    return (piece.passage.chunk.source == other.passage.chunk.source
            and other.span.start <= piece.span.start and piece.span.end <= other.span.end)


def format_passages(numbered: dict[int, Citation], context: dict[int, dict[str, Piece]] | None = None) -> str:
    """The passages as the prompt fences them, each with what `context` shows around it ('[2] (Title: …) before
    SENTENCE after'); article text cannot close the fence."""
    lines = []
    for n, citation in numbered.items():
        around = (context or {}).get(n, {})
        parts = [f"(Title: {around['title'].span.text})"] if "title" in around else []
        parts += [around["before"].span.text] if "before" in around else []
        parts += [citation.quote, *([around["after"].span.text] if "after" in around else [])]
        lines.append(f"[{n}] {FENCE.sub('(passages)', ' '.join(parts))}")
    return "\n".join(lines)
