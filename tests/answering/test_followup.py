"""A question is taken for a follow-up only when it cannot stand alone."""

import pytest

from assistant.answering.followup import is_follow_up, person_answered, with_context

STANDALONE = [
    "The famous broadcaster died this week. Which team did he call games for?",
    "NFL player Damar Hamlin suffered an on-field medical emergency this week. He is a valued member of which team?",
    "Which company is being sued for failing to pay rent at one of its offices in San Francisco?",
    "Where were the talks held this week?",
    "Who leads the Russian delegation?",
    "Is it true that prices rose?",
    "How long will it take to rebuild the bridge?",
    "This Republican is set to be the first to announce a challenge to Trump. Who is she?",
    "What did the company announce about this deal?",
    "Following her ouster from Congress, Liz Cheney accepted a job teaching at which university?",
    "Who took home her first Tony for best performance by a lead actress in a play?",
    "Which city's residents consume more hot dogs than those of any other city?",
    "About how much does it cost for a roundtrip ticket to space?",
    "What did Volodymyr Zelenskiy say at his own press conference?",
]
FOLLOW_UPS = [
    "Which team did he call games for?", "What did it cost?", "Whose envoy is he?", "Where did they meet?",
    "How did Kyiv respond to those demands?", "What did he say about it?", "And Ukraine?", "Why?", "How many?",
    "Which country did they visit?", "Who else represents the U.S. alongside him?", "When did his term end?",
]


@pytest.mark.parametrize("question", STANDALONE)
def test_a_question_with_its_own_subject_stands_alone(question: str) -> None:
    assert not is_follow_up(question)
    assert with_context(question, [("Who won the eating contest?", "Joey Chestnut [1]")]) == question


@pytest.mark.parametrize("question", FOLLOW_UPS)
def test_a_question_that_cannot_stand_alone_is_a_follow_up(question: str) -> None:
    assert is_follow_up(question)


def test_a_follow_up_is_searched_with_the_questions_it_rests_on() -> None:
    history = [("Who is Ukraine's chief negotiator?", "Rustem Umerov [1]"), ("What did he say?", "… [1]")]
    assert with_context("Who did he brief?", history) == (
        "Who is Ukraine's chief negotiator? What did he say? Who did he brief?")
    assert with_context("What did he say?", None) == "What did he say?"


def test_he_in_a_follow_up_is_the_person_the_last_answer_named() -> None:
    reply = "Kirill Dmitriev — “Leading the Russian delegation is Kirill Dmitriev, close to Vladimir Putin.” [1]"
    history = [("Who leads the Russian delegation?", reply)]
    assert with_context("Who is he expected to meet?", history) == (
        "Who leads the Russian delegation? Kirill Dmitriev Who is he expected to meet?")
    assert person_answered("What did it cost?", reply) is None  # 'it' is not a person
    assert person_answered("Who did Witkoff meet?", reply) is None  # no pronoun to resolve
    assert person_answered("Who is he expected to meet?", "The talks are in Florida. [1]") is None
