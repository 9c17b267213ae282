"""Issue 18: the kind of thing a question asks for, and whether a sentence holds one, from spaCy's entities and the
fitted answer type model, not from patterns (a year is no count, a place is no person, 'day' is no date)."""

from __future__ import annotations

import pytest

from assistant.answering.kinds import asks_for_a_figure, asks_for_an_entity, gives_a_figure, kind_shares
from assistant.tuning import ASKS_FOR_A_KIND, HOLDS_KIND


@pytest.mark.parametrize(("question", "holds", "lacks"), [
    ("How many homes lost power after the storm?", "About 3,200 homes lost power after the storm, the utility said.",
     "In 2019 the storm was the worst the town had seen."),  # a year is not a count
    ("Who reopened the harbour after the storm?", "Maria Lopez, the harbour master, reopened it on Tuesday.",
     "Why Washington Is Reopening Direct Channels with Moscow"),  # places are not a person
    ("Which company bought the Tammerfield grid?", "The grid was bought by Nordvolt Energy Corporation.",
     "The grid was bought the day after the storm, the mayor said."),
])
def test_a_sentence_holds_the_kind_asked_for_only_when_an_entity_of_that_kind_is_in_it(question, holds,
                                                                                          lacks) -> None:
    held, lacked = kind_shares(question, [holds, lacks])
    assert held >= HOLDS_KIND > lacked


def test_the_question_s_own_names_are_not_what_it_asks_for() -> None:
    question = "Who met Steve Witkoff in Florida?"
    assert kind_shares(question, ["Steve Witkoff arrived in Florida on Saturday."])[0] < HOLDS_KIND


def test_a_question_for_a_name_asks_for_a_kind_and_a_count_asks_for_a_figure() -> None:
    assert asks_for_an_entity("Which city hosted the talks?") >= ASKS_FOR_A_KIND
    assert asks_for_a_figure("How many people were evacuated from the town?")
    assert not asks_for_a_figure("Who leads the Russian delegation?")
    assert gives_a_figure("How many people were evacuated?", "Some 4,500 people were evacuated on Sunday.")
    assert not gives_a_figure("How many people were evacuated in 2024?", "In 2024 people were evacuated.")
