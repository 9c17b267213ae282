"""Word lists the support check reads: negations, hedges, antonyms and near-synonyms common in news.

Everything is matched on stems (`text.stem`), so 'rejected', 'rejects' and 'rejecting' are one entry, and a verb's
irregular forms come from spaCy's lemmatizer tables ('lose' also reads 'lost').
Edit the lists here; `evals/support_pairs.jsonl` measures what a change does (`python evals/support_check.py`).
"""

from __future__ import annotations

from functools import lru_cache

from .text import stem

# Words that turn a statement into its opposite within their clause.
NEGATIONS = {"not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without", "n't", "cannot",
             "failed", "fail", "fails", "unable", "lack", "lacks", "lacked", "avoid", "avoided", "avoiding",
             "avoids", "refuse", "refused", "refuses", "refusing"}
NEGATION_PHRASES = ("rather than", "instead of", "far from", "too early to", "not even")
# Negations that follow what they negate: "a meeting … has been ruled out"
TRAILING_NEGATIONS = ("ruled out", "called off", "fell through", "turned down")

# How certain a statement is: a claim may not be more certain than its quote.
FACT, FUTURE, PLANNED, POSSIBLE = 3, 2, 1, 0
HEDGES = {
    FUTURE: {"will", "shall"},
    PLANNED: {"expected", "expects", "expect", "plan", "plans", "planned", "planning", "set", "likely", "probably",
              "intends", "intend", "intended", "aims", "aim", "aimed", "scheduled", "proposed", "potential",
              "seeks", "seeking", "sought", "hopes", "hoping", "pending", "considering", "weighing", "prepared",
              "preparing", "to-be", "wants", "want", "wanted", "wanting"},
    POSSIBLE: {"may", "might", "could", "would", "should", "whether", "if", "uncertain", "unclear", "possible",
               "possibly", "perhaps", "reportedly", "allegedly", "alleged", "accused", "suspected", "appear",
               "appears", "appeared", "seem", "seems", "seemed", "rumored", "rumoured", "unconfirmed"},
}
HEDGE_PHRASES = {"is to": PLANNED, "are to": PLANNED, "was to": PLANNED, "set to": PLANNED}

# Pairs that say opposite things; a claim with one where its quote has the other is contradicted.
ANTONYMS = [
    ("accept", "reject"), ("accept", "refuse"), ("accept", "turn down"), ("agree", "refuse"), ("agree", "disagree"),
    ("admit", "deny"), ("confirm", "deny"), ("win", "lose"), ("win", "loss"), ("beat", "lose"),
    ("rise", "fall"), ("rise", "drop"), ("climb", "fall"), ("increase", "decrease"), ("increase", "cut"),
    ("increase", "drop"), ("raise", "cut"), ("raise", "lower"), ("gain", "lose"), ("add", "lose"), ("add", "cut"),
    ("grow", "shrink"), ("surge", "plunge"), ("higher", "lower"), ("more", "less"), ("most", "least"),
    ("buy", "sell"), ("purchase", "sell"), ("acquire", "sell"), ("hire", "fire"), ("hire", "lay off"),
    ("open", "close"), ("begin", "end"), ("start", "end"), ("start", "stop"), ("continue", "stop"),
    ("continue", "end"), ("continue", "halt"), ("continue", "suspend"), ("return", "leave"), ("join", "leave"),
    ("arrest", "release"), ("imprison", "release"), ("convict", "acquit"), ("support", "oppose"),
    ("approve", "reject"), ("allow", "ban"), ("allow", "forbid"), ("pass", "fail"), ("succeed", "fail"),
    ("first", "last"), ("largest", "smallest"), ("biggest", "smallest"), ("oldest", "youngest"),
    ("favorite", "outsider"), ("favourite", "outsider"),
    ("ease", "intensify"), ("intensify", "scale back"), ("soften", "harden"), ("change", "unchanged"),
    ("uphold", "strike down"), ("plan", "cancel"), ("schedule", "cancel"), ("schedule", "rule out"),
    ("rarely", "usually"), ("north", "south"), ("east", "west"), ("before", "after"),
    ("ahead", "behind"), ("full", "part"), ("all", "part"),
    ("major", "minor"), ("join", "abandon"), ("join", "quit"), ("deny", "say"), ("victory", "lose"),
    ("victory", "loss"), ("increase", "fall"), ("grow", "fall"), ("same", "different"), ("public", "private"),
    ("guilty", "innocent"), ("dead", "alive"),
]

# Prefixes that make a word its opposite ('indefensible', 'unlikely', 'nonviolent'); 'dis-' is left out: 'discover',
# 'display' and 'dispatch' are no opposites.
NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "non")
PARTICIPLE_NEGATING_PREFIXES = ("un", "non")  # 'unarmed', but 'informed' and 'imposed' are no opposites
MIN_NEGATED_WORD = 4

