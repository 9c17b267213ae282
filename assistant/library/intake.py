"""How articles enter the documents folder (uploads from the UI and the API, pages fetched from the web): under a
safe name that never overwrites another, written whole or not at all (a temporary file renamed into place), and
never twice (the same text already in the library is recognised, whatever its name).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from .index import Progress, Store, unused_name
from .load import SUPPORTED_SUFFIXES, BadSource, Document, LoadError, check_size, load_within

PARTIAL_PREFIX = ".upload-"  # temporary files in the documents folder (hidden: never indexed), renamed when whole
STAGING = "uploads"  # inside the index folder: request bodies written before they are checked
MAX_NAME_CHARS = 200


def upload_name(given: str | None) -> str:
    """The file name an upload asks for, made safe; BadSource for a name that cannot be one ('..', '.', '', or
    longer than MAX_NAME_CHARS)."""
    name = (given or "").replace("\\", "/").rsplit("/", 1)[-1]
    if "\x00" in name or not name.strip(" .") or len(name) > MAX_NAME_CHARS:
        raise BadSource(f"{given!r} is not a usable file name (a name such as report.txt, at most "
                        f"{MAX_NAME_CHARS} characters)")
    return safe_name(name)


def safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.\- ]+", "_", Path(name).name).strip(" .")
    return cleaned or "upload.txt"


def write_article(folder: Path, name: str, write: Callable[[Path], None]) -> Path:
    """A new file in the folder, named `name` (or name-2 … when taken), its content written by `write` to a hidden
    temporary file first and renamed into place: an interrupted write leaves no half article behind."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=".part", dir=folder)
    os.close(handle)
    try:
        write(Path(temporary))
        target = unused_name(folder, name)
        os.replace(temporary, target)
        return target
    finally:
        Path(temporary).unlink(missing_ok=True)


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)


def staging_folder(store: Store) -> Path:
    folder = store.settings.index / STAGING
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=folder))


def clean_leftovers(store: Store) -> None:
    """Files an interrupted upload left behind (staged bodies, half-written articles), removed at start."""
    shutil.rmtree(store.settings.index / STAGING, ignore_errors=True)
    if store.docs.is_dir():
        for partial in store.docs.rglob(f"{PARTIAL_PREFIX}*.part"):
            partial.unlink(missing_ok=True)


def add_files(store: Store, paths: list[Path], progress: Progress | None = None) -> list[str]:
    """Copy articles into the documents folder and index them: a summary line, then one line per file not added,
    added under another name, or already in the library."""
    messages: list[str] = []
    copied: dict[str, Path] = {}
    settings = store.settings
    for path in paths:
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            messages.append(f"{path.name}: not a supported type (use {', '.join(SUPPORTED_SUFFIXES)})")
            continue
        try:
            check_size(path, int(settings.max_file_mb * 1_000_000), path.name)
            document: Document = load_within(path, path.parent, settings.load_timeout)
        except LoadError as error:
            messages.append(f"{path.name}: {str(error).split(': ', 1)[-1]}")
            continue
        if held := store.catalog.source_with_content(document.content_hash):
            messages.append(f"{path.name}: already in the library as {held}; not added again")
            continue
        wanted = safe_name(path.name)
        target = write_article(store.docs, wanted, partial(_copy, path))
        if target.name != wanted:
            messages.append(f"{path.name}: a file of that name is already in the library; added as {target.name}")
        copied[target.relative_to(store.docs).as_posix()] = target
    report = store.ingest(progress)
    for problem in report.skipped:
        source = problem.split(": ", 1)[0]
        if source in copied:  # an upload that could not be indexed is not left behind to fail again
            copied[source].unlink(missing_ok=True)
            messages.append(f"not added: {problem}")
    return [report.summary(), *messages]
