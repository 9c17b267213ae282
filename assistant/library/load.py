"""Load articles (.txt, .md, .html, .pdf) into text plus the metadata the article states."""

from __future__ import annotations

import hashlib
import logging
import os
import posixpath
import re
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from . import prose
from .dates import HEADER_SCAN, dateline, html_date, publication_date

if TYPE_CHECKING:
    from lxml.html import HtmlElement

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
# Goes up whenever what the loader reads from an article changes (dates, titles…): files indexed before get new
# metadata at the next ingest, without being embedded again.
METADATA_VERSION = "m4"
HEAD_LINES = 12  # how far into an article to look for its header lines, date and dateline
HEAD_CHARS = 20_000  # the top of an article, where its title, header lines and dateline are
SOURCE_TAIL = 3000  # characters at the end of an article that may hold a '(Source: …)' line

_SOURCE_LINE = re.compile(r"\(\s*Source\s*:\s*([^)]+?)\s*\)|^\s*Source\s*:\s*(.+?)\s*$", re.I | re.M)


class LoadError(Exception):
    """A file that cannot be read as an article; the message names the file and why."""


@dataclass
class Document:
    source: str  # path relative to the documents folder, with forward slashes
    text: str  # the text every citation offset points into
    title: str = ""
    publisher: str = ""
    date: str = ""  # YYYY-MM-DD as the publisher states it (dates.py), or "" for an undated article
    date_source: str = ""  # where the date was found: header, dateline, page metadata, url, file path
    dateline: str = ""
    url: str = ""
    author: str = ""
    content_hash: str = field(default="")
    not_prose: str = ""  # spans that are no sentences of the article (header lines, captions…), as prose.encode

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        if not self.not_prose:
            self.not_prose = prose.encode(prose.non_prose(self.text))

    @property
    def metadata(self) -> dict[str, str]:
        return {
            "source": self.source, "title": self.title, "publisher": self.publisher,
            "date": self.date, "date_source": self.date_source, "dateline": self.dateline, "url": self.url,
            "author": self.author,
            "content_hash": self.content_hash, "not_prose": self.not_prose,
        }


class BadSource(ValueError):
    """A source path that names no article of the documents folder; the message says why."""


def normalise_source(given: str) -> str:
    """A source as the index names it: relative to the documents folder, forward slashes, no '.' or '..' parts
    ('./a.txt' and 'x/../a.txt' are 'a.txt'). Absolute paths, NUL bytes and paths leaving the folder are refused."""
    if not given or "\x00" in given:
        raise BadSource("a source path must be a file name in the documents folder, without NUL bytes")
    if given.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", given):
        raise BadSource(f"{given!r} is an absolute path; give the path relative to the documents folder")
    normal = posixpath.normpath(given.replace("\\", "/"))
    if normal in (".", "..") or normal.startswith("../"):
        raise BadSource(f"{given!r} is outside the documents folder")
    return normal


def article_path(folder: Path, given: str) -> tuple[str, Path]:
    """(source, path) of an article of the folder named by `given`; a link is the link itself, never the file it
    points to, and a link out of the folder is refused. FileNotFoundError when there is no such article."""
    source = normalise_source(given)
    path = folder / source
    if not path.parent.resolve().is_relative_to(folder.resolve()):
        raise BadSource(f"{given!r} is outside the documents folder")
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(folder.resolve()):
            raise BadSource(f"{given!r} links to a file outside the documents folder")
    if not path.is_file():
        raise FileNotFoundError(f"{source} is not in the library (it may have been removed)")
    return source, path


@dataclass(frozen=True)
class FoundFile:
    path: Path
    source: str  # the path inside the documents folder, with forward slashes
    size: int
    mtime_ns: int


def find_article_files(folder: Path) -> tuple[list[FoundFile], list[str]]:
    """Article files under folder (one stat each: a scan of 20,000 files takes a fraction of a second), and a
    message per link not followed: broken, looping, or pointing outside the folder (a link may point anywhere
    inside it). Linked folders are not entered."""
    root = folder.resolve()
    found: list[FoundFile] = []
    problems: list[str] = []
    for directory, folders, names in os.walk(folder):
        folders.sort()
        inside = os.path.relpath(directory, folder).replace(os.sep, "/")
        prefix = "" if inside == "." else inside + "/"
        for name in sorted(names):
            if file := _article_file(os.path.join(directory, name), prefix + name, root, problems):
                found.append(file)
    return found, problems


