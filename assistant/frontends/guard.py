"""What stands in front of every route of `assistant serve`: one set of credentials for all of them, body limits
that count bytes as they arrive, and wrong logins slowed per client without holding up anyone else.

- Credentials: when `ASSISTANT_API_KEYS` or `ASSISTANT_USERNAME`/`ASSISTANT_PASSWORD` are set, every route but
  `/healthz` needs one: a bearer key, or the user and password as HTTP Basic (the API, its schema and docs), or the
  web UI's login (which also takes a key as the password). Checked before a request body is read.
- Bodies: over the limit (1 MB for JSON, ten times ASSISTANT_MAX_FILE_MB for uploads) is a 413, whether the size
  is declared or the body arrives in chunks; reading stops there.
- Logins: after a wrong password, that client's next attempt waits (asynchronously) a little longer each time; the
  server goes on answering everyone else meanwhile.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from ..settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_JSON_BYTES = 1_000_000  # a chat request is text
OPEN_PATHS = {"/healthz"}
API_PREFIXES = ("/v1/", "/docs", "/redoc", "/openapi.json")
LOGIN_PATHS = {"/login", "/login/"}
LOGIN_DELAY = 1.0  # seconds before a client's next attempt after its first wrong one; grows with the failures
LOGIN_DELAY_MAX = 30.0
LOGIN_MEMORY = 900.0  # seconds after which a client's failures are forgotten


@dataclass
class Credentials:
    keys: list[str]
    username: str | None
    password: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Credentials:
        raw = settings.api_keys.get_secret_value() if settings.api_keys else ""
        return cls([k.strip() for k in raw.split(",") if k.strip()], settings.username, settings.password)

    @property
    def configured(self) -> bool:
        return bool(self.keys or self.login_configured)

    @property
    def login_configured(self) -> bool:
        return bool(self.username and self.password)

    def accepts_header(self, authorization: str) -> bool:
        """A bearer key, or the user and password as HTTP Basic."""
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            return self._known_key(value.strip())
        if scheme.lower() == "basic" and self.login_configured:
            try:
                user, _, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            return self.accepts_login(user, password)
        return False

    def accepts_login(self, username: str, password: str) -> bool:
        """The UI login: the user and password, or any name with a key as the password (constant time)."""
        matches = self.login_configured and hmac.compare_digest(username.encode(), str(self.username).encode()) & \
            hmac.compare_digest(password.encode(), str(self.password).encode())
        return bool(matches) or self._known_key(password)

    def _known_key(self, token: str) -> bool:
        return bool(token) and any(hmac.compare_digest(token.encode(), key.encode()) for key in self.keys)

    async def login(self, username: str, password: str) -> bool:
        """Gradio's login check (awaited, so the event loop is never held); the slowing down is the Guard's."""
        return self.accepts_login(username, password)


@dataclass
class LoginThrottle:
    """Per client: wrong logins make that client's next attempt wait, up to LOGIN_DELAY_MAX."""
    delay: float = LOGIN_DELAY
    failures: dict[str, tuple[int, float]] = field(default_factory=dict)  # client → (failures, last failure)

    def wait_for(self, client: str) -> float:
        count, last = self.failures.get(client, (0, 0.0))
        if not count or time.monotonic() - last > LOGIN_MEMORY:
            return 0.0
        return min(self.delay * math.sqrt(count), LOGIN_DELAY_MAX)

    def record(self, client: str, succeeded: bool) -> None:
        if succeeded:
            self.failures.pop(client, None)
        else:
            count, _ = self.failures.get(client, (0, 0.0))
            self.failures[client] = (count + 1, time.monotonic())
        if len(self.failures) > 10_000:  # forget the oldest clients first
            for stale in sorted(self.failures, key=lambda c: self.failures[c][1])[:5_000]:
                del self.failures[stale]


class Guard:
    """Pure ASGI middleware (nothing of a request is read before it decides)."""

    def __init__(self, app: ASGIApp, settings: Settings, throttle: LoginThrottle | None = None) -> None:
        self.app = app
        self.credentials = Credentials.from_settings(settings)
        self.upload_limit = int(settings.max_file_mb * 1_000_000) * 10
        self.throttle = throttle or LoginThrottle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            return await self.app(scope, receive, send)
        path = scope["path"]
        if path.startswith(API_PREFIXES):
            return await self._api(scope, receive, send)
        if path in LOGIN_PATHS and scope["method"] == "POST":
            return await self._login(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.credentials.configured and not self.credentials.accepts_header(headers.get("authorization", "")):
            challenge = 'Bearer, Basic realm="news-assistant"' if self.credentials.login_configured else "Bearer"
            return await _error(send, 401, "missing or wrong credentials (send Authorization: Bearer <key>"
                                + (", or the user and password as HTTP Basic" if self.credentials.login_configured
                                   else "") + ")", {"www-authenticate": challenge})
        limit = self.upload_limit if scope["path"].startswith("/v1/documents") else MAX_JSON_BYTES
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return await _error(send, 413, f"request body of {int(declared):,} bytes is over the limit of {limit:,}")
        started = refused = False
        received = 0

        async def counted() -> Message:
            """The body as it arrives; past the limit the client gets its 413 at once and the route a disconnect."""
            nonlocal received, refused
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit and not refused:
                refused = True
                if not started:
                    await _error(send, 413, f"request body is over the limit of {limit:,} bytes")
            return {"type": "http.disconnect"} if refused else message

        async def sending(message: Message) -> None:
            nonlocal started
            if not refused:
                started = True
                await send(message)

        await self.app(scope, counted, sending)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = (scope.get("client") or ("unknown",))[0]
        if pause := self.throttle.wait_for(client):
            await asyncio.sleep(pause)
        status = 0

        async def watching(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, watching)
        if status:
            self.throttle.record(client, status < 400)


async def _error(send: Send, status: int, message: str, headers: dict[str, str] | None = None) -> None:
    kinds = {401: "authentication_error", 413: "request_too_large"}
    body = json.dumps({"error": {"message": message, "type": kinds.get(status, "invalid_request_error"),
                                 "code": status}}).encode()
    extra = [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": body})
