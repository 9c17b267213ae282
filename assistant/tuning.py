"""Every tuning number in one place, with what it does and how it was set.

Settings (settings.py) holds what a user configures (folders, backends, chunk size, fusion weights, the answer
threshold); these are the internals behind them. Change one here, then measure: quality on the real-news dev
split (`assistant eval --docs evals/realnews/dev/docs …`), the support check on its labelled pairs
(`python evals/support_check.py`). The seeds are a smoke test, not a place to tune.
"""

from __future__ import annotations

# --- ranking sentences (rank.py; the ranker's weights themselves are fitted: ranker.json) ---------------------
SYNONYM_CREDIT = 0.5  # a near-synonym of a question word (lexicon.py) counts this much against the word itself
TYPE_PROMOTION = 0.75  # sentences of the kind asked for move ahead of untyped ones scoring within this share

# --- time (retrieve._favour_time); chosen on the real-news dev split's 96 time-bound questions -----------------
# (grid: time 0 / 0.25 / 0.5 / 1 / 2 × recency 0 / 0.3 / 0.5 / 1; all within ±2 questions of each other)
TIME_BOOST = 1.0  # passages from articles dated inside "this week" / "yesterday" … score this much more
FRESH_HALF_LIFE = 14  # days: how fast an article's "fresh" ranking feature halves with its age on the asking day
RECENCY_BOOST = 0.5  # for "the latest …", the newest article's passages score this much more, the oldest none

# --- choosing sentences (answer.ExtractiveGenerator.select) -----------------------------------------------------
LIST_ITEM_CHARS = 100  # a line this long or shorter after a sentence ending 'include:' is an item of its list …
LIST_QUOTE_CHARS = 400  # … quoted with it, up to this many characters after the sentence
RUNNER_UP_SCORE = 0.85  # a second or third sentence must score this share of the best
RUNNER_UP_CONTEXT = 0.8  # … and cover this share of the best one's question words in its chunk
DISAGREEMENT_RANKS = 5  # a sentence from another file with a different figure is shown from this many of the best
# (measured: half the best score instead says "the sources differ" falsely for 2 of 260 dev and 11 of 260 test
# questions, against 1 and 5)

# --- deciding to answer (decide.py; the logistic model itself is fitted: answerability.json) -------------------
TOP_SENTENCES = 5  # best-ranked sentences the signals look at
TYPE_CHECK_DEPTH = 3  # best sentences that should hold the kind of thing asked for
MIN_COVERAGE = 0.2  # below this share of the question's words in the top keyword hits, always refuse
RAREST_WORDS = 3  # the question's rarest words, which an answering passage should hold together
COVERAGE_DEPTH = 3  # keyword hits the coverage signal looks into

# --- the reader (reader.py; its two models are fitted: answer_types.json, reader.json) ---------------------------
READER_SENTENCES = 5  # best-ranked sentences whose own entities, titles and neighbours the reader considers

# --- the LLM backends (llm.py) ---------------------------------------------------------------------------------
PASSAGES_IN_PROMPT = 6  # best sentences shown to the model, numbered
PROMPT_NEIGHBOURS = 0  # of them, the best shown with the sentences before and after too (each is shown with its
# title): on 40 dev questions titles alone gave 0.633 against 0.567 for sentences alone, and titles with the two
# best passages' neighbours 0.633 too, at a first token of 8.2 s against 6.2 s (benchmarks/bench_local_prompt.py)

# --- figures and support (figures.py, support.py); measured on evals/support_pairs.jsonl (tune split) ----------
CONFLICT_CONTEXT = 3  # content words either side of a unit that must share a word for two figures to conflict
MIN_CONTENT_WORDS = 2  # fewer is no claim; nor is one of names alone, such as "U.S. and Russian"
UNMATCHED_SHARE = 0.25  # share of a claim's content words that may be absent from its quote (paraphrase)
NEAR_SYNONYM = 0.75  # word vectors this close (cosine) match in a draft check ('picked'/'chosen'): word_meaning.py
PREFIX_MATCH = 5  # words sharing this many leading letters match: 'Russian'/'Russia', 'stabilised'/'stabilized'
HEDGE_REACH = 2  # content words after 'may', 'expected to', 'whether' … that the hedge covers
# Checking a draft (newsroom/check.py; tuned on the tune split of evals/drafts.jsonl)
CHECK_PASSAGES = 8  # passages retrieved for each claim
CHECK_EMBEDDED = 40  # of their sentences, those sharing most of the claim's words are embedded …
CHECK_CANDIDATES = 6  # … and the closest in meaning read against the claim
CONTRADICTION_MEANING = 0.5  # a contradicting sentence is at least this close in meaning to the claim …
CONTRADICTION_SHARE = 0.6  # … and holds at least this share of its content words
CONTRADICTION_CLOSE_SHARE = 0.8  # (or, less close in meaning, at least this share)
SLOT_REACH = 3  # words either side of a name that say where it stands in its sentence
# A story's articles, its timeline and the digest (newsroom/)
STORY_PASSAGES = 30  # passages retrieved for a story
STORY_COVERAGE = 0.6  # an article is part of the story when its passages hold this IDF-weighted share of its words
TIMELINE_LINES = 30  # the most relevant dated events shown
TIMELINE_RELEVANCE = 0.6  # none less close in meaning to the story than this share of the closest
SAME_EVENT = 0.8  # two dated sentences this close in meaning, on the same date, tell one event
SAME_EVENT_ANY_DAY = 0.9  # … this close, the same event even on different dates (the sources differ on the date)
QUOTE_ARTICLES = 30  # who said what: articles naming a speaker read for their quotations (most prominent first)
QUOTES_SHOWN = 40  # statements shown for one speaker, newest first
DIGEST_SAME_STORY = 0.55  # articles whose title and lead are this close in meaning are one story
LEAD_CHOICES = 3  # an article's line in the digest is one of its first this many sentences
