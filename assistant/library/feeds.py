"""Feeds (RSS and Atom, feedparser): each listed in ASSISTANT_FEEDS is polled every ASSISTANT_FEED_MINUTES, and
each item not fetched before is fetched (fetch.py) and added once; the new articles are indexed together.
"""

from __future__ import annotations

import logging
import threading

from .fetch import FetchError, add_url, get
from .index import Store

log = logging.getLogger(__name__)

FEED_BYTES = 5_000_000  # a feed larger than this is not read


def feed_links(feed_url: str, timeout: float) -> list[str]:
    """The item links of a feed, newest first as the feed lists them; FetchError when it cannot be read."""
    import feedparser

    body, final, _ = get(feed_url, FEED_BYTES, timeout)
    parsed = feedparser.parse(body)
    if parsed.bozo and not parsed.entries:
        raise FetchError(f"{feed_url}: not a feed ({type(parsed.bozo_exception).__name__})")
    return [str(entry.link) for entry in parsed.entries if entry.get("link")]


def poll(store: Store, feeds: list[str]) -> list[str]:
    """One round: every new item of every feed added, then one ingest; messages, one per problem or addition."""
    messages, added = [], []
    for feed in feeds:
        try:
            links = feed_links(feed, store.settings.fetch_timeout)
        except FetchError as error:
            messages.append(str(error))
            continue
        for link in links:
            if store.catalog.fetched(link):
                continue
            try:
                added.append(add_url(store, link))
            except FetchError as error:
                messages.append(str(error))
    if added:
        report = store.ingest()
        messages.append(f"feeds: added {', '.join(added)} ({report.summary()})")
    return messages


class FeedPoller:
    """Polls the feeds in a thread of its own until stopped."""

    def __init__(self, store: Store, feeds: list[str], minutes: float) -> None:
        self.store, self.feeds, self.seconds = store, feeds, minutes * 60
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, name="feed-poller", daemon=True)

    def start(self) -> FeedPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                for message in poll(self.store, self.feeds):
                    log.warning("%s", message)
            except Exception as error:  # a bad round is reported; the next one comes
                log.error("polling feeds failed (%s: %s)", type(error).__name__, error)
            self._stop.wait(self.seconds)
