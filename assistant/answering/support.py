"""Is a claim backed by its quote? A lexical check that also looks for the ways a claim can contradict it.

A claim is supported when the quote holds its figures, its names and nearly all of its content words (or their
near-synonyms), and none of these turn it around: a negation the other side lacks, more certainty than the quote
has ("accepted" for "uncertain whether … will accept"), an antonym ("rejected" for "accepted"), a figure counting
something else ("22 minutes" for "22 hours"), two names in swapped roles, or, by the parse, another name or figure
in the place the claim puts one (`roles.py`). `Support.problems` says which.
Measured on `evals/support_pairs.jsonl` by `evals/support_check.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..figures import NUMBER_WORDS, ORDINALS, TIME_NAMES, figure_values, normalise_figure
from ..lexicon import (
    FACT,
    HEDGE_PHRASES,
    LIGHT_WORDS,
    NEGATION_PHRASES,
    NEGATIONS,
    SPEECH_VERBS,
    TITLES,
    TRAILING_NEGATIONS,
    antonym_of,
    hedge_level_of,
    negated_forms,
    state_abbreviations,
    synonym_of,
)
from ..nlp import verb_bases
from ..text import STOPWORDS, stem
from ..tuning import HEDGE_REACH, MIN_CONTENT_WORDS, NEAR_SYNONYM, PREFIX_MATCH, UNMATCHED_SHARE
from .roles import replaced
from .word_meaning import WordMeaning

_STOP = set(STOPWORDS) - NEGATIONS - {"will", "may", "might", "could", "would", "should", "whether", "if", "first",
                                      "last", "more", "less", "most", "least", "before", "after", "all", "same"}
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|\$?\d[\d,]*(?:\.\d+)?%?|[A-Za-z]+(?:[’'][A-Za-z]+)*")
_CLAUSE_BREAK = re.compile(r"[,;:—–()“”\"!?]|\.\s|\s-\s")
_CLAUSE_WORDS = {"but", "while", "though", "although", "whereas", "however", "rather", "instead", "despite"}
_TIME_NAMES = {*TIME_NAMES, "sept"}


@dataclass(frozen=True)
class Token:
    text: str
    low: str
    stem: str
    clause: int
    position: int
    capital: bool
    starts: bool  # first word of its sentence
    base: str = ""  # the stem of a verb's base form ('saw' → 'see'), else the stem


@dataclass
class Support:
    supported: bool
    term_share: float  # share of the claim's content words the quote holds
    problems: list[str] = field(default_factory=list)  # kinds: short, figure, name, unit, negation, modality, …
    missing_numbers: set[str] = field(default_factory=set)
    missing_names: set[str] = field(default_factory=set)


def tokens(text: str) -> list[Token]:
    found: list[Token] = []
    clause = 0
    cursor = 0
    for match in _TOKEN.finditer(text):
        between = text[cursor:match.start()]
        word = match.group(0)
        low = word.lower().replace("’", "'")
        if _CLAUSE_BREAK.search(between) or low in _CLAUSE_WORDS:
            clause += 1
        if low.endswith("'s"):
            low = low[:-2]
        starts = not found or bool(re.search(r"[.!?]\s*$", between))
        key = normalise_figure(low) if low in NUMBER_WORDS or not low[0].isalpha() else stem(low)
        capital = word[0].isupper()
        base = stem(verb_bases()[low]) if low in verb_bases() and (starts or not capital) else key
        found.append(Token(word, low, key, clause, len(found), capital, starts, base))
        cursor = match.end()
    return found


def support(claim: str, quote: str, meaning: WordMeaning | None = None, near: float = NEAR_SYNONYM) -> Support:
    """`meaning`, when given, also matches a claim's word to a quote's word that means nearly the same."""
    from .cite import strip_markers  # cite imports retrieval (chromadb, bm25s): not needed to score a pair

    claim = strip_markers(claim)
    claim_tokens, quote_tokens = tokens(claim), tokens(quote)
    content = [t for t in claim_tokens if _is_content(t)]
    result = Support(False, 0.0)
    if len(content) < MIN_CONTENT_WORDS or not any(_is_predicate(t, claim_tokens) or _is_figure(t) for t in content):
        result.problems.append("short")
        return result
    result.missing_numbers = figure_values(claim) - figure_values(quote)
    result.missing_names = _missing_names(claim_tokens, quote_tokens)
    matches = {t.position: _matches(t, quote_tokens) for t in content}
    if meaning is not None:
        _match_by_meaning(content, claim_tokens, quote_tokens, matches, meaning, near)
    result.term_share = sum(1 for t in content if matches[t.position]) / len(content)
    opposed = _opposed(claim_tokens, quote_tokens)
    # a word whose opposite the quote has is no word the quote lacks: it is what the quote contradicts
    unmatched = [t for t in content if not matches[t.position] and _is_predicate(t, claim_tokens)
                 and t.stem not in opposed]
    checks = {
        "figure": bool(result.missing_numbers) or _ordinal_dropped(claim_tokens, quote_tokens, matches),
        "name": bool(result.missing_names),
        "added": len(unmatched) > UNMATCHED_SHARE * len(content),
        "substitution": _substituted(claim_tokens, quote_tokens, matches),
        "unit": _figure_context_differs(claim_tokens, quote_tokens),
        "antonym": bool(opposed),
        "negation": _polarity_differs(claim_tokens, quote_tokens, matches),
        "modality": _more_certain(claim_tokens, quote_tokens, matches),
        "swap": _names_swapped(claim_tokens, quote_tokens, matches),
        "order": _figures_reordered(claim_tokens, quote_tokens),
        "attribution": _unattributed(claim_tokens, quote_tokens),
    }
    result.problems = [kind for kind, failed in checks.items() if failed]
    if not result.problems and (moved := replaced(claim, quote)):  # all its words, one of them in another's place
        result.problems.append(moved)
    result.supported = not result.problems
    return result


def _is_content(token: Token) -> bool:
    if token.capital and not token.starts and token.low in hedge_level_of():
        return True  # 'May 2', 'Will Smith': a month or a name, not a hedge
    return token.low not in _STOP and token.low not in NEGATIONS and token.low not in hedge_level_of()


def _match_by_meaning(content: list[Token], claim_tokens: list[Token], quote_tokens: list[Token],
                      matches: dict[int, list[Token]], meaning: WordMeaning, near: float) -> None:
    """A claim's unmatched word that says what happened, matched to the quote's words closest in meaning
    ('picked' → 'chosen'); names, figures and the days of the week are never matched this way."""
    unmatched = [t for t in content if not matches[t.position] and _is_plain_word(t, claim_tokens)]
    if not unmatched:
        return
    taken = {q.position for found in matches.values() for q in found}
    offered = [q for q in quote_tokens if q.position not in taken and _is_plain_word(q, quote_tokens)]
    vectors = meaning.vectors(t.low for t in unmatched + offered)
    opposites = antonym_of()
    for t in unmatched:
        matches[t.position] = [q for q in offered if q.stem not in opposites.get(t.stem, frozenset())
                               and not negated_forms(t.low, q.low)
                               and float(np.dot(vectors[t.low], vectors[q.low])) >= near]


def _is_plain_word(token: Token, sentence: list[Token]) -> bool:
    return (_is_predicate(token, sentence) and not token.capital and token.low not in _TIME_NAMES
            and token.low not in NUMBER_WORDS and token.low not in ORDINALS)


def _is_figure(token: Token) -> bool:
    return token.low[0].isdigit() or token.low[0] == "$"


def _same_word(a: str, b: str) -> bool:
    return a == b or (len(a) >= PREFIX_MATCH and len(b) >= PREFIX_MATCH and a[:PREFIX_MATCH] == b[:PREFIX_MATCH])


def _matches(token: Token, quote_tokens: list[Token]) -> list[Token]:
    synonyms = synonym_of().get(token.stem, frozenset())
    return [q for q in quote_tokens if _same_word(token.stem, q.stem) or token.base == q.base or q.stem in synonyms
            or _abbreviates(q, token)]


def _abbreviates(short: Token, name: Token) -> bool:
    """'Ill.' for 'Illinois', 'N.Y.' for 'New York': a dateline's state abbreviation for the state's name."""
    return short.capital and name.capital and name.stem in state_abbreviations().get(short.low, ())


def _is_name(token: Token, sentence: list[Token], known: frozenset[str] = frozenset()) -> bool:
    """Capitalised and not a title; a sentence's first word only if it looks like a name or the quote has it as one."""
    if not token.capital or token.low in TITLES or token.low in _STOP:
        return False
    if not token.starts or token.stem in known:
        return True
    following = sentence[token.position + 1] if token.position + 1 < len(sentence) else None
    return (any(ch.isupper() for ch in token.text[1:]) or _possessive(token)
            or bool(following and following.capital and not following.starts))


