"""Articles enter the folder whole, under a name of their own, and never twice."""

from pathlib import Path

import pytest

from assistant.library.index import Store
from assistant.library.intake import PARTIAL_PREFIX, add_files, upload_name, write_article
from assistant.library.load import BadSource


def _article(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_the_same_article_uploaded_again_is_not_added_twice(docs, make_settings, tmp_path) -> None:
    """Seen: a retried upload (after the first was cut off) became a '-2' duplicate."""
    store = Store(make_settings(docs))
    store.ingest()
    text = "Ferry News\n\nThe island ferry resumed service on Tuesday after a two-week strike."
    first = add_files(store, [_article(tmp_path / "a", "ferry.txt", text)])
    again = add_files(store, [_article(tmp_path / "b", "ferry-copy.txt", text)])
    assert first[0].startswith("1 added")
    assert again[1] == "ferry-copy.txt: already in the library as ferry.txt; not added again"
    assert sorted(p.name for p in docs.iterdir() if "ferry" in p.name) == ["ferry.txt"]
    other = add_files(store, [_article(tmp_path / "c", "ferry.txt", text + " Crossings are hourly.")])
    assert "added as ferry-2.txt" in other[1]


def test_an_interrupted_write_leaves_no_article_behind(tmp_path) -> None:
    def fails_midway(partial: Path) -> None:
        partial.write_text("Half an arti", encoding="utf-8")
        raise KeyboardInterrupt  # as a SIGKILL would stop it, but catchable here

    with pytest.raises(KeyboardInterrupt):
        write_article(tmp_path, "story.txt", fails_midway)
    assert list(tmp_path.iterdir()) == []
    written = write_article(tmp_path, "story.txt", lambda p: p.write_text("Whole", encoding="utf-8"))
    assert written.read_text(encoding="utf-8") == "Whole" and written.name == "story.txt"


def test_leftovers_of_interrupted_uploads_are_cleaned_at_start(docs, make_settings) -> None:
    settings = make_settings(docs)
    Store(settings)
    (docs / f"{PARTIAL_PREFIX}abc.part").write_text("half", encoding="utf-8")
    staged = settings.index / "uploads" / "tmp123"
    staged.mkdir(parents=True)
    (staged / "big.txt").write_text("staged body", encoding="utf-8")
    Store(settings)
    assert not (docs / f"{PARTIAL_PREFIX}abc.part").exists() and not (settings.index / "uploads").exists()


@pytest.mark.parametrize("name", ["..", ".", "", "x" * 300 + ".txt", "a\x00b.txt"])
def test_unusable_upload_names_are_refused(name: str) -> None:
    with pytest.raises(BadSource, match="not a usable file name"):
        upload_name(name)


def test_upload_names_are_made_safe() -> None:
    assert upload_name("../../etc/passwd.txt") == "passwd.txt" and upload_name("a<b>.txt") == "a_b_.txt"
