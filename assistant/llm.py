"""LLM answers: a LangChain chain (prompt files → ChatOpenAI → text) over numbered passages, verified in code.

The local and openai backends share this code path; only the base URL differs. Refusals are decided by the
extractive screen before the model is called, and every claim the model writes is checked against the
passage it cites (verify.py). When the model or its server fails, the extractive answer is given instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

from .answer import CANNOT_ANSWER, Answer, Candidate, ExtractiveGenerator, final_answer
from .cite import Citation, citation_for_span, renumber
from .prompts import load_prompt
from .retrieve import KeywordIndex, Retrieval, standalone_query
from .verify import conflicting_figures, verify_answer

log = logging.getLogger(__name__)

PASSAGES_IN_PROMPT = 6


class LLMGenerator:
    """Writes the answer with a chat model; `make_client` builds the ChatOpenAI client on first use."""

    def __init__(self, name: str, make_client: Callable[[], ChatOpenAI], prompts_folder,
                 extractive: ExtractiveGenerator) -> None:
        self.name = name
        self._make_client = make_client
        self._client: ChatOpenAI | None = None
        self.prompts = prompts_folder
        self.extractive = extractive

    @property
    def client(self) -> ChatOpenAI:
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def answer(self, question: str, retrieval: Retrieval, keyword: KeywordIndex) -> Answer:
        return final_answer(self.stream(question, retrieval, keyword))

    def stream(self, question: str, retrieval: Retrieval, keyword: KeywordIndex) -> Iterator[str | Answer]:
        screened = self.extractive.screen(question, retrieval, keyword)
        if isinstance(screened, Answer):
            screened.generator = self.name
            yield screened.text
            yield screened
            return
        numbered = self.numbered_passages(screened[:PASSAGES_IN_PROMPT])
        started = time.perf_counter()
        written: list[str] = []
        try:
            for token in self._chain().stream({"question": question, "passages": format_passages(numbered)}):
                if not written:
                    first_token = time.perf_counter() - started
                written.append(token)
                yield token
        except Exception as error:  # openai/httpx errors of every kind: down, timeout, bad key, bad model
            yield from self._fallback(question, screened, f"{self.name} backend failed ({_describe(error)})")
            return
        answer = self.verified_answer(question, "".join(written), numbered, screened)
        answer.timings["first_token"] = first_token if written else 0.0
        answer.timings["generate"] = time.perf_counter() - started
        yield answer

    def verified_answer(self, question: str, reply: str, numbered: dict[int, Citation],
                        ranked: list[Candidate]) -> Answer:
        checked = verify_answer(reply, {n: c.quote for n, c in numbered.items()}, CANNOT_ANSWER)
        if not checked.text:
            why = "the model declined" if checked.declined else "no claim in the model's reply was supported"
            fallback = self._extractive_instead(question, ranked, why)
            fallback.notes += checked.notes
            return fallback
        text, numbers, notes = checked.text, list(checked.numbers), list(checked.notes)
        for other in differing_passages(numbered, numbers):
            text += f" Another source gives a different figure: \u201c{numbered[other].quote}\u201d [{other}]"
            numbers.append(other)
            notes.append(f"added passage [{other}]: the sources give different figures")
        text, citations = renumber(text, [numbered[n] for n in numbers])
        return Answer(question=question, text=text, answered=True, citations=citations,
                      generator=self.name, notes=notes)

    def standalone_question(self, question: str, history: list[tuple[str, str]] | None) -> str:
        if not history:
            return question
        conversation = "\n".join(f"User: {user}\nAssistant: {reply}" for user, reply in history[-3:])
        prompt = ChatPromptTemplate.from_messages([("user", load_prompt(self.prompts, "rewrite_question"))])
        try:
            rewritten = (prompt | self.client | StrOutputParser()).invoke(
                {"history": conversation, "question": question}).strip().splitlines()
        except Exception as error:
            log.warning("question rewrite failed (%s); searching with the conversation instead", _describe(error))
            return standalone_query(question, history)
        return rewritten[0].strip() if rewritten and rewritten[0].strip() else standalone_query(question, history)

    @staticmethod
    def numbered_passages(candidates: list[Candidate]) -> dict[int, Citation]:
        return {
            number: citation_for_span(number, c.passage, c.span.start, c.span.end)
            for number, c in enumerate(candidates, start=1)
        }

    def _chain(self):
        prompt = ChatPromptTemplate.from_messages([
            ("system", load_prompt(self.prompts, "answer_system").replace("{cannot_answer}", CANNOT_ANSWER)),
            ("user", load_prompt(self.prompts, "answer_user")),
        ])
        return prompt | self.client | StrOutputParser()

    def _fallback(self, question: str, ranked: list[Candidate], why: str) -> Iterator[str | Answer]:
        log.warning("%s; giving the extractive answer", why)
        answer = self._extractive_instead(question, ranked, why)
        yield "\n" + answer.text
        yield answer

    def _extractive_instead(self, question: str, ranked: list[Candidate], why: str) -> Answer:
        answer = self.extractive.answer_from(question, ranked)
        answer.notes = [f"{why}; extractive answer given instead", *answer.notes]
        return answer


def differing_passages(numbered: dict[int, Citation], cited: list[int]) -> list[int]:
    """Given passages from other files that state a different figure than a cited one."""
    cited_sources = {numbered[n].source for n in cited}
    found = []
    for number, passage in numbered.items():
        if number in cited or passage.source in cited_sources:
            continue
        if any(conflicting_figures(numbered[n].quote, passage.quote) for n in cited):
            found.append(number)
            cited_sources.add(passage.source)
    return found


def format_passages(numbered: dict[int, Citation]) -> str:
    return "\n".join(f"[{n}] {c.quote}" for n, c in numbered.items())


def _describe(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:200]