def _possessive(token: Token) -> bool:
    return token.text.lower().endswith(("'s", "’s"))


def _missing_names(claim_tokens: list[Token], quote_tokens: list[Token]) -> set[str]:
    return {t.text for t in claim_tokens if _is_name(t, claim_tokens)
            and not any(_same_word(t.stem, q.stem) or _abbreviates(q, t) for q in quote_tokens)}


def _opposed(claim_tokens: list[Token], quote_tokens: list[Token]) -> set[str]:
    """The claim's words (stems, or stemmed pairs) whose opposite the quote has instead, outside the quote's clauses
    that are about another time or figure ('… twice – after the 2006 and 2018 elections – and lost it after the
    2010 elections' does not oppose 'won … after the 2006 and 2018 elections')."""
    about_the_same = _same_figures_clauses(claim_tokens, quote_tokens)
    claim_words, quote_words = _words_and_pairs(claim_tokens), _words_and_pairs(about_the_same)
    found = {word for word in claim_words - quote_words
             if antonym_of().get(word, frozenset()) & (quote_words - claim_words)}
    claim_lows, quote_lows = {t.low for t in claim_tokens}, {t.low for t in about_the_same}
    found |= {stem(a) for a in claim_lows - quote_lows if any(negated_forms(a, b) for b in quote_lows - claim_lows)}
    return found


