"""Pages and feeds from the web, served here by a local HTTP server on 127.0.0.1 (nothing reaches the internet)."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.library.feeds import poll
from assistant.library.fetch import FetchError, add_url
from assistant.library.load import load_document

ROOT = Path(__file__).resolve().parents[2]
PAGE = """<html><head><title>Ferry strike ends | Harbour Times</title>
<meta property="og:site_name" content="Harbour Times">
<meta property="article:published_time" content="2025-11-14T08:00:00Z">
<meta name="author" content="Mira Holt"></head>
<body><nav>Home | World | Sport</nav><article><h1>Ferry strike ends after nine days</h1>
<p>The island ferry crews returned to work on Friday after a nine-day strike over pay, the union said.</p>
<p>Union leader Mira Holt said the new contract raises wages by 6 percent over two years.</p>
<p>Service to the outer islands resumes on Saturday morning, the operator said.</p></article>
<footer>© Harbour Times</footer></body></html>"""
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Times</title>
<item><title>Ferry strike ends</title><link>{base}/news/2025/11/14/ferry-strike.html</link></item>
<item><title>Bridge opens</title><link>{base}/news/2025/11/15/bridge.html</link></item>
</channel></rss>"""
BRIDGE = PAGE.replace("Ferry strike ends after nine days", "New bridge opens to traffic").replace(
    "The island ferry crews returned to work on Friday after a nine-day strike over pay, the union said.",
    "The new harbour bridge opened to traffic on Saturday, two years after work began, the council said.")


@pytest.fixture(scope="module")
def site():
    served: dict[str, int] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served[self.path] = served.get(self.path, 0) + 1
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            pages = {"/news/2025/11/14/ferry-strike.html": ("text/html", PAGE),
                     "/news/2025/11/15/bridge.html": ("text/html", BRIDGE),
                     "/feed.xml": ("application/rss+xml", FEED.format(base=base)),
                     "/big.html": ("text/html", "<html><body>" + "<p>word</p>" * 400_000 + "</body></html>")}
            if self.path == "/moved":
                self.send_response(301)
                self.send_header("Location", "/news/2025/11/14/ferry-strike.html")
                self.end_headers()
                return
            if self.path not in pages:
                self.send_error(404)
                return
            kind, body = pages[self.path]
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", served
    server.shutdown()


def test_a_page_is_saved_with_its_url_and_date_and_cited_with_its_url(site, docs, make_settings) -> None:
    base, _ = site
    assistant = Assistant(make_settings(docs))
    assistant.ensure_index()
    source = add_url(assistant.store, f"{base}/moved")  # a redirect: the page's own address is kept
    assistant.ingest()
    saved = load_document(docs / source, docs)
    assert (saved.title, saved.publisher, saved.date) == ("Ferry strike ends after nine days", "Harbour Times",
                                                          "2025-11-14")
    assert saved.url == f"{base}/news/2025/11/14/ferry-strike.html" and "Home | World" not in saved.text
    answer = assistant.ask("By how much does the new ferry contract raise wages?")
    assert answer.citations[0].source == source and answer.citations[0].url == saved.url
    with pytest.raises(FetchError, match="already in the library"):
        add_url(assistant.store, f"{base}/news/2025/11/14/ferry-strike.html")


@pytest.mark.parametrize(("path", "says"), [("/missing.html", "404"), ("/big.html", "larger than")])
def test_pages_that_cannot_be_added_say_why(site, docs, make_settings, path: str, says: str) -> None:
    base, _ = site
    store = Assistant(make_settings(docs, max_file_mb=1)).store
    with pytest.raises(FetchError, match=says):
        add_url(store, f"{base}{path}")
    with pytest.raises(FetchError, match="only http and https"):
        add_url(store, "file:///etc/passwd")


def test_a_feeds_new_items_are_added_once(site, docs, make_settings) -> None:
    base, served = site
    assistant = Assistant(make_settings(docs))
    assistant.ensure_index()
    poll(assistant.store, [f"{base}/feed.xml"])
    poll(assistant.store, [f"{base}/feed.xml"])
    titles = {load_document(docs / s, docs).title for s in assistant.store.catalog.files()}
    assert {"Ferry strike ends after nine days", "New bridge opens to traffic"} <= titles
    assert served["/news/2025/11/15/bridge.html"] == 1  # not fetched again on the second poll
    assert "bridge" in assistant.ask("When did the new harbour bridge open?").text.lower()


def test_the_add_command_fetches_and_indexes(site, docs, tmp_path) -> None:
    import os

    base, _ = site
    env = {**os.environ, "ASSISTANT_DOCS": str(docs), "ASSISTANT_INDEX": str(tmp_path / "index"),
           "ASSISTANT_GENERATOR": "extractive"}
    done = subprocess.run([sys.executable, "-m", "assistant", "add", f"{base}/news/2025/11/15/bridge.html",
                           f"{base}/missing.html"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "added as new-bridge-opens-to-traffic.txt" in done.stdout, done.stderr
    assert "404" in done.stderr and "Traceback" not in done.stderr


def test_the_api_adds_a_page_from_its_url(site, docs, tmp_path) -> None:
    import socket
    import time

    import httpx
    import uvicorn

    from assistant import Settings
    from assistant.frontends.api import create_app

    base, _ = site
    app = create_app(Settings(docs=docs, index=tmp_path / "index", generator="extractive"), with_ui=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    try:
        added = httpx.post(f"http://127.0.0.1:{port}/v1/documents",
                           data={"url": f"{base}/news/2025/11/15/bridge.html"}, timeout=120).json()
        assert "new-bridge-opens-to-traffic.txt" in added["documents"], added
        answer = httpx.post(f"http://127.0.0.1:{port}/v1/ask", json={"question": "When did the bridge open?"}).json()
        assert answer["citations"][0]["url"] == f"{base}/news/2025/11/15/bridge.html"
    finally:
        server.should_exit = True
