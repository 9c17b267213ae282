"""Publication dates, taken only from where publishers put them: a `Date:` / `Published:` header line or a line
that is nothing but a date at the top, a dateline opening the article ("WASHINGTON, Dec. 20, 2025 —"), the
page's metadata (htmldate), a dated URL, or a dated file path. Never from a date in the body: an obituary
gives a birth date, a report on an annual contest the year it was first held.

Every date is returned with where it came from, so an undated article can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from dateutil import parser as date_parser

from ..figures import MONTHS

HEADER_DATE_KEYS = ("date", "published", "publication date", "published on", "posted", "posted on", "pubdate")
HEADER_SCAN = 8  # lines after the title that may hold header lines or a dateline

_MONTH = rf"(?:{'|'.join(m[:3].title() for m in MONTHS)}|Sept)[a-z]*\.?"
_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?"
_TIME = r"(?:\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?(?:\s*[A-Z]{2,4})?,?)"
# A full date written out: 2025-12-20, 12/20/2025, Dec. 20, 2025, 20 December 2025.
FULL_DATE = (rf"(?:\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?\S*)?|\d{{1,2}}/\d{{1,2}}/\d{{4}}"
             rf"|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}})")
# A line that is only a date, maybe with a label, weekday and time: 'Published 10:32 AM EST, Fri January 6, 2023'.
_DATE_ONLY_LINE = re.compile(
    rf"^(?:(?:published|posted)(?:\s+on)?:?\s+)?(?:{_TIME}\s*)?(?:{_WEEKDAY}\s*)?({FULL_DATE})"
    rf"(?:\s*(?:at\s+)?{_TIME})?\s*$", re.I)
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z ]{0,24}?)\s*:\s*(\S.*?)\s*$")
# 'WASHINGTON, Dec 20 —', 'LONDON (Reuters) Dec. 20, 2025 -': a place in capitals, a date, a dash.
_DATELINE = re.compile(
    rf"^\s*([A-Z][A-Z.'\- ]{{2,40}}(?:,\s*[A-Z][A-Za-z.]+)?)\s*(?:\(([^)]+)\))?,?\s*"
    rf"(({_MONTH})\s+(\d{{1,2}})(?:,?\s+(\d{{4}}))?)?\s*[—–-]")


@dataclass(frozen=True)
class Dated:
    date: str  # YYYY-MM-DD, or "" when the article states no publication date
    found_in: str  # "header", "dateline", "page metadata", "url", "file path", or ""


UNDATED = Dated("", "")


def normalise_date(value: str) -> str:
    """YYYY-MM-DD, or '' for text that is no date of news (unparseable, or a year outside 1900-2100)."""
    try:
        parsed: datetime = date_parser.parse(value, fuzzy=False)
    except (ValueError, OverflowError):
        return ""
    return parsed.date().isoformat() if 1900 <= parsed.year <= 2100 else ""


def date_in_header(lines: list[str]) -> str:
    """The date of a `Date:`/`Published:` line, or of a line that is only a date, in the header block: the lines
    after the title up to the first line of body text."""
    for line in lines:
        header = _HEADER_LINE.match(line)
        if header and "://" not in line and header.group(1).strip().lower() in HEADER_DATE_KEYS:
            if found := _full_date(header.group(2)):
                return found
        elif (only := _DATE_ONLY_LINE.match(line)) and (found := normalise_date(only.group(1))):
            return found
        elif not header and _is_body(line):
            return ""
    return ""


def _is_body(line: str) -> bool:
    """A line of running text rather than a header, byline or date line: a sentence, or long."""
    return len(line) > 80 or len(line.split()) >= 8 or line.rstrip("\"”’')").endswith((".", "?", "!"))


def header_block_end(text: str) -> int:
    """Where the header block under the title ends: the `Key: value` and date-only lines that follow it (0 when
    there are none)."""
    end = 0
    lines = iter(_lines_with_offsets(text[:20_000]))
    next(lines, None)  # the title
    for start, line in lines:
        if not line.strip():
            continue
        if not (_HEADER_LINE.match(line.strip()) or _DATE_ONLY_LINE.match(line.strip())):
            break
        end = start + len(line.rstrip())
    return end


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.strip() or found:
            found.append((offset, line))
        offset += len(line)
    return found


def _full_date(value: str) -> str:
    match = re.search(FULL_DATE, value, re.I)
    return normalise_date(match.group(0)) if match else ""


def dateline(line: str) -> tuple[str, str]:
    """(place, date) of a dateline opening an article: the date only when the dateline gives its year."""
    match = _DATELINE.match(line)
    if not match:
        return "", ""
    place = match.group(1).strip().title()
    if match.group(6):
        return place, normalise_date(f"{match.group(4)} {match.group(5)} {match.group(6)}")
    return place, ""


def date_in_path(path: str) -> str:
    """News sites put the publication date in the path: …/2022/06/17/… or …/2022-06-17-… → 2022-06-17
    (htmldate's URL rule; dates after today are no publication dates)."""
    from htmldate.extractors import extract_url_date  # htmldate loads lxml: imported when first needed
    from htmldate.utils import Extractor
    from htmldate.validators import get_max_date, get_min_date

    options = Extractor(False, get_max_date(None), get_min_date(None), True, "%Y-%m-%d")
    return extract_url_date("/" + path, options) or ""


def html_date(markup: object, url: str | None = None) -> str:
    """The page's own publication date (htmldate: meta tags, JSON-LD, time elements, the URL), never a
    date found by searching its text."""
    import htmldate

    found = htmldate.find_date(markup, extensive_search=False, original_date=True, url=url or None)
    return normalise_date(found) if found else ""


def publication_date(head: list[str], url: str = "", source: str = "", page_date: str = "") -> Dated:
    """The first of: the page's metadata, a header line or date line at the top, a dateline with its year, the
    article's URL, its file path. `head` is the article's first lines after the title."""
    if page_date:
        return Dated(page_date, "page metadata")
    if found := date_in_header(head):
        return Dated(found, "header")
    for line in head[:3]:
        if (found := dateline(line)[1]):
            return Dated(found, "dateline")
    if url and (found := date_in_path(url)):
        return Dated(found, "url")
    if source and (found := date_in_path(source)):
        return Dated(found, "file path")
    return UNDATED
