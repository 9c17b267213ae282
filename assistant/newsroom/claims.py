"""A draft's sentences, and the separate claims a sentence makes (spaCy's dependency parse).

"Jefferson chose Lewis, and Lewis chose Clark" makes two claims; "Biden signed the bill and thanked Opal Lee"
makes two as well, the second with the subject it shares ("Biden thanked Opal Lee"). A clause that is part of
what someone said or thought ("Carney said teachers deserve more") stays with its sentence: it is one claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..nlp import parse
from ..text import sentence_spans

CLAUSE_SUBJECTS = {"nsubj", "nsubjpass", "expl"}


@dataclass(frozen=True)
class DraftSentence:
    text: str
    start: int  # offsets in the draft
    end: int


def draft_sentences(draft: str) -> list[DraftSentence]:
    """The draft's sentences in order, each with its exact span in the draft."""
    return [DraftSentence(span.text, span.start, span.end) for span in sentence_spans(draft)]


def claims_of(sentence: str) -> list[str]:
    """The claims a sentence makes: one per coordinated main clause, each standing alone."""
    doc = parse(sentence)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in ("VERB", "AUX"):
        return [sentence]
    joined = [t for t in root.children if t.dep_ == "conj" and t.pos_ in ("VERB", "AUX")]
    if not joined:
        return [sentence]
    subject = next((t for t in root.children if t.dep_ in CLAUSE_SUBJECTS), None)
    claims = [_clause_text(root, exclude=joined)]
    for verb in joined:
        text = _clause_text(verb)
        if subject is not None and not any(t.dep_ in CLAUSE_SUBJECTS for t in verb.children):
            text = f"{_span_text(subject)} {text}"
        claims.append(text)
    claims = [_sentence_case(c) for c in claims if len(c.split()) >= 3]
    return claims if len(claims) > 1 else [sentence]


def _clause_text(head, exclude=()) -> str:
    """The words a clause's head governs, without the clauses joined to it and the 'and' that joins them."""
    dropped = {t.i for verb in exclude for t in verb.subtree}
    dropped |= {t.i for t in head.children if t.dep_ == "cc" or (t.dep_ == "punct" and t.i > head.i and exclude)}
    words = [t for t in head.subtree if t.i not in dropped]
    return "".join(t.text_with_ws for t in words).strip(" ,;")


def _span_text(token) -> str:
    return "".join(t.text_with_ws for t in token.subtree).strip()


def _sentence_case(text: str) -> str:
    text = text.strip()
    if not text.endswith((".", "!", "?")):
        text += "."
    return text[:1].upper() + text[1:]
