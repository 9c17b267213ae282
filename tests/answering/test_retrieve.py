import pytest

from assistant.answering.retrieve import question_terms


@pytest.mark.parametrize(("question", "source"), [
    ("golf club where earlier meetings were held", "003_001337cf8562453b.txt"),
    ("why was Florida chosen as a discreet venue instead of a diplomatic capital", "000_f3ed65131ccd6e47.txt"),
    ("Putin annual press conference demands", "003_001337cf8562453b.txt"),
])
def test_the_right_file_comes_first(seed_assistant, question: str, source: str) -> None:
    seed_assistant.ensure_index()
    passages = seed_assistant.retriever.search(question).passages
    assert passages[0].chunk.source == source


def test_both_retrievers_contribute(seed_assistant) -> None:
    seed_assistant.ensure_index()
    passages = seed_assistant.retriever.search("Who is expected to participate from the State Department?").passages
    assert any("bm25" in p.ranks for p in passages) and any("dense" in p.ranks for p in passages)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_it_works_as_a_langchain_retriever_in_a_chain(seed_assistant) -> None:
    """Python users can plug the retriever into their own LangChain chain and get the same passages."""
    from langchain_core.runnables import RunnableLambda

    seed_assistant.ensure_index()
    retriever = seed_assistant.retriever.as_langchain()
    chain = retriever | RunnableLambda(lambda docs: [d.metadata["source"] for d in docs])
    expected = [p.chunk.source for p in seed_assistant.retriever.search("Rustem Umerov").passages]
    assert chain.invoke("Rustem Umerov") == expected
    documents = retriever.invoke("Rustem Umerov")
    assert "Umerov" in documents[0].page_content
    assert {"source", "start", "end", "title", "score"} <= documents[0].metadata.keys()


def test_coverage_is_low_for_words_the_sources_never_use(seed_assistant) -> None:
    seed_assistant.ensure_index()
    assert seed_assistant.retriever.search("Kirill Dmitriev delegation").coverage > 0.9
    assert seed_assistant.retriever.search("volcano eruption Iceland tourism").coverage < 0.2


def test_a_chunk_that_opens_with_a_quotation_keeps_its_first_sentence() -> None:
    """A paragraph that starts with a quote mark is whole; only a chunk cut mid-sentence drops its first words."""
    from assistant.answering.rank import prose_sentences
    from assistant.answering.retrieve import Passage
    from assistant.library.chunk import Chunk

    quoted = ("\u201cAttaching Jake and Jessica is part of our development philosophy,\u201d said Matt Phelps, vice "
              "president of Ubisoft Motion Pictures, in a statement.\n\nIt sold $330 million worth of games.\n")
    cut = "of our development philosophy, said Matt Phelps. It sold $330 million worth of games.\n"
    first = [s.text for s in prose_sentences(Passage(Chunk("a", "a.txt", 635, 635 + len(quoted), quoted), {}))]
    second = [s.text for s in prose_sentences(Passage(Chunk("b", "b.txt", 635, 635 + len(cut), cut), {}))]
    assert first[0].startswith("\u201cAttaching") and len(first) == 2
    assert second == ["It sold $330 million worth of games."]


@pytest.mark.parametrize(("question", "kept"), [
    ("What kind of imbalance does the analysis say the talks have?", {"imbal", "talk"}),
    ("What phase has the war entered, according to the analysis?", {"phase", "war", "enter"}),
    ("What did the piece say about the port strike?", {"port", "strike"}),
    ("Why was the woman in the story first put in prison?", {"woman", "prison"}),
    ("What did the blood analysis of the samples show?", {"blood", "analysi", "sampl", "show"}),
])
def test_words_that_name_the_source_itself_are_not_searched_for(question: str, kept: set[str]) -> None:
    """'according to the analysis' is about the article, not in it; 'the blood analysis' is what is asked about."""
    searched = set(question_terms(question))
    assert kept <= searched and not ({"analysi", "piec", "stori"} - kept) & searched