def find_these_files(folder: Path, sources: list[str]) -> tuple[list[FoundFile], list[str]]:
    """find_article_files for some files of the folder only (those a watcher saw change); the others of
    `sources` are not there (or not articles)."""
    root = folder.resolve()
    found: list[FoundFile] = []
    problems: list[str] = []
    for source in sorted(set(sources)):
        if file := _article_file(os.path.join(folder, source), source, root, problems):
            found.append(file)
    return found, problems


def _article_file(path: str, source: str, root: Path, problems: list[str]) -> FoundFile | None:
    name = os.path.basename(path)
    if name.startswith(".") or os.path.splitext(name)[1].lower() not in SUPPORTED_SUFFIXES:
        return None
    if os.path.islink(path) and (problem := _link_problem(Path(path), root)):
        problems.append(f"{source}: {problem}")
        return None
    try:
        status = os.stat(path)
    except OSError:  # not there (removed, or gone since the folder was listed)
        return None
    return FoundFile(Path(path), source, status.st_size, status.st_mtime_ns) if stat.S_ISREG(status.st_mode) else None


def _link_problem(path: Path, root: Path) -> str:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "a broken or looping link; skipped"
    return "" if target.is_relative_to(root) else "links to a file outside the documents folder; not followed"


def load_folder(folder: Path, max_bytes: int | None = None) -> tuple[list[Document], list[str]]:
    """Every readable article under folder, and one message per file that was skipped (the caller shows them)."""
    if not folder.is_dir():
        raise LoadError(f"{folder}: documents folder does not exist")
    found, problems = find_article_files(folder)
    documents = []
    for file in found:
        try:
            check_size(file.path, max_bytes, file.source)
            documents.append(load_document(file.path, folder))
        except LoadError as error:
            problems.append(str(error))
    return documents, problems


def check_size(path: Path, max_bytes: int | None, source: str) -> None:
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise LoadError(f"{source}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:g} MB limit "
                        "(ASSISTANT_MAX_FILE_MB); skipped")


def load_document(path: Path, root: Path | None = None) -> Document:
    source = path.relative_to(root).as_posix() if root else path.name
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LoadError(f"{source}: cannot read ({error.strerror or error})") from error
    if suffix == ".pdf":
        document = _load_pdf(raw, source)
    else:
        text = _decode_text(raw, source)
        document = _load_html(text, source) if suffix in (".html", ".htm") else _load_plain(text, source)
    if not document.text.strip():
        raise LoadError(f"{source}: no text in file")
    return document


def load_within(path: Path, root: Path, seconds: float) -> Document:
    """load_document, but an HTML or PDF file (read by parsing libraries) is read in a worker process and given
    up after `seconds`, so one hostile file cannot hold the ingest (sandbox.py)."""
    if path.suffix.lower() not in (".html", ".htm", ".pdf"):
        return load_document(path, root)
    from .sandbox import load_in_worker

    return load_in_worker(path, root, seconds)


def _decode_text(raw: bytes, source: str) -> str:
    if b"\x00" in raw[:4096]:
        raise LoadError(f"{source}: looks binary, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LoadError(f"{source}: not UTF-8 text (byte {error.start}); convert it to UTF-8") from error


def _load_plain(text: str, source: str) -> Document:
    return Document(source=source, text=text, **parse_text_metadata(text, source))


def _load_html(markup: str, source: str) -> Document:
    """The article's main text and metadata (trafilatura, made for news pages: navigation, ads, bylines and
    related links dropped, inline markup kept inline); a bare page trafilatura finds no article in is read whole.
    The date is the page's own (htmldate on its metadata and URL), never one found in its text. Every step is
    linear in the size of the page, however deeply its elements nest."""
    import trafilatura

    page = _parse_html(markup)
    meta = _html_meta(page)
    extracted = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False, favor_precision=True,
                                            include_tables=True, deduplicate=False,
                                            date_extraction_params={"extensive_search": False, "original_date": True})
    text = getattr(extracted, "text", "") or ""
    if not text.strip():
        text = _html_text(page)
    parsed = parse_text_metadata(text, source)
    heading = page.find(".//h1")
    parsed["title"] = (meta.get("title") or getattr(extracted, "title", None)
                       or (" ".join(heading.text_content().split()) if heading is not None else "") or parsed["title"])
    parsed["publisher"] = meta.get("publisher") or getattr(extracted, "sitename", None) or parsed["publisher"]
    parsed["url"] = getattr(extracted, "url", None) or parsed["url"]
    if page_date := html_date(page, parsed["url"]):
        parsed["date"], parsed["date_source"] = page_date, "page metadata"
    return Document(source=source, text=text, author=getattr(extracted, "author", None) or "", **parsed)


