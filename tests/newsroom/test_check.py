"""Checking a draft against the seed articles: a verdict for every sentence, the passages behind it, and what
differs when a source says otherwise."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant import Assistant
from assistant.answering.retrieve import Passage
from assistant.library.chunk import Chunk
from assistant.library.load import load_document
from assistant.newsroom.check import CONTRADICTED, NOT_FOUND, SUPPORTED, Evidence, _pool, check_draft, judge
from assistant.newsroom.claims import claims_of
from tests.conftest import SEEDS

DRAFT = ("Russia's delegation will be led by Kirill Dmitriev, an envoy of President Vladimir Putin. "
         "Putin offered major concessions during his annual press conference in Moscow.\n\n"
         "Previous discussions took place at Witkoff's golf club in Miami Beach, Florida. "
         "The talks will be held in Geneva next month with Chinese mediators. "
         "Putin's demands were first laid out in June 2023.")
EXPECTED = [(SUPPORTED, None), (CONTRADICTED, "negation"), (CONTRADICTED, "name"), (NOT_FOUND, None),
            (CONTRADICTED, "date")]


@pytest.fixture(scope="module")
def checked(seed_assistant: Assistant):
    return check_draft(seed_assistant, DRAFT)


def test_every_sentence_gets_a_verdict_in_order_with_its_span_in_the_draft(checked) -> None:
    assert [(s.verdict, s.differs) for s in checked.sentences] == EXPECTED
    assert all(DRAFT[s.start:s.end] == s.text for s in checked.sentences)
    assert [s.start for s in checked.sentences] == sorted(s.start for s in checked.sentences)


def test_every_citation_is_the_exact_text_of_its_file(checked) -> None:
    cited = [c for s in checked.sentences for c in s.citations]
    assert cited and all(load_document(SEEDS / c.source, SEEDS).text[c.start:c.end] == c.quote for c in cited)


def test_a_contradiction_cites_the_passage_that_says_otherwise(checked) -> None:
    negated, renamed = checked.sentences[1], checked.sentences[2]
    assert "no concessions" in negated.citations[0].quote
    assert "Hallandale Beach" in renamed.citations[0].quote


def test_a_sentence_not_in_the_sources_cites_nothing(checked) -> None:
    assert checked.sentences[3].citations == []


def test_one_passage_cited_twice_keeps_one_number(checked) -> None:
    numbers = {}
    for sentence in checked.sentences:
        for c in sentence.citations:
            assert numbers.setdefault((c.source, c.start, c.end), c.number) == c.number


def test_a_sentence_with_two_claims_is_checked_claim_by_claim(seed_assistant: Assistant) -> None:
    draft = ("Russia's delegation will be led by Kirill Dmitriev, and Putin offered major concessions during "
             "his annual press conference in Moscow.")
    [sentence] = check_draft(seed_assistant, draft).sentences
    assert [c.verdict for c in sentence.claims] == [SUPPORTED, CONTRADICTED]
    assert sentence.verdict == CONTRADICTED and sentence.differs == "negation"


def test_claims_split_at_coordinated_clauses_and_keep_a_shared_subject() -> None:
    assert claims_of("Biden signed the bill and thanked Opal Lee.") == ["Biden signed the bill.",
                                                                         "Biden thanked Opal Lee."]
    assert claims_of("Carney said teachers deserve more and that the state will pay.") == [
        "Carney said teachers deserve more and that the state will pay."]


def test_an_empty_draft_has_no_sentences(seed_assistant: Assistant) -> None:
    assert check_draft(seed_assistant, "   \n").sentences == []


def _evidence(text: str, before: str = "", title: str = "Report") -> Evidence:
    """The last sentence of a one-chunk article, read as the checker reads it (close in meaning to the claim)."""
    body = f"{title}\n\n{before} {text}".replace("  ", " ")
    chunk = Chunk("c0", "report.txt", 0, len(body), body, title)
    [evidence] = [e for e in _pool([Passage(chunk, {"title": title})]) if e.text == text]
    return replace(evidence, meaning=0.8)


def _with_next(text: str, following: str) -> Evidence:
    """A sentence read with the sentence after it in its article."""
    return replace(_evidence(text), after=_evidence(following, before=text))


@pytest.mark.parametrize(("claim", "quote", "before", "verdict"), [
    # another figure in the figure's place: contradicted, whatever the words around it
    ("The 149 women who will serve in the House and Senate are ten more than the previous record.",
     "The 149 women who will serve in the House and Senate will expand the ranks by just two members above the "
     "record.", "", CONTRADICTED),
    # a rank is no count, and a figure in the sentence before counts something else: neither contradicts
    ("The goalkeeper made eight saves against France.",
     "She forced a save from the goalkeeper against France in the first half.", "", NOT_FOUND),
    ("The band performed for more than three hours at the arena.",
     "The band performed its hits at the arena, and fans sang along.", "The three-level arena was full.", NOT_FOUND),
])
def test_a_figure_contradicts_only_a_figure_of_its_kind_in_the_quoted_sentence(claim, quote, before, verdict) -> None:
    assert judge(claim, [_evidence(quote, before)]).verdict == verdict


def test_a_dateline_abbreviation_names_the_state() -> None:
    claim = "The mayor of Springfield, Illinois, resigned on Monday after a vote."
    assert judge(claim, [_evidence("The mayor of Springfield, Ill., resigned on Monday after a vote.")]).verdict \
        == SUPPORTED
    assert judge(claim.replace("Illinois", "Iowa"),
                 [_evidence("The mayor of Springfield, Ill., resigned on Monday after a vote.")]).verdict != SUPPORTED


def test_a_name_the_next_sentence_gives_completes_the_support_and_both_are_cited() -> None:
    lede = "Hackers stole nearly $400 million worth of cryptocurrency in 2021, according to a new report."
    follow = "The attacks targeted exchanges, according to the report from Chainalysis, a firm that tracks crypto."
    claim = "Hackers stole nearly $400 million in cryptocurrency in 2021, according to a report from Chainalysis."
    evidence = _with_next(lede, follow)
    checked = judge(claim, [evidence])
    assert checked.verdict == SUPPORTED and [e.text for e in checked.evidence] == [lede, follow]
    # the next sentence naming someone else does not back the claim's name
    other = claim.replace("Chainalysis", "Elliptic")
    assert judge(other, [evidence]).verdict != SUPPORTED


def test_a_detail_the_next_sentence_gives_completes_the_support_but_another_figure_does_not() -> None:
    lede = "The streaming service also bought Harbor Comics, the publisher of the Night Owl books."
    follow = "That was the streaming service's first acquisition, its content chief said."
    claim = "Harbor Comics, the publisher of the Night Owl books, was the streaming service's first acquisition."
    checked = judge(claim, [_with_next(lede, follow)])
    assert checked.verdict == SUPPORTED and [e.text for e in checked.evidence] == [lede, follow]
    second = follow.replace("first", "second")
    assert judge(claim, [_with_next(lede, second)]).verdict != SUPPORTED


def test_an_opening_he_or_she_is_read_as_the_person_the_paragraph_was_about() -> None:
    before = ("Analyst Dana Wu of Lark Research said in a note on Monday that the outlook was strong. "
              "She expects more subscribers next quarter.")
    quote = "She raised the company's target price by $35 to $235."
    evidence = _evidence(quote, before)
    assert evidence.reads == "Analyst Dana Wu raised the company's target price by $35 to $235."
    assert evidence.text == quote  # what is cited stays the article's own words
    assert judge("Dana Wu raised the company's target price by $35 to $235.", [evidence]).verdict == SUPPORTED
    wrong = judge("Omar Reyes raised the company's target price by $35 to $235.", [evidence])
    assert (wrong.verdict, wrong.differs) == (CONTRADICTED, "name")
    # when the sentence before is about something else, the pronoun is not guessed at
    elsewhere = _evidence(quote, "Analyst Dana Wu of Lark Research wrote a note. The company's shares rose 3%.")
    assert elsewhere.reads == quote


def test_a_name_put_where_the_source_has_another_one_of_its_kind_contradicts_it() -> None:
    quote = ("The mayor tried to calm the council by replacing her deputy and old ally Tomas Brandt with Lena "
             "Orvik, a close friend of former deputy Jonas Keller.")
    # Jonas Keller is in the quote, but not in the place the claim puts him: the one who replaced Brandt
    replaced = judge("The mayor replaced her deputy Tomas Brandt with Jonas Keller.", [_evidence(quote)])
    assert (replaced.verdict, replaced.differs) == (CONTRADICTED, "name")
    swapped = judge("The mayor replaced her deputy Lena Orvik with Tomas Brandt.", [_evidence(quote)])
    assert (swapped.verdict, swapped.differs) == (CONTRADICTED, "role")
    # a list in that place holding the claim's name is no other name
    listed = "The mayor replaced her deputy Tomas Brandt with Lena Orvik and Jonas Keller."
    assert judge("The mayor replaced her deputy Tomas Brandt with Jonas Keller.", [_evidence(listed)]).verdict \
        != CONTRADICTED


def test_a_sentence_saying_not_outweighs_a_support_its_context_lends_words_to() -> None:
    title = "Mayor Lena Orvik tests positive for flu"
    lede = "Governor Tomas Brandt first tested positive on May 2."
    # the title and the sentence before lend this one 'mayor' and the governor: it reads as support in context
    isolated = _evidence("He isolated at home while taking antivirals.", lede, title)
    negated = _evidence("He did not see the mayor during that time.", f"{lede} He isolated at home.", title)
    claim = "Governor Tomas Brandt saw the mayor during his isolation."
    checked = judge(claim, [replace(isolated, meaning=0.6), replace(negated, meaning=0.7)])
    assert (checked.verdict, checked.differs) == (CONTRADICTED, "negation")
    assert [e.text for e in checked.evidence] == [negated.text]
    # the negation closer in neither meaning nor words leaves the support standing
    assert judge(claim, [replace(isolated, meaning=0.7), replace(negated, meaning=0.6)]).verdict == SUPPORTED
    # a sentence that supports the claim by itself is never outweighed
    alone = _evidence("Governor Tomas Brandt saw the mayor during his isolation at home.", lede, title)
    assert judge(claim, [replace(alone, meaning=0.6), replace(negated, meaning=0.7)]).verdict == SUPPORTED


def test_two_names_in_each_others_places_outweigh_a_support_its_context_lends_words_to() -> None:
    title = "Norvale Motors ready to deliver trucks built with Keltron"
    sold = "Delmar Auto sold the factory to the truck startup in 2019."
    agreed_text = "In 2021, Norvale Motors entered into an agreement with Keltron, the electronics maker."
    # the sentence before lends the agreement 'sold the factory': it reads as support in context
    agreed = _evidence(agreed_text, sold, title)
    swapped = _evidence("Under that arrangement, Keltron purchased the factory and agreed to help build the "
                        "Norvale Motors pickup there.", f"{sold} {agreed_text}", title)
    claim = "Norvale Motors purchased the factory from Keltron in 2021."
    checked = judge(claim, [replace(agreed, meaning=0.6), replace(swapped, meaning=0.7)])
    assert (checked.verdict, checked.differs) == (CONTRADICTED, "role")
    assert [e.text for e in checked.evidence] == [swapped.text]
    # further from the claim in meaning than the support: the support stands
    assert judge(claim, [replace(agreed, meaning=0.7), replace(swapped, meaning=0.6)]).verdict == SUPPORTED


@pytest.mark.parametrize(("claim", "quote", "differs"), [
    # an age and a length of time are figures, though NER calls them dates
    ("Mayor Lena Orvik, 52, opened the new library on Friday.",
     "Mayor Lena Orvik, 51, opened the new library on Friday.", "figure"),
    ("In total, the activist has been sentenced to 13 years in prison.",
     "In total, the activist has been sentenced to 10 years in prison.", "figure"),
    ("Mayor Lena Orvik opened the new library on Friday.",
     "Mayor Lena Orvik opened the new library on Thursday.", "date"),
    ("The library opened in 2021 after a long campaign.",
     "The library opened in 2019 after a long campaign.", "date"),
])
def test_an_age_or_a_length_of_time_differs_as_a_figure_a_day_or_year_as_a_date(claim, quote, differs) -> None:
    checked = judge(claim, [_evidence(quote)])
    assert (checked.verdict, checked.differs) == (CONTRADICTED, differs)


def test_a_place_of_something_named_is_not_a_place_of_what_was_done() -> None:
    # 'in Geneva' places the talks, 'in Albania' the dispute: both hang on 'end', but nothing is put in another's place
    quote = ("Senior officials are set to meet in Geneva on Monday for renewed talks aimed at ending the dispute in "
             "Albania, as the ministry seeks to broker a deal between the two parties.")
    assert judge("The talks in Geneva ended without a deal.", [_evidence(quote)]).verdict != CONTRADICTED
    # the same place of the same thing, named otherwise, still contradicts
    moved = judge("The talks in Geneva ended on Friday without a deal.",
                  [_evidence("The talks in Vienna ended on Friday without a deal.")])
    assert (moved.verdict, moved.differs) == (CONTRADICTED, "name")


def test_an_opposite_contradicts_in_the_sentence_itself_never_from_its_context() -> None:
    rejected = _evidence("The council has rejected those demands, stating it will not close the library.")
    checked = judge("The council has accepted those demands.", [rejected])
    assert (checked.verdict, checked.differs) == (CONTRADICTED, "negation")
    # 'buy' is in the title, not in the sentence: the sentence does not say the opposite of 'sell'
    asks = _evidence("Mara Lind also wants the studio to suspend its dividend payments to shareholders for debt "
                     "reduction.", title="Investor Mara Lind wants the studio to buy back its streaming stake")
    claim = "Mara Lind wants the studio to sell theme parks and suspend dividend payments to shareholders."
    assert judge(claim, [asks]).verdict == NOT_FOUND
