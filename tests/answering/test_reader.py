"""The reader's view of a phrase: how common its words are in the library, where it stands in its sentence's
parse, how well its kind fits the question."""

from dataclasses import replace
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.answering.reader import (
    Asking,
    Phrase,
    asked_tokens,
    asks_what_a_name_is,
    neighbouring_sentence,
    rarity,
    short_answer,
    syntax_features,
    type_fit,
    what_is_asked,
)
from assistant.answering.retrieve import Passage, question_terms
from assistant.nlp import structures_of
from assistant.text import stem


def test_a_name_every_article_carries_is_less_rare_than_one_a_single_article_names(tmp_path: Path,
                                                                                     make_settings) -> None:
    """The outlet's or the country's name, in every article, must not read as distinctive as the name of the
    club only one article is about (seen: "CNN" and "UK" given as the answer instead of "Wasps")."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for number, story in enumerate(["the port reopened", "the bridge closed", "the bridge was sold",
                                    "the rugby club Wasps went into administration"]):
        (docs / f"{number}.txt").write_text(f"Story {number}\n\nCNN reports that {story} in the UK on Monday.\n",
                                            encoding="utf-8")
    assistant = Assistant(make_settings(docs))
    assistant.ensure_index()
    keyword = assistant.retriever.keyword_index
    assert rarity("Wasps", keyword) > rarity("the bridge", keyword) > rarity("CNN", keyword) > 0.0
    assert rarity("Wasps", keyword) == rarity("Zeppelin", keyword) == 1.0  # one chunk or none: as rare as it gets
    assert rarity("", keyword) == 0.0


def _features_of(question: str, sentence: str) -> dict[str, dict[str, float]]:
    """Each entity of the sentence with the parse features the reader gives it for the question."""
    wanted = set(question_terms(question))
    structure = structures_of([sentence])[0]
    asked_at = asked_tokens(structure, wanted)
    return {e.text: syntax_features(e, structure, asked_at, wanted, what_is_asked(question))
            for e in structure.entities}


def test_the_entity_the_question_s_verb_governs_reads_closer_than_one_merely_nearby() -> None:
    """Seen: "What team does he play for?" answered with the opponent named in the same sentence. The team he
    plays for hangs on "plays"; the opponent hangs on another verb, further along the parse."""
    found = _features_of("Which team does Damar Hamlin play for?",
                         "Damar Hamlin, who plays for the Buffalo Bills, collapsed in the game against the "
                         "Cincinnati Bengals on Monday.")
    bills, bengals = found["the Buffalo Bills"], found["the Cincinnati Bengals"]
    assert bills["head_asked"] == 1.0 and bengals["head_asked"] == 0.0
    assert bills["tree_near"] > bengals["tree_near"]


def test_the_noun_a_question_asks_for_is_found_behind_its_wording() -> None:
    assert what_is_asked("Thousands of people were recently stranded at which festival?").noun == stem("festival")
    assert what_is_asked("What is the name of the hurricane that hit Florida?").noun == stem("hurricane")
    assert what_is_asked("Who won the award?") == Asking("subject", stem("win"), "")


def test_a_name_of_another_kind_than_asked_still_fits_a_question_that_asks_for_a_name() -> None:
    """NER calls some teams people and some hurricanes organisations: a name keeps part of its fit."""
    asks_for_a_team = {"ORG": 0.6, "PERSON": 0.3, "DATE": 0.1}
    team_read_as_person = type_fit("PERSON", asks_for_a_team)
    assert team_read_as_person["name_fit"] > type_fit("DATE", asks_for_a_team)["name_fit"] == 0.0
    assert team_read_as_person["type_fit"] == 0.3


def test_the_sentences_around_one_are_found_across_a_paragraph_break_between_chunks(tmp_path: Path,
                                                                                      make_settings) -> None:
    """A chunk that ends a paragraph is followed by one that starts after the blank line: no chunk holds the
    blank, and the next sentence over must still be found (seen: the source a lede's "new report" names)."""
    first = " ".join(f"In week {n} the port handled {n} ships." for n in range(1, 25))
    second = " ".join(f"On day {n} the bridge carried {n} trucks." for n in range(1, 25))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "port.txt").write_text(f"Port news\n\n{first}\n\n{second}\n", encoding="utf-8")
    assistant = Assistant(make_settings(docs))
    assistant.ensure_index()
    catalog = assistant.store.catalog
    text = (docs / "port.txt").read_text(encoding="utf-8")
    end_of_first = text.index(first) + len(first)
    ending = catalog.chunk_covering("port.txt", end_of_first - 1)
    assert ending is not None and ending.chunk.end == end_of_first  # the case: a chunk ends the paragraph
    after = neighbouring_sentence(Passage(ending.chunk, ending.metadata), end_of_first, catalog, before=False)
    assert after is not None and after.span.text == "On day 1 the bridge carried 1 trucks."
    opening = catalog.chunk_covering("port.txt", text.index(second))
    assert opening is not None
    before = neighbouring_sentence(Passage(opening.chunk, opening.metadata), text.index(second), catalog,
                                   before=True)
    assert before is not None and before.span.text == "In week 24 the port handled 24 ships."


@pytest.mark.parametrize(("question", "describes"), [
    ("Who is Kirill Dmitriev?", True),
    ("What is the Strait of Hormuz?", True),
    ("Who were the Beatles?", True),
    ("Who is Narges Mohammadi?", True),  # a name the small NER model does not tag in a short question
    ("Who is Prime Minister?", False),  # capitalised, but a title: asks for a name
    ("Who is the president of France?", False),  # a role: the answer is a name
    ("Who is the CEO of OpenAI?", False),
    ("Who is Putin's envoy?", False),
    ("What is the Oxford Dictionary's Word of the Year?", False),  # asks for the word
    ("Who is Taylor Swift dating?", False),
    ("Who leads the Russian delegation?", False),
])
def test_a_question_that_names_its_subject_and_asks_what_it_is_wants_a_description(question: str,
                                                                                  describes: bool) -> None:
    assert asks_what_a_name_is(question) is describes


def _phrase(text: str, label: str, probability: float) -> Phrase:
    return Phrase(text, label, "sentence", 0, len(text), None, probability=probability)  # type: ignore[arg-type]


@pytest.mark.parametrize(("question", "leads"), [
    ("Around how many hospital workers walked off the job this week?", "75,000"),
    ("How long did the strike last?", "three days"),
    ("When did the strike begin?", "Wednesday"),
    ("Which health system's workers walked off the job when the talks failed?", "Kaiser Permanente"),
])
def test_how_many_and_when_are_led_by_a_figure_or_a_date_never_a_name(question: str, leads: str) -> None:
    """Seen: 'Around how many hospital employees walked off the job?' led by 'Kaiser Permanente'."""
    found = [_phrase("Kaiser Permanente", "ORG", 0.9), _phrase(leads, {"75,000": "CARDINAL", "Kaiser Permanente": "ORG"}
                                                               .get(leads, "DATE"), 0.6)]
    chosen = short_answer(question, found)
    assert chosen is not None and chosen.text == leads
    # below the reader's threshold nothing leads, of any kind
    assert short_answer(question, [replace(p, probability=0.01) for p in found]) is None