def _parse_html(markup: str) -> HtmlElement:
    from lxml import html

    parser = html.HTMLParser(remove_comments=True, encoding="utf-8")  # libxml2 keeps 256 levels of nesting
    try:
        return html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except (ValueError, etree.ParserError):  # nothing but whitespace or markup without elements
        return html.document_fromstring(b"<html><body></body></html>", parser=parser)


_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section",
           "header", "article", "table", "ul", "ol"}
_HIDDEN = {"script", "style", "noscript", "template", "nav", "footer", "aside", "form", "svg", "head"}


def _html_text(page: HtmlElement) -> str:
    """All visible text, a line per block element, inline elements kept inside their line (one pass)."""
    body = next((found for path in (".//article", ".//main", ".//body") if (found := page.find(path)) is not None),
                page)
    parts: list[str] = []
    walk = etree.iterwalk(body, events=("start", "end"))
    for event, element in walk:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _HIDDEN:
                walk.skip_subtree()
                continue
            parts.append("\n" if tag in _BLOCKS else "")
            parts.append(element.text or "")
        else:
            parts.append("\n" if tag in _BLOCKS and tag not in _HIDDEN else "")
            parts.append(element.tail or "" if element is not body else "")
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    return "\n".join(line for line in lines if line)


def _html_meta(page: HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    keys = {"og:title": "title", "og:site_name": "publisher", "publisher": "publisher"}
    for tag in page.iter("meta"):
        key = str(tag.get("property") or tag.get("name") or "").lower()
        if key in keys and tag.get("content") and keys[key] not in found:
            found[keys[key]] = str(tag.get("content")).strip()
    title = page.find(".//title")
    if "title" not in found and title is not None and (title.text or "").strip():
        found["title"] = (title.text or "").strip()
    return found


def _load_pdf(raw: bytes, source: str) -> Document:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(raw))
            pages = [page.extract_text() or "" for page in reader.pages]
            pdf_title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        raise LoadError(f"{source}: unreadable PDF ({error})") from error
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    parsed = parse_text_metadata(text, source)
    parsed["title"] = pdf_title.strip() or parsed["title"]
    return Document(source=source, text=text, **parsed)


def parse_text_metadata(text: str, source: str = "") -> dict[str, str]:
    """Title, publisher, date (and where it was found), dateline and URL as the article states them at its top
    (header lines such as `Publisher: …`, `URL: …`, `Date: …`), the date never from the body (dates.py)."""
    head = [line.strip() for line in text[:HEAD_CHARS].splitlines() if line.strip()][:HEAD_LINES]
    title = re.sub(r"^#+\s*", "", head[0])[:300] if head else ""
    url = _header_field(head, "URL")
    dated = publication_date(head[1:HEADER_SCAN + 1], url, source)
    return {
        "title": title,
        "publisher": _header_field(head, "Publisher") or _find_publisher(text),
        "date": dated.date,
        "date_source": dated.found_in,
        "dateline": next((place for line in head[1:4] if (place := dateline(line)[0]) and len(line) > 60), ""),
        "url": url,
    }


def _header_field(head: list[str], name: str) -> str:
    """The value of a `Name: value` line near the top of the article."""
    pattern = re.compile(rf"^{name}\s*:\s*(\S.*?)\s*$", re.I)
    return next((m.group(1) for line in head if (m := pattern.match(line))), "")


def _find_publisher(text: str) -> str:
    """A '(Source: …)' line (looked for in the article's last lines, where it is put), else an agency in the
    dateline: 'LONDON (Reuters) —'."""
    matches = list(_SOURCE_LINE.finditer(text[-SOURCE_TAIL:]))
    if matches:
        found = matches[-1]
        return (found.group(1) or found.group(2)).strip()
    agency = re.search(r"^[A-Z][A-Z .'-]{2,40}\s*\(([A-Z][A-Za-z &]{1,30})\)\s*[—–-]", text[:3000], re.M)
    return agency.group(1) if agency else ""