def _same_figures_clauses(claim_tokens: list[Token], quote_tokens: list[Token]) -> list[Token]:
    """The quote's words but those of clauses giving figures (a year, an amount) none of which the claim, which
    gives figures of its own, gives."""
    claimed = {t.stem for t in claim_tokens if _is_figure(t)}
    if not claimed:
        return quote_tokens
    elsewhere = {t.clause for t in quote_tokens if _is_figure(t)} - {
        t.clause for t in quote_tokens if _is_figure(t) and t.stem in claimed}
    return [t for t in quote_tokens if t.clause not in elsewhere]


def _words_and_pairs(sentence: list[Token]) -> set[str]:
    stems = [t.stem for t in sentence]
    return set(stems) | {f"{a} {b}" for a, b in zip(stems, stems[1:])}


def _is_predicate(token: Token, sentence: list[Token]) -> bool:
    """A content word that says what happened (not a name, a figure or a light word like 'said')."""
    return (_is_content(token) and token.low not in LIGHT_WORDS and not _is_name(token, sentence)
            and not _is_figure(token) and token.low not in NUMBER_WORDS)


def _clauses(sentence: list[Token]) -> dict[int, list[Token]]:
    grouped: dict[int, list[Token]] = {}
    for t in sentence:
        grouped.setdefault(t.clause, []).append(t)
    return grouped


def _relevant_clauses(words: list[Token], quote_tokens: list[Token], matches: dict[int, list[Token]]) -> dict[int, int]:
    """Quote clauses holding most of these claim words → where the last of them first appears in each."""
    firsts: dict[int, dict[int, int]] = {}  # quote clause → claim word → first matching position
    for word in words:
        for q in matches.get(word.position, []):
            firsts.setdefault(q.clause, {}).setdefault(word.position, q.position)
    if not firsts:
        return {}
    best = max(len(found) for found in firsts.values())
    return {c: max(found.values()) for c, found in firsts.items() if len(found) >= max(2, 0.6 * best)
            or len(found) == best}


def _claim_clauses(claim_tokens: list[Token]) -> list[tuple[list[Token], list[Token]]]:
    """Each claim clause with the words that locate it in the quote (its predicate words, else all content)."""
    found = []
    for clause in _clauses(claim_tokens).values():
        words = [t for t in clause if _is_predicate(t, claim_tokens)] or [t for t in clause if _is_content(t)]
        if words:
            found.append((clause, words))
    return found


def _negations(words: list[Token], trailing_from: list[Token] | None = None) -> int:
    text = " ".join(t.low for t in words)
    single = sum(1 for t in words if t.low in NEGATIONS or t.low.endswith("n't"))
    later = " ".join(t.low for t in trailing_from) if trailing_from is not None else text
    return single + sum(text.count(p) for p in NEGATION_PHRASES) + sum(later.count(p) for p in TRAILING_NEGATIONS)


