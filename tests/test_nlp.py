"""spaCy's analyses, cached: a full cache keeps answering, and the parse finds the entities NER alone finds."""

import subprocess
import sys

import pytest

from assistant import nlp


def test_a_full_cache_still_answers_for_its_oldest_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long-running server fills its caches; asking for the least recently used text beside new ones must not
    lose it between being found and being returned."""
    monkeypatch.setattr(nlp, "ENTITY_CACHE_SIZE", 2)
    monkeypatch.setattr(nlp, "STRUCTURE_CACHE_SIZE", 2)
    monkeypatch.setattr(nlp, "_ENTITY_CACHE", type(nlp._ENTITY_CACHE)())
    monkeypatch.setattr(nlp, "_STRUCTURE_CACHE", type(nlp._STRUCTURE_CACHE)())
    oldest, other = "Ada Lovelace met Charles Babbage in London.", "The port reopened on Monday."
    for texts in ([oldest, other], [oldest, "Paris hosted the talks.", "Oslo hosted them later."]):
        parsed = nlp.structures_of(texts)
        named = nlp.entities_of(texts)
        assert [e.text for e in parsed[0].entities] == [e.text for e in named[0]] == [
            "Ada Lovelace", "Charles Babbage", "London"]
    assert len(nlp._STRUCTURE_CACHE) <= 3 and len(nlp._ENTITY_CACHE) <= 3


def test_an_entity_s_head_token_is_where_the_parse_attaches_it() -> None:
    structure = nlp.structures_of(["The mayor of Gdansk opened the new bridge on Tuesday."])[0]
    tuesday = next(e for e in structure.entities if e.text == "Tuesday")
    assert structure.tokens[tuesday.root].text == "Tuesday"
    opened = next(i for i, t in enumerate(structure.tokens) if t.text == "opened")
    assert structure.path_length(tuesday.root, opened) == 2  # Tuesday → on → opened
    assert structure.path_length(opened, opened) == 0


def test_the_lemmatizer_s_tables_are_read_while_the_pipeline_loads_in_the_background() -> None:
    """Seen: `assistant ask` crashed with "cannot import name 'Morphologizer' from partially initialized module
    'spacy.pipeline'" when the first ranking read the lemmatizer while the preload thread was importing spaCy."""
    script = "from assistant import nlp\nnlp.preload()\nprint(nlp.verb_bases()['led'])"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-1500:]
    assert done.stdout.strip() == "lead"


@pytest.mark.parametrize(("date", "counts"), [
    ("13 years", True), ("day 54", True), ("the 12th consecutive year", True), ("52", True), ("366 days", True),
    ("2021", False), ("July 21", False), ("last year", False), ("Tuesday", False), ("two years ago", False),
])
def test_a_length_of_time_or_an_age_counts_time_a_day_or_a_year_does_not(date: str, counts: bool) -> None:
    assert nlp.counts_time(date) is counts
