"""The web app's request guard: access token, CSRF check and request size limit, as one ASGI
middleware in front of every route (pages, API, static files).

- **Token.** When the server listens beyond this machine, every request must carry the token
  printed at start: ``Authorization: Bearer TOKEN``, the ``zopa_token`` cookie, or ``?token=``
  once (the browser is then redirected with the cookie set, so the token leaves the address bar).
- **CSRF.** Every request that may write (any method but GET, HEAD, OPTIONS) must carry the
  ``X-Zopa-CSRF`` header with the server's CSRF secret (pages embed it; API clients get it from
  ``GET /api/session``). A page of another site can neither read the secret (same-origin policy)
  nor send a custom header without a CORS preflight this app never grants; an ``Origin`` header
  naming another host is refused too.
- **Host.** A server only this machine reaches answers only requests addressed to a local name
  (``Host: 127.0.0.1:PORT``, ``localhost``, ``[::1]``): a page of another site that re-points
  its own domain name at 127.0.0.1 (DNS rebinding) would otherwise read the app's answers.
- **Size.** Request bodies over the limit are refused with 413 before any route reads them.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_HEADER = "x-zopa-csrf"
TOKEN_COOKIE = "zopa_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_secret() -> str:
    """A random secret for a token or the CSRF check (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, *, token: str | None, csrf: str, max_body: int,
                 hosts: frozenset[str] | None = None) -> None:
        self.app, self.token, self.csrf, self.max_body = app, token, csrf, max_body
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then pass it on (with its body already read) or refuse it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        method = scope["method"]
        if self.hosts is not None and _host_name(headers.get("host", "")) not in self.hosts:
            await _respond(send, 403, "this server answers only requests to a local address "
                           "(127.0.0.1, localhost, [::1])")
            return
        if self.token is not None:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            if method == "GET" and _same(query.get("token"), self.token):
                rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
                where = scope.get("path", "/") + (f"?{rest}" if rest else "")
                await _respond(send, 303, "see the page without the token in its address",
                               [("location", where), ("set-cookie", f"{TOKEN_COOKIE}="
                                 f"{self.token}; HttpOnly; SameSite=Strict; Path=/")])
                return
            if not _same(_given_token(headers), self.token):
                await _respond(send, 401, "this server needs its access token: open the address "
                               "`zopa serve` printed (with ?token=...), or send Authorization: "
                               "Bearer TOKEN")
                return
        if method not in SAFE_METHODS:
            origin = headers.get("origin")
            if origin and origin != "null" and urlsplit(origin).netloc != headers.get("host"):
                await _respond(send, 403, "cross-site request refused")
                return
            if not _same(headers.get(CSRF_HEADER), self.csrf):
                await _respond(send, 403, "missing or wrong X-Zopa-CSRF header (pages send it; "
                               "API clients get it from GET /api/session)")
                return
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _respond(send, 413, f"request body over the limit of {self.max_body:,} bytes")
            return
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                await _respond(send, 413, f"request body over the limit of {self.max_body:,} "
                               "bytes")
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # the app waits for a disconnect: pass it on
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


def _host_name(host: str) -> str:
    """The name in a ``Host`` header, without its port: ``[::1]:8000`` -> ``::1``."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _given_token(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is no token
        return None
    found = cookie.get(TOKEN_COOKIE)
    return None if found is None else found.value


def _same(given: str | None, expected: str) -> bool:
    """Constant-time comparison (the secret does not leak through response times)."""
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


async def _respond(send: Send, status: int, message: str,
                   extra: list[tuple[str, str]] | None = None) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in extra or []]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
