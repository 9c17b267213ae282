"""Is a question a follow-up? Only when it cannot stand alone: a pronoun with nothing in the question it can
refer to, a demonstrative pointing back ("those demands", "what about that?"), or an ellipsis ("And Ukraine?",
"Why?"). "The famous broadcaster died this week. Which team did he call games for?" stands alone: "he" has its
antecedent in the question, and "this week" is a time, not a reference back.

Decided from spaCy's parse (tags, dependencies, entities), for every backend, before anything is rewritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..nlp import entities, parse

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

PERSONAL = {"he", "she", "him", "her", "his", "hers", "himself", "herself"}
NEUTER = {"it", "its", "they", "them", "their", "theirs", "itself", "themselves"}
POINTING_BACK = {"that", "those"}  # "this"/"these" open quiz questions ("This company said…"): not anaphora
ELLIPSIS_OPENERS = {"and", "also", "what about", "how about", "what else", "anything else"}


def is_follow_up(question: str) -> bool:
    """True when the question needs the conversation to be understood."""
    doc = parse(question)
    return _opens_with_ellipsis(doc) or not _has_content(doc) or any(
        _unresolved(doc, token) for token in doc)


def _opens_with_ellipsis(doc: Doc) -> bool:
    words = [t.lower_ for t in doc if not t.is_punct]
    return " ".join(words[:1]) in ELLIPSIS_OPENERS or " ".join(words[:2]) in ELLIPSIS_OPENERS


def _has_content(doc: Doc) -> bool:
    """Something the question is about besides its question word: a noun, a name, a figure or a main verb."""
    return any(t.pos_ in ("NOUN", "PROPN", "NUM") or (t.pos_ == "VERB" and t.lemma_ not in ("do", "be", "have"))
               for t in doc if t.tag_ not in ("WP", "WDT", "WRB", "WP$"))


def _unresolved(doc: Doc, token: Token) -> bool:
    word = token.lower_
    if token.pos_ == "PRON" and word in PERSONAL | NEUTER:
        if token.dep_ == "expl" or _expletive_it(token) or _refers_to_the_asked(doc, token):
            return False
        person = word in PERSONAL
        earlier = [t for t in _antecedents(doc, token) if not person or _could_be_a_person(t)]
        later = [t for t in _antecedents(doc, token, after=True)  # "Following her ouster, Liz Cheney…"
                 if t.pos_ == "PROPN" or not person and t.pos_ == "NOUN"]
        return not earlier and not later
    if word in POINTING_BACK and token.tag_ == "DT":
        if token.pos_ == "PRON":  # "What did he say about that?", not "…than those of any other city"
            return not any(child.dep_ in ("relcl", "acl", "prep") for child in token.children)
        head = token.head  # "those demands", unless a clause says which: "the demands that Russia made"
        return head.pos_ == "NOUN" and not _is_time(head) and not any(
            child.dep_ in ("relcl", "acl", "prep") for child in head.children)
    return False


def _antecedents(doc: Doc, token: Token, after: bool = False) -> list[Token]:
    """Nouns and names before (or after) the pronoun that it could refer to. The noun a question word asks
    about counts only as the subject: 'Which company says its…' refers back, 'Which team did he…' does not."""
    span = doc[token.i + 1:] if after else doc[:token.i]
    return [t for t in span if t.pos_ in ("NOUN", "PROPN") and not _is_time(t)
            and (not _asked_about(t) or t.dep_ in ("nsubj", "nsubjpass"))]


def _refers_to_the_asked(doc: Doc, token: Token) -> bool:
    """A possessive that belongs to who is asked about: 'Who took home her first Tony?'."""
    return token.tag_ == "PRP$" and any(t.tag_ in ("WP", "WDT") and t.dep_ in ("nsubj", "nsubjpass")
                                        for t in doc[:token.i])


def _could_be_a_person(token: Token) -> bool:
    """Anything but a place, a time or a figure: the small model often labels a person an ORG."""
    return token.ent_type_ not in ("GPE", "LOC", "FAC", "DATE", "TIME", "MONEY", "QUANTITY", "PERCENT", "CARDINAL")


def _asked_about(token: Token) -> bool:
    """The noun a question word modifies: 'team' in 'Which team…'."""
    return any(child.tag_ in ("WDT", "WP", "WP$") for child in token.children)


def _is_time(token: Token) -> bool:
    return token.ent_type_ in ("DATE", "TIME")


def _expletive_it(token: Token) -> bool:
    """'Is it true that…', 'How long will it take…': 'it' that stands for a clause, not for a thing."""
    return token.lower_ == "it" and token.head.lemma_ in ("be", "take", "seem", "appear") and any(
        child.dep_ in ("ccomp", "xcomp", "acomp", "attr") for child in token.head.children)


def with_context(question: str, history: list[tuple[str, str]] | None) -> str:
    """Without a model to rewrite it, a follow-up is searched together with the earlier questions it rests on:
    back to the last one that stands alone (at most three)."""
    if not history or not is_follow_up(question):
        return question
    earlier: list[str] = []
    for asked, _ in reversed(history[-3:]):
        earlier.insert(0, asked)
        if not is_follow_up(asked):
            break
    referent = person_answered(question, history[-1][1])
    return " ".join([*earlier, *([referent] if referent else []), question])


def person_answered(question: str, reply: str) -> str | None:
    """Who 'he' or 'she' in a follow-up is when the last answer named someone: the first person that answer names
    ('Who leads the delegation?' → 'Kirill Dmitriev — …'; then 'Who is he expected to meet?' is about him, so he
    is not its answer)."""
    doc = parse(question)
    if not any(t.lower_ in PERSONAL and _unresolved(doc, t) for t in doc):
        return None
    return next((e.text for e in entities(reply) if e.label == "PERSON"), None)
