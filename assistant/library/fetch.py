"""Adding articles from the web: a page fetched politely (http or https only, a user agent that says what this is,
a timeout, a size limit, a few redirects), its article extracted (trafilatura: text, title, author, site; the date
from the page's metadata or URL, htmldate), and saved in the documents folder as a text file that states its title,
URL, publisher, author and date above the text — so every citation of it names where it came from.

A URL already fetched, or a page whose text is already in the library, is not added again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

from .dates import html_date
from .index import Store
from .intake import write_article

USER_AGENT = "news-assistant/0.1 (a reader's research assistant; fetches a page when its user adds it)"
MAX_REDIRECTS = 5


class FetchError(Exception):
    """A page that could not be added; the message says which and why."""


@dataclass(frozen=True)
class Fetched:
    url: str  # where the page was found, after redirects
    title: str
    text: str
    publisher: str = ""
    author: str = ""
    date: str = ""  # YYYY-MM-DD from the page's metadata or URL, or ""

    def as_file(self) -> str:
        """The article as the loader reads it back: a title line, header lines, a blank line, the text."""
        header = [self.title or "(untitled)", f"Publisher: {self.publisher}" if self.publisher else "",
                  f"URL: {self.url}", f"Author: {self.author}" if self.author else "",
                  f"Date: {self.date}" if self.date else ""]
        return "\n".join(line for line in header if line) + "\n\n" + self.text.strip() + "\n"

    def file_name(self) -> str:
        words = re.findall(r"[A-Za-z0-9]+", self.title or urlparse(self.url).path)[:10]
        return ("-".join(words).lower()[:80] or "article") + ".txt"


def get(url: str, max_bytes: int, timeout: float) -> tuple[bytes, str, str]:
    """(body, final URL, content type) of an http(s) URL; FetchError for anything else, too big or failing."""
    import httpx

    if urlparse(url).scheme not in ("http", "https") or not urlparse(url).hostname:
        raise FetchError(f"{url}: only http and https addresses can be added")
    try:
        with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout,
                          headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,*/*;q=0.5"}
                          ) as client, client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchError(f"{url}: the server answered {response.status_code} {response.reason_phrase}")
            body = bytearray()
            for part in response.iter_bytes():
                body += part
                if len(body) > max_bytes:
                    raise FetchError(f"{url}: larger than {max_bytes / 1e6:g} MB (ASSISTANT_MAX_FILE_MB); not added")
            return bytes(body), str(response.url), response.headers.get("content-type", "")
    except httpx.HTTPError as error:
        raise FetchError(f"{url}: could not be fetched ({type(error).__name__}: {error})") from error


def extract(markup: bytes, url: str) -> Fetched:
    """The article of a fetched page; FetchError when there is none to read."""
    import trafilatura

    text = markup.decode("utf-8", "replace")
    found = trafilatura.bare_extraction(text, url=url, with_metadata=True, include_comments=False,
                                        favor_precision=True, include_tables=True, deduplicate=False,
                                        date_extraction_params={"extensive_search": False, "original_date": True})
    body = (getattr(found, "text", "") or "").strip()
    if not body:
        raise FetchError(f"{url}: no article text found on the page")
    return Fetched(url=url, title=(getattr(found, "title", "") or "").strip(), text=body,
                   publisher=(getattr(found, "sitename", "") or urlparse(url).hostname or "").strip(),
                   author=(getattr(found, "author", "") or "").strip(), date=html_date(text, url))


def add_url(store: Store, url: str) -> str:
    """Fetch the page and save its article in the folder (not indexed yet: the caller ingests, once for many);
    the source it was saved as. FetchError says why it was not added (already there included)."""
    settings = store.settings
    if held := store.catalog.fetched(url):
        raise FetchError(f"{url}: already in the library as {held}")
    body, final, kind = get(url, int(settings.max_file_mb * 1_000_000), settings.fetch_timeout)
    if "html" not in kind and "xml" not in kind and not body.lstrip()[:1] == b"<":
        raise FetchError(f"{url}: not a web page ({kind or 'no content type'})")
    page = extract(body, final)
    if held := store.catalog.fetched(final):
        raise FetchError(f"{url}: already in the library as {held}")
    target = write_article(store.docs, page.file_name(), partial(_write, page.as_file()))
    source = target.relative_to(store.docs).as_posix()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for address in dict.fromkeys([url, final]):
        store.catalog.record_fetched(address, source, now)
    return source


def _write(text: str, path: Path) -> None:
    path.write_text(text, encoding="utf-8")
