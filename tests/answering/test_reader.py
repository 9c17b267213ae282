"""The reader's view of a phrase: what it knows of how common the phrase's words are in the library."""

from pathlib import Path

from assistant import Assistant
from assistant.answering.reader import rarity


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