# Near-synonyms a faithful paraphrase may use instead of the quote's word.
SYNONYMS = [
    {"talk", "discussion", "negotiation", "meeting", "meet"},
    {"say", "tell", "state", "stating", "announce", "according", "add", "note", "argue", "stress",
     "emphasise", "emphasize", "acknowledge", "describe", "frame", "warn"},
    {"previous", "earlier", "prior", "past", "former", "last"},
    {"hold", "take", "place"},
    {"lead", "head"},
    {"rise", "climb", "increase", "grow", "growth", "up", "gain", "raise", "boost", "jump", "reach"},
    {"fall", "drop", "decline", "decrease", "down"},
    {"cut", "reduce", "layoff", "lay", "eliminate"},
    {"buy", "purchase", "acquire"},
    {"begin", "start", "launch", "kick"},
    {"win", "beat", "victory", "triumph", "defeat"},
    {"war", "conflict", "fighting", "fight", "combat", "hostilities", "invasion"},
    {"nearly", "almost", "close", "roughly", "about", "around", "approximately", "some"},
    {"job", "employment", "work", "worker", "employee", "staff"},
    {"company", "firm", "business", "giant"},
    {"kill", "killed", "dead", "death", "die", "died"},
    {"concession", "concede", "compromise", "give"},
    {"territory", "land", "region", "area"},
    {"unclear", "uncertain"},
    {"demand", "condition", "insist"},
    {"yearly", "annual", "annually", "year"},
    {"press", "news"},
    {"pay", "wage", "salary", "earn", "earnings"},
    {"big", "large", "major", "huge"},
    {"hostage", "captive"},
    {"ballot", "vote", "voter"},
    {"abandon", "drop", "give", "relinquish", "renounce", "surrender"},
    {"continue", "keep", "remain", "still"},
    {"coordinate", "coordinated", "coordination", "joint"},
    {"agree", "agreed", "agreement", "deal"},
    {"percent", "%"},
    {"return", "back", "returned"},
    {"seize", "capture", "take", "occupy"},
    {"whole", "all", "entire"},
    {"final", "last", "finally"},
    {"little", "few"},
    {"stop", "stoppage", "strike", "halt"},
    {"plateau", "level", "flat", "stabilise", "stabilize"},
    {"fund", "donation", "donate", "contribution"},
    {"cause", "reason", "why"},
    {"study", "report", "review", "investigation", "survey", "analysis"},
]

# Words a claim may add without adding information ("Rubio said that…", "the move also…").
# Verbs that attribute words to a speaker: the support check and the UI's example questions read them.
SPEECH_VERBS = ("say", "said", "says", "told", "tell", "tells", "stated", "states", "added", "announced", "according",
                "argued", "noted", "wrote", "insisted", "claimed", "acknowledged", "emphasised", "emphasized",
                "warned", "stressed", "declared")
LIGHT_WORDS = {"said", "say", "says", "told", "also", "according", "reported", "report", "added", "stated",
               "noted", "just", "now", "currently", "well", "new", "officials", "official"}

TITLES = {"president", "secretary", "minister", "prime", "gov", "governor", "sen", "senator", "rep", "mayor", "ceo",
          "pope", "king", "queen", "prince", "dr", "mr", "mrs", "ms", "general", "chief", "state", "emeritus"}


@lru_cache(maxsize=1)
def synonym_of() -> dict[str, frozenset[str]]:
    """stem → stems of its near-synonyms (itself included)."""
    groups: dict[str, set[str]] = {}
    for group in SYNONYMS:
        stems = {stem(w) for w in _with_verb_forms(group)}
        for s in stems:
            groups.setdefault(s, set()).update(stems)
    return {s: frozenset(g) for s, g in groups.items()}


@lru_cache(maxsize=1)
def antonym_of() -> dict[str, frozenset[str]]:
    """stem (or stemmed phrase) → the stems it contradicts."""
    pairs: dict[str, set[str]] = {}
    for a, b in ANTONYMS:
        for sa in map(_stem_phrase, _phrase_forms(a)):
            for sb in map(_stem_phrase, _phrase_forms(b)):
                pairs.setdefault(sa, set()).add(sb)
                pairs.setdefault(sb, set()).add(sa)
    return {s: frozenset(g) for s, g in pairs.items()}


def negated_forms(a: str, b: str) -> bool:
    """One adjective (or adverb) is the other with a negating prefix: 'indefensible' for 'defensible', 'unlikely'
    for 'likely', 'nonviolent' for 'violent' (both known to spaCy's lemmatizer tables as adjectives or adverbs)."""
    from .nlp import adjectives

    short, long = sorted((a, b), key=len)
    prefixes = PARTICIPLE_NEGATING_PREFIXES if short.endswith(("ed", "ing")) else NEGATING_PREFIXES
    return (len(short) >= MIN_NEGATED_WORD and any(long == prefix + short for prefix in prefixes)
            and short in adjectives() and long in adjectives())


def _stem_phrase(phrase: str) -> str:
    return " ".join(stem(w) for w in phrase.split())


def _with_verb_forms(words: set[str]) -> set[str]:
    """The words and their irregular verb forms ('take' → 'took', 'taken'), from spaCy's lemmatizer tables."""
    from .nlp import verb_forms

    forms = verb_forms()
    return set(words).union(*(forms.get(w, frozenset()) for w in words))


def _phrase_forms(phrase: str) -> set[str]:
    """A phrase as its first word's irregular forms also write it ('strike down' → 'struck down')."""
    first, _, rest = phrase.partition(" ")
    return {" ".join(filter(None, (form, rest))) for form in _with_verb_forms({first})}


@lru_cache(maxsize=1)
def hedge_level_of() -> dict[str, int]:
    return {word: level for level, words in HEDGES.items() for word in words}


@lru_cache(maxsize=1)
def state_abbreviations() -> dict[str, frozenset[str]]:
    """AP-style U.S. state abbreviations of datelines ('Ill.', 'N.Y.', as the support check's tokens read them:
    'ill', 'n.y.') → the stems of the state's name ('illinoi'; 'new', 'york'), from the `us` package."""
    import us

    found = {}
    for state in us.states.STATES_AND_TERRITORIES:
        if state.ap_abbr and state.ap_abbr != state.name:
            key = state.ap_abbr.lower() if state.ap_abbr.count(".") > 1 else state.ap_abbr.lower().rstrip(".")
            found[key] = frozenset(stem(w) for w in state.name.lower().split())
    return found
