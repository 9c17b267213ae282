"""The HTTP API over real HTTP: a uvicorn server on loopback, the official openai client, LangChain's ChatOpenAI."""

from __future__ import annotations

import logging
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from assistant import CANNOT_ANSWER, Settings
from assistant.frontends.api import create_app

KEY = "sk-test-9f3a-not-a-real-key"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(settings: Settings) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(create_app(settings, with_ui=False), host="127.0.0.1",
                                           port=_free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started:
        assert time.time() < deadline, "the API server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[str]:
    import shutil

    docs = tmp_path_factory.mktemp("api-docs")
    for article in (Path(__file__).resolve().parents[2] / "seeds").iterdir():
        shutil.copy(article, docs / article.name)
    settings = Settings(docs=docs, index=tmp_path_factory.mktemp("api-index"), generator="extractive")
    yield from _run(settings)


@pytest.fixture(scope="module")
def keyed_api(tmp_path_factory) -> Iterator[str]:
    settings = Settings(docs=Path(__file__).resolve().parents[2] / "seeds", generator="extractive",
                        index=tmp_path_factory.mktemp("keyed-index"), api_keys=f"other-key, {KEY}")
    yield from _run(settings)


def _client(base: str, key: str = "unused"):
    from openai import OpenAI

    return OpenAI(base_url=f"{base}/v1", api_key=key, max_retries=0)


def test_the_openai_client_gets_a_cited_answer_in_openais_own_shape(api: str) -> None:
    reply = _client(api).chat.completions.create(
        model="extractive", messages=[{"role": "user", "content": "Who will lead the Russian delegation?"}])
    message = reply.choices[0].message
    assert message.content.startswith("Kirill Dmitriev") and message.annotations
    citation = message.annotations[0]
    assert citation.type == "url_citation"
    cited = message.content[citation.url_citation.start_index:citation.url_citation.end_index]
    assert "Kirill Dmitriev" in cited and cited.endswith("[1]")
    quoted = httpx.get(citation.url_citation.url).json()  # the URL returns the quoted span of the article
    assert quoted["text"] in message.content and "Kirill Dmitriev" in quoted["text"]
    assert reply.model_extra["citations"][0]["source"] in {"000_f3ed65131ccd6e47.txt", "003_001337cf8562453b.txt"}


def test_a_streamed_answer_is_the_same_text_with_its_citations_at_the_end(api: str) -> None:
    question = [{"role": "user", "content": "Who leads the Russian delegation?"}]
    whole = _client(api).chat.completions.create(model="extractive", messages=question)
    chunks = list(_client(api).chat.completions.create(model="extractive", messages=question, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content and "Dmitriev" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.choices[0].delta.model_extra["annotations"][0]["type"] == "url_citation"


def test_a_refusal_is_an_ordinary_message_without_annotations(api: str) -> None:
    reply = _client(api).chat.completions.create(
        model="extractive", messages=[{"role": "user", "content": "Which football team won the championship?"}])
    assert reply.choices[0].message.content == CANNOT_ANSWER and not reply.choices[0].message.annotations
    assert reply.model_extra["answered"] is False


def test_the_conversation_comes_from_the_messages(api: str) -> None:
    reply = _client(api).chat.completions.create(model="extractive", messages=[
        {"role": "user", "content": "Who is Ukraine's chief negotiator?"},
        {"role": "assistant", "content": "Rustem Umerov [1]"},
        {"role": "user", "content": "Who did he say had been briefed?"}])
    assert "Zelenskiy" in reply.choices[0].message.content


def test_langchain_chat_openai_works_against_it(api: str) -> None:
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(base_url=f"{api}/v1", api_key="unused", model="extractive", max_retries=0)
    assert "Dmitriev" in model.invoke("Who leads the Russian delegation?").content


def test_ask_sources_documents_health_and_schema(api: str, tmp_path: Path) -> None:
    answer = httpx.post(f"{api}/v1/ask", json={"question": "Who may also participate?"}).json()
    assert answer["answered"] and "Rubio" in answer["text"] and answer["citations"]
    later = httpx.post(f"{api}/v1/ask", json={"question": "Who may also participate?", "since": "2026-01-01"}).json()
    assert not later["answered"]
    assert later["notes"][0]["message"].startswith("No article is dated on or after 2026-01-01")
    citation = answer["citations"][0]
    whole = httpx.get(f"{api}/v1/sources/{citation['source']}").json()
    assert whole["text"][citation["start"]:citation["end"]] == citation["quote"] and whole["title"]
    assert httpx.get(f"{api}/v1/sources/{citation['source']}?start=5&end=1").status_code == 400
    assert httpx.get(f"{api}/v1/sources/..%2F..%2Fetc%2Fpasswd").status_code == 400  # outside the folder
    health = httpx.get(f"{api}/healthz").json()
    assert health["status"] == "ok" and health["articles"] == 2
    upload = tmp_path / "ferry.txt"
    upload.write_text("Ferry News\n\nThe island ferry resumed service on Tuesday after a two-week strike.")
    added = httpx.post(f"{api}/v1/documents", files=[("files", ("ferry.txt", upload.read_bytes()))]).json()
    assert "ferry.txt" in added["documents"] and added["summary"].startswith("1 added")
    assert "island ferry" in httpx.post(f"{api}/v1/ask", json={"question": "When did the ferry resume?"}).text
    assert httpx.delete(f"{api}/v1/documents/ferry.txt").json() == {"removed": "ferry.txt"}
    assert "ferry.txt" not in {d["source"] for d in httpx.get(f"{api}/v1/documents").json()["documents"]}
    schema = httpx.get(f"{api}/openapi.json").json()
    assert {"/v1/chat/completions", "/v1/ask", "/v1/documents", "/healthz"} <= schema["paths"].keys()


@pytest.mark.parametrize(("request_body", "status"), [
    ({"messages": []}, 422),
    ({"messages": [{"role": "user", "content": "x" * 1_100_000}]}, 413),
    ({"messages": [{"role": "assistant", "content": "hi"}]}, 400),
    ({"messages": [{"role": "user", "content": "   "}]}, 400),
])
def test_bad_requests_get_a_json_error_never_a_traceback(api: str, request_body: dict, status: int) -> None:
    response = httpx.post(f"{api}/v1/chat/completions", json=request_body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == status and error["message"] and "Traceback" not in response.text


def test_with_keys_set_every_v1_call_needs_one_and_none_is_logged(keyed_api: str, caplog) -> None:
    from openai import AuthenticationError

    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthenticationError):
        _client(keyed_api, "wrong").chat.completions.create(model="extractive",
                                                            messages=[{"role": "user", "content": "Who?"}])
    assert httpx.get(f"{keyed_api}/v1/documents").status_code == 401
    reply = _client(keyed_api, KEY).chat.completions.create(
        model="extractive", messages=[{"role": "user", "content": "Who leads the Russian delegation?"}])
    assert "Dmitriev" in reply.choices[0].message.content
    assert KEY not in caplog.text


@pytest.mark.parametrize(("method", "path", "body", "status", "says"), [
    ("POST", "/v1/ask", {"question": "What happened last week?", "as_of": "0001-01-01"}, 400, "as_of must lie"),
    ("POST", "/v1/ask", {"question": "Who?", "since": "2025-12-31", "until": "2025-01-01"}, 400, "is after until"),
    ("GET", "/v1/sources/000_f3ed65131ccd6e47.txt%00.png", None, 400, "NUL"),
    ("DELETE", "/v1/documents/%2Fetc%2Fpasswd", None, 400, "absolute path"),
    ("POST", "/v1/ask", {"question": "Who leads the delegation?", "generator": "openai"}, 400, "not available"),
])
def test_odd_inputs_get_a_4xx_with_a_message(api: str, method: str, path: str, body: dict | None, status: int,
                                             says: str) -> None:
    response = httpx.request(method, f"{api}{path}", json=body)
    assert response.status_code == status, response.text
    assert says in response.json()["error"]["message"]


@pytest.mark.parametrize("name", ["..", ".", "x" * 300 + ".txt", ""])
def test_unusable_upload_names_are_refused_with_a_message(api: str, name: str) -> None:
    response = httpx.post(f"{api}/v1/documents", files=[("files", (name, b"Title\n\nSome text here."))])
    assert response.status_code in (400, 422), response.text
    assert "file name" in response.json()["error"]["message"] or response.status_code == 422


def test_a_path_is_normalised_once_for_every_route(tmp_path_factory) -> None:
    """Seen: DELETE of 'x/../FILE' or './FILE' moved the file to the trash but left it in the index (still cited);
    deleting a link moved the file it pointed to."""
    docs = tmp_path_factory.mktemp("paths-docs")
    for article in (Path(__file__).resolve().parents[2] / "seeds").iterdir():
        shutil.copy(article, docs / article.name)
    (docs / "ferry.txt").write_text("Ferry News\n\nThe island ferry resumed service on Tuesday.", encoding="utf-8")
    (docs / "pier.txt").write_text("Pier News\n\nThe old pier reopened on Friday after repairs.", encoding="utf-8")
    (docs / "pier-link.txt").symlink_to(docs / "pier.txt")
    settings = Settings(docs=docs, index=tmp_path_factory.mktemp("paths-index"), generator="extractive")
    for base in _run(settings):
        cited = {c["source"] for c in httpx.post(f"{base}/v1/ask", json={"question": "When did the ferry resume?"})
                 .json()["citations"]}
        assert "ferry.txt" in cited
        assert httpx.delete(f"{base}/v1/documents/x%2F..%2Fferry.txt").json() == {"removed": "ferry.txt"}
        after = httpx.post(f"{base}/v1/ask", json={"question": "When did the ferry resume?"}).json()
        assert "ferry.txt" not in {c["source"] for c in after["citations"]}
        assert httpx.delete(f"{base}/v1/documents/.%2Fferry.txt").status_code == 404
        assert httpx.delete(f"{base}/v1/documents/pier-link.txt").json() == {"removed": "pier-link.txt"}
        assert (docs / "pier.txt").is_file() and not (docs / "pier-link.txt").exists()
        assert httpx.get(f"{base}/v1/sources/.%2Fpier.txt").json()["source"] == "pier.txt"




def test_a_draft_is_checked_over_http_one_entry_per_sentence(api: str) -> None:
    text = "Kirill Dmitriev will lead the Russian delegation. The talks ended with a signed peace treaty."
    checked = httpx.post(f"{api}/v1/check", json={"text": text}, timeout=120).json()
    sentences = checked["sentences"]
    assert [s["verdict"] for s in sentences] == ["supported", "not_found"]
    assert [text[s["start"]:s["end"]] for s in sentences] == [s["text"] for s in sentences]
    assert sentences[0]["citations"] and {"source", "start", "end", "quote"} <= sentences[0]["citations"][0].keys()
    empty = httpx.post(f"{api}/v1/check", json={"text": "  "}, timeout=30)
    assert empty.status_code == 400 and "draft" in empty.json()["error"]["message"].lower()


def test_who_said_what_over_http(api: str, tmp_path_factory) -> None:
    none = httpx.post(f"{api}/v1/quotes", json={"speaker": "Oskar Lind"}, timeout=120).json()
    assert none == {"speaker": "Oskar Lind", "articles": 0, "statements": [], "notes": ["No article names Oskar Lind."]}
    empty = httpx.post(f"{api}/v1/quotes", json={"speaker": " "}, timeout=30)
    assert empty.status_code == 400 and "Name the person" in empty.json()["error"]["message"]
    backwards = httpx.post(f"{api}/v1/quotes", json={"speaker": "Witkoff", "since": "2025-12-20",
                                                      "until": "2025-12-01"}, timeout=30)
    assert backwards.status_code == 400


def test_timeline_and_digest_over_http(api: str) -> None:
    story = httpx.post(f"{api}/v1/timeline", json={"topic": "the Florida talks"}, timeout=120).json()
    days = [line["date"] for line in story["lines"]]
    assert days and days == sorted(days) and all(line["citations"] for line in story["lines"])
    week = httpx.post(f"{api}/v1/digest", json={"since": "2025-12-14", "until": "2025-12-20"}, timeout=120).json()
    assert len(week["stories"]) == 1 and week["stories"][0]["citations"][0]["date"] == "2025-12-20"
    backwards = httpx.post(f"{api}/v1/digest", json={"since": "2025-12-20", "until": "2025-12-01"}, timeout=30)
    assert backwards.status_code == 400