def _polarity_differs(claim_tokens: list[Token], quote_tokens: list[Token], matches: dict[int, list[Token]]) -> bool:
    quote_clauses = _clauses(quote_tokens)
    for clause, words in _claim_clauses(claim_tokens):
        negated = _negations(clause) % 2
        # the quote is read as far past its last matched word as the claim goes past its own ('… can be avoided')
        tail = max(1, clause[-1].position - max(w.position for w in words))
        for c, last in _relevant_clauses(words, quote_tokens, matches).items():
            before = [q for q in quote_clauses[c] if q.position <= last + tail]
            if _negations(before, quote_clauses[c]) % 2 != negated:
                return True
    return False


def _hedge_scopes(sentence: list[Token]) -> dict[int, int]:
    """Token position → the least certain hedge reaching it ('expected to meet', 'whether Moscow will accept')."""
    levels: dict[int, int] = {}
    lows = [t.low for t in sentence]
    for i, t in enumerate(sentence):
        level = hedge_level_of().get(t.low)
        pair = f"{lows[i - 1]} {t.low}" if i else ""
        level = min(level if level is not None else FACT, HEDGE_PHRASES.get(pair, FACT))
        if level == FACT:
            continue
        reached = 0
        for follower in sentence[i + 1:]:
            if follower.clause != t.clause or reached >= HEDGE_REACH:
                break
            if _is_content(follower) and not follower.capital:
                levels[follower.position] = min(levels.get(follower.position, FACT), level)
                reached += 1
    return levels


def _more_certain(claim_tokens: list[Token], quote_tokens: list[Token], matches: dict[int, list[Token]]) -> bool:
    """The claim states as fact (or as certain) what the quote only expects, plans or thinks possible."""
    claim_levels, quote_levels = _hedge_scopes(claim_tokens), _hedge_scopes(quote_tokens)
    for t in claim_tokens:
        found = matches.get(t.position)
        if not found or not _is_predicate(t, claim_tokens):
            continue
        quote_level = max(quote_levels.get(q.position, FACT) for q in found)
        if claim_levels.get(t.position, FACT) > quote_level:
            return True
    return False


def _ordinal_dropped(claim_tokens: list[Token], quote_tokens: list[Token], matches: dict[int, list[Token]]) -> bool:
    """'largest' where the quote says 'second-largest'."""
    for t in claim_tokens:
        for q in matches.get(t.position, []):
            before = quote_tokens[q.position - 1].low if q.position else ""
            claimed = claim_tokens[t.position - 1].low if t.position else ""
            if before in ORDINALS and before != "first" and claimed != before:
                return True
    return False


def _substituted(claim_tokens: list[Token], quote_tokens: list[Token], matches: dict[int, list[Token]]) -> bool:
    """A word put in another's slot: 'tobacco companies' for 'cannabis companies' (a word the quote lacks), or
    'a Ukrainian source' for 'a Russian source' (a name put in another name's place)."""
    claim_stems = {t.stem for t in claim_tokens}
    for t, after in zip(claim_tokens, claim_tokens[1:]):
        is_name = _is_name(t, claim_tokens)
        if not (is_name or (not matches.get(t.position) and _is_predicate(t, claim_tokens))):
            continue
        if is_name and _is_name(after, claim_tokens):
            continue  # 'Kirill Dmitriev': one name, not a name in another's slot
        found_after = matches.get(after.position, [])
        if any(q.position and quote_tokens[q.position - 1] in matches.get(t.position, []) for q in found_after):
            continue  # the quote has the pair as the claim does ('began May 2'); another '2' ('Part 2') is not a slot
        for q in found_after:
            slot = quote_tokens[q.position - 1] if q.position else None
            if not slot or slot.stem in claim_stems or slot.clause != q.clause:
                continue
            if (_is_name(slot, quote_tokens) if is_name else _is_predicate(slot, quote_tokens)):
                return True
    return False


def counts_something_else(claim: str, quote: str) -> bool:
    """The quote has one of the claim's figures counting something else ('22 minutes' for '22 hours')."""
    return _figure_context_differs(tokens(claim), tokens(quote))


