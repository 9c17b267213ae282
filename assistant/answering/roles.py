"""Where a name or a figure stands in a sentence, by spaCy's parse, and whether a quote puts another one there.

'Truss replaced Kwarteng with Rishi Sunak' against 'replacing Kwarteng with Jeremy Hunt, a supporter of Rishi
Sunak': every word of the claim is in the quote, but the one who replaced Kwarteng is another person. A name's
place is the relation it holds to the nearest verb it hangs on (its subject, its object, the object of one of its
prepositions: 'with' on 'replace'), or to the common noun a preposition of it hangs on ('the talks in Florida');
a name saying which one of a subject or object it is stands where that noun does ('a Russian source told'); a
figure's is the place of what it counts ('about 240 people' as the object of 'killed'). Used by the support check
(`support.py`) and the draft checker (`newsroom/check.py`).
"""

from __future__ import annotations

from ..figures import figure_values
from ..nlp import FIGURE_LABELS, NAME_LABELS, Entity, Structure, structures_of
from ..text import terms

NAMING = frozenset(NAME_LABELS) - {"LANGUAGE"}  # the entities that name someone or something
COUNTS = FIGURE_LABELS - {"ORDINAL"}  # a rank is no count
RELATIONS = ("nsubj", "nsubjpass", "dobj")  # a place in the clause; the object of a preposition is the other kind
BESIDE = ("conj", "appos")  # 'and Y', 'her chancellor Kwasi Kwarteng': where the list or the noun stands
COUNTING = ("nummod", "quantmod", "compound")  # '240' in 'about 240 people': where the people stand
MODIFYING = ("amod", "compound")  # 'Russian' in 'a Russian source': which kind of source

Slot = tuple[str, str, str]  # (kind of entity, relation or preposition, the verb or noun it hangs on)


def replaced(claim: str, quote: str) -> str | None:
    """'swap' when the quote has, where the claim puts one of its names, another of the claim's names;
    'substitution' when it has a name the claim lacks there; 'figure' when it has another figure where the claim
    puts one; None when nothing the claim places is replaced so (or the quote has the claim's own there too)."""
    claim_parse, quote_parse = structures_of([claim, quote])
    slots: dict[Slot, list[Entity]] = {}
    for entity in quote_parse.entities:
        if (slot := _slot(quote_parse, entity)) is not None:
            slots.setdefault(slot, []).append(entity)
    for entity in claim_parse.entities:
        if (slot := _slot(claim_parse, entity)) is None or not (there := slots.get(slot)):
            continue
        if slot[0] == "figure":
            if not any(figure_values(entity.text) & figure_values(other.text) for other in there):
                return "figure"
        elif not any(_same_name(entity.text, other.text) for other in there):
            return "swap" if any(_same_name(other.text, named) for other in there for named in _names(claim_parse)) \
                else "substitution"
    return None


def _slot(structure: Structure, entity: Entity) -> Slot | None:
    kind = "figure" if entity.label in COUNTS else "name" if entity.label in NAMING else None
    if kind is None or entity.root < 0:
        return None
    tokens = structure.tokens
    at = entity.root
    climb = BESIDE + (COUNTING if kind == "figure" else ())
    while tokens[at].dep in climb and tokens[at].head != at:
        at = tokens[at].head
    token = tokens[at]
    head = tokens[token.head]
    if kind == "name" and token.dep in MODIFYING and head.pos == "NOUN":
        # 'Russian' in 'a Russian source told': what kind of source, where the source stands
        verb = structure.verb_over(token.head) if head.dep in RELATIONS else None
        return None if verb is None else (entity.label, f"{head.dep} {head.lemma}", tokens[verb].lemma)
    if token.dep != "pobj" and token.dep not in RELATIONS:
        return None
    label = entity.label if kind == "name" else kind
    if token.dep == "pobj" and (holder := tokens[head.head]).pos == "NOUN":
        # a preposition on a common noun: 'the talks in Florida' is a place of the talks, not of what they did (on a
        # name it is more often the parser's misreading of the verb's: 'replacing Kwarteng with Jeremy Hunt')
        return label, head.lemma, holder.lemma
    verb = structure.verb_over(token.head)
    if verb is None:
        return None
    relation = head.lemma if token.dep == "pobj" else token.dep
    return label, relation, tokens[verb].lemma


def _names(structure: Structure) -> list[str]:
    return [e.text for e in structure.entities if e.label in NAMING]


def _same_name(one: str, other: str) -> bool:
    """'Rishi Sunak' and 'Sunak', 'Ill.' and 'Illinois': one names the other."""
    a, b = set(terms(one)), set(terms(other))
    if a and b and (a <= b or b <= a):
        return True
    return shortened(*sorted((one, other), key=len))


def shortened(short: str, full: str) -> bool:
    """'Ill.' for 'Illinois', 'Sen.' for 'Senate': one written short for the other."""
    return short.endswith(".") and full.lower().startswith(short.rstrip(".").lower())