def _figure_context_differs(claim_tokens: list[Token], quote_tokens: list[Token]) -> bool:
    """A figure the quote has, counting something else: '22 minutes' for '22 hours', '$54,500 a month' for
    '$54,500 a year'; a word before the thing counted is no other thing ('seven different attacks' for 'seven
    attacks')."""
    for token in claim_tokens:
        if not (_is_figure(token) or token.low in NUMBER_WORDS or token.low in ORDINALS) or _is_year(token):
            continue
        claimed = _units_after(claim_tokens, token.position)
        if not claimed:
            continue
        given = [units for units in (_units_after(quote_tokens, q.position) for q in quote_tokens
                                     if q.stem == token.stem) if units]
        if given and not any(_same_thing_counted(claimed, units) for units in given):
            return True
    return False


def _same_thing_counted(first: list[Token], second: list[Token]) -> bool:
    """Each side's counted word is the other's, or the word after the other's modifier."""
    return bool(_matches(first[0], second) or _matches(second[0], first))


def _is_year(token: Token) -> bool:
    return bool(re.fullmatch(r"(19|20)\d\d", token.low))


def _units_after(sentence: list[Token], position: int) -> list[Token]:
    """The word right after a figure ('a'/'per' skipped) when it says what is counted ('hours', 'day', 'votes'),
    and the word after it, in case the first only describes the thing counted ('seven different attacks')."""
    following = [t for t in sentence[position + 1: position + 4] if t.low not in {"a", "an", "per"}][:2]
    if not following or not _counts(following[0]):
        return []
    return [t for t in following if _counts(t) and t.clause == following[0].clause]


def _counts(word: Token) -> bool:
    return _is_content(word) and not _is_figure(word) and not word.capital and word.low not in LIGHT_WORDS


def _unattributed(claim_tokens: list[Token], quote_tokens: list[Token]) -> bool:
    """'X said …' needs a quote that attributes something to someone: a claim of who said what is not
    backed by a sentence that nobody says."""
    return any(t.stem in _SPEECH for t in claim_tokens) and not any(q.stem in _SPEECH for q in quote_tokens)


def _figures_reordered(claim_tokens: list[Token], quote_tokens: list[Token]) -> bool:
    """The same figures joined by the same word in the other order: '33 and 29, respectively' for '29 and 33',
    'from 4% to 6%' for 'from 6% to 4%'."""
    claimed, given = _joined_figures(claim_tokens), _joined_figures(quote_tokens)
    return any((b, word, a) in given and (a, word, b) not in given for a, word, b in claimed)


def _joined_figures(sentence: list[Token]) -> set[tuple[str, str, str]]:
    return {(a.stem, word.low, b.stem) for a, word, b in zip(sentence, sentence[1:], sentence[2:])
            if _is_figure(a) and _is_figure(b) and not _is_year(a) and not _is_year(b) and a.stem != b.stem}


def _names_swapped(claim_tokens: list[Token], quote_tokens: list[Token], matches: dict[int, list[Token]]) -> bool:
    """Two names around a shared predicate, in the opposite order: 'Bosch is behind Beaulieu' for 'Beaulieu is
    behind Bosch'. A passive 'by' between them explains a reversal."""
    known = frozenset(q.stem for q in quote_tokens if q.capital and not q.starts)
    names = [t for t in claim_tokens if _is_name(t, claim_tokens, known) and t.low not in _TIME_NAMES
             and not _possessive(t)]
    seen: dict[int, Token] = {}
    for t in names:
        hits = [q for q in quote_tokens if _same_word(t.stem, q.stem)]
        if hits:
            seen[t.position] = hits[0]
    ordered = sorted(seen)
    for a, b in zip(ordered, ordered[1:]):
        qa, qb = seen[a], seen[b]
        if qa.position < qb.position:
            continue
        between_claim = claim_tokens[a + 1: b]
        between_quote = quote_tokens[qb.position + 1: qa.position]
        if any(t.low == "by" for t in between_claim + between_quote):
            continue
        shared = {t.stem for t in between_claim if t.low not in _GLUE} & {q.stem for q in between_quote}
        if shared:
            return True
    return False


_SPEECH = {stem(w) for w in SPEECH_VERBS}
_GLUE = {"is", "are", "was", "were", "be", "been", "the", "a", "an", "and", "of", "to", "has", "have", "had", "in",
         "on", "at", "for", "that", "with"}
