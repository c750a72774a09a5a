"""Who may use the playground server: the ``Host`` rule and the ``Origin`` rule.

A page from any web site can open a WebSocket to ``ws://127.0.0.1:PORT/ws`` (browsers do not
apply the same-origin policy to WebSockets), and a site whose DNS name is rebound to
127.0.0.1 can load ``/`` and talk to the server as if it were that site. Two checks stop both:

* **Host** (every HTTP request, the WebSocket handshake included): the host name in the
  ``Host`` header must be one the server answers to. A DNS-rebinding page sends its own name
  (``Host: attacker.example``) and gets ``400`` with a one-line plain-text reason.
* **Origin** (WebSocket handshakes): only the page's own origin may open a session. Refused
  handshakes are accepted and closed at once with code 1008 (policy violation) and a reason
  the page can read (a plain ``403`` would reach the page as code 1006 without a reason).

The names and origins allowed (:class:`AccessPolicy`):

* Bound to a loopback address (the default, 127.0.0.1): the host names ``127.0.0.1``,
  ``localhost``, ``::1`` (``[::1]`` in a URL) and the bound name.
* Bound to one other address or name: that name only.
* Bound to all interfaces (``0.0.0.0`` or ``::``): the server cannot know under which names
  other machines reach it, so only the loopback names are allowed until more are named with
  ``allow_origins`` (``gradlab playground --allow-origin http://10.0.0.5:8000``).
* Each origin in ``allow_origins`` is allowed, and its host name becomes an allowed host.
* Origins: ``http://NAME:PORT`` for each allowed name and the bound port, each listed origin,
  and the page's own origin as the browser saw it: ``http://`` plus the handshake's ``Host``
  header (its name already checked). That last rule keeps a page working behind an SSH tunnel
  or port forward (``localhost:9000`` -> the server's 8000) while a page of another port or
  site stays refused: browsers set ``Origin`` and ``Host`` themselves, and no page can send a
  foreign ``Origin`` with the server's ``Host``.
* A handshake without ``Origin`` is refused: browsers always send it, so only scripts omit it,
  and a script can send the page's origin (``websockets.connect(url, origin=...)``).
  ``Origin: null`` (sandboxed frames, ``file:`` pages) is refused too.

Bound to all interfaces, the server also answers to any **IP address** in ``Host`` (students
type the teacher's address, ``http://192.168.1.20:8000``): DNS rebinding needs a DNS name, and
a page loaded from an address has that address as its origin.

**Access token.** Host and Origin stop other web sites, not other machines: anyone who can
reach a server bound to the network can open its page. So a server bound to anything but a
loopback address requires a token (:func:`new_token`, or one chosen with ``--token``; a
loopback server only when given one): every HTTP request and WebSocket handshake must carry it
as ``?token=`` or in the cookie :data:`TOKEN_COOKIE`, which a request with a valid ``?token=``
sets (``HttpOnly``, ``SameSite=Strict``), so the page's own requests need nothing more. Without
it: ``403`` with a plain-text reason, or a WebSocket closed with 1008 and the reason. Tokens
are compared in constant time and never written to a log or an error message.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import secrets
import socket
import urllib.parse
from collections.abc import Iterable

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..i18n import LANGUAGES, _, use_language

__all__ = [
    "CLOSE_POLICY",
    "LOOPBACK_NAMES",
    "TOKEN_COOKIE",
    "AccessMiddleware",
    "AccessPolicy",
    "check_token",
    "is_ip_address",
    "is_loopback",
    "lan_address",
    "needs_token",
    "new_token",
    "normalize_origin",
]

log = logging.getLogger("gradlab.playground")

#: The host names of this machine that a loopback-bound server answers to.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")

#: WebSocket close code for a refused origin (RFC 6455: policy violation).
CLOSE_POLICY = 1008

#: A WebSocket close reason is at most 123 bytes (a 125-byte frame less the 2-byte code).
_MAX_REASON = 123

#: Distinct refused origins/hosts warned about in the server's log (then quiet).
_MAX_WARNINGS = 50

_WILDCARDS = ("0.0.0.0", "::", "")

#: The cookie that carries the access token (set by a request with a valid ``?token=``).
TOKEN_COOKIE = "gradlab_token"

#: An access token: URL-safe characters (it goes in an address and a cookie unescaped).
_TOKEN_RE = re.compile(r"[A-Za-z0-9._~-]{4,128}")


def new_token() -> str:
    """A random access token (16 random bytes, URL-safe base64: 22 characters)."""
    return secrets.token_urlsafe(16)


def check_token(token: str) -> str:
    """Return ``token`` if it can be an access token, else raise ``ValueError`` saying why.

    A token is 4 to 128 characters among letters, digits and ``. _ ~ -`` (so it needs no
    escaping in an address or a cookie). The error never repeats the token.
    """
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        length = len(token) if isinstance(token, str) else 0
        raise ValueError(
            "an access token is 4 to 128 characters among letters, digits and . _ ~ -; "
            f"received {length} character(s) that are not"
        )
    return token


def needs_token(host: str) -> bool:
    """Whether a server bound to ``host`` requires a token by default (it is reachable from
    other machines: bound to all interfaces, or to an address or name that is not loopback)."""
    bound = host.strip("[]").lower()
    return bound in _WILDCARDS or not is_loopback(bound)


def is_ip_address(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address (brackets allowed), not a name."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def lan_address() -> str | None:
    """This machine's address on its local network, or ``None`` when it has none.

    Found without sending anything: ``connect`` on a UDP socket only picks the interface that
    would route to the (documentation-range) address, and ``getsockname`` tells its address.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never reached, no packet is sent
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address in ("0.0.0.0", "") or is_loopback(address) else address


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(name: str) -> str:
    """``name`` as it appears in a URL (IPv6 literals in brackets)."""
    return f"[{name}]" if ":" in name else name


def _shown(text: str, limit: int = 60) -> str:
    """``text`` safe to echo: printable ASCII only, at most ``limit`` characters."""
    clean = "".join(c if " " <= c <= "~" else "?" for c in text)
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."


def _split_host(value: str) -> tuple[str, int | None] | None:
    """Split a ``Host`` header (``name``, ``name:port``, ``[v6]:port``) into a lower-case name
    without brackets and a port; ``None`` when it is not a host."""
    try:
        parts = urllib.parse.urlsplit("//" + value)
        name, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not name or parts.username is not None or parts.path or parts.query or parts.fragment:
        return None
    return name.lower(), port


def normalize_origin(origin: str) -> str:
    """Return ``origin`` as browsers write it: ``scheme://host[:port]``, lower case, without
    the scheme's default port (80 for http, 443 for https).

    Raises:
        ValueError: when ``origin`` is not an ``http``/``https`` origin (no path, query,
            fragment or user name), saying what was received.
    """
    text = origin.strip()
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(
            f"an origin must look like http://host:port; received {_shown(origin)!r} ({exc})"
        ) from None
    scheme = parts.scheme.lower()
    if (
        scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ValueError(
            "an origin is a scheme (http or https), a host and an optional port, such as "
            f"http://192.168.1.4:8000, with no path; received {_shown(origin)!r}"
        )
    name = parts.hostname.lower()
    default = 80 if scheme == "http" else 443
    suffix = "" if port in (None, default) else f":{port}"
    return f"{scheme}://{_url_host(name)}{suffix}"


class AccessPolicy:
    """The host names and origins a playground server bound to ``host``:``port`` accepts.

    Args:
        host: The address the server binds (``127.0.0.1``, ``0.0.0.0``, a name...).
        port: The port it listens on.
        allow_origins: More origins to accept (``http://10.0.0.5:8000``); their host names
            become allowed hosts too.
        token: The access token every request must carry (``None``: no token is asked).

    Raises:
        ValueError: for an origin that :func:`normalize_origin` rejects, or a token that
            :func:`check_token` rejects.
    """

    def __init__(
        self,
        host: str,
        port: int,
        allow_origins: Iterable[str] = (),
        token: str | None = None,
    ) -> None:
        self.port = int(port)
        #: The access token (``None``: none is asked).
        self.token = None if token is None else check_token(token)
        self._token_bytes = None if token is None else token.encode("ascii")
        bound = host.strip("[]").lower()
        if bound in _WILDCARDS or is_loopback(bound):
            names = {*LOOPBACK_NAMES} | ({bound} if bound not in _WILDCARDS else set())
        else:
            names = {bound}
        self.extra_origins = tuple(dict.fromkeys(normalize_origin(o) for o in allow_origins))
        for origin in self.extra_origins:
            name = urllib.parse.urlsplit(origin).hostname
            if name:
                names.add(name)
        self.hosts = frozenset(names)
        self.origins = frozenset(
            {normalize_origin(f"http://{_url_host(n)}:{self.port}") for n in names}
            | set(self.extra_origins)
        )
        self.bound_wildcard = bound in _WILDCARDS
        shown = "127.0.0.1" if self.bound_wildcard else _url_host(bound)
        #: The page's address as the server prints it, for messages.
        self.example_origin = f"http://{shown}:{self.port}"

    def host_error(self, value: str | None) -> str | None:
        """Why a request with ``Host: value`` is refused, or ``None`` when it is allowed."""
        if value is None:
            return (
                "the request has no Host header; send the address the playground was "
                f"opened at, such as Host: {self.example_origin.removeprefix('http://')}"
            )
        split = _split_host(value)
        if split is None:
            return f"the Host header {_shown(value)!r} is not a host name or address"
        name, port = split
        if name in self.hosts or (self.bound_wildcard and is_ip_address(name)):
            return None
        origin = f"http://{_url_host(_shown(name))}{'' if port in (None, 80) else f':{port}'}"
        return (
            f"host {_shown(name)!r} is not allowed on this playground server (it answers to "
            f"{', '.join(sorted(self.hosts))}); to serve the page under this name, start it "
            f"with --allow-origin {origin}"
        )

    def origin_error(self, origin: str | None, host: str | None) -> str | None:
        """Why a WebSocket handshake with ``Origin: origin`` and ``Host: host`` is refused, or
        ``None`` when it is allowed. The reason fits a close frame (at most 123 bytes)."""
        if origin is None:
            reason = f"no Origin header; send the page's origin ({self.example_origin})"
            return _fit(reason)
        try:
            normal = normalize_origin(origin)
        except ValueError:  # "null" (a sandboxed frame, a file: page) or garbage
            return _fit(
                f"origin {_shown(origin, 40)} is not allowed; open the page at the "
                "playground's own address"
            )
        if normal in self.origins or normal == self._own_origin(host):
            return None
        shown = _shown(normal, 48)
        return _fit(
            f"origin {shown} is not allowed; start the playground with --allow-origin "
            f"{shown} to allow it",
            short=f"origin {shown} is not allowed (see --allow-origin)",
        )

    def token_error(self, query: str | None, cookie: str | None) -> str | None:
        """Why a request carrying ``query`` (its ``?token=``) and ``cookie`` (its
        :data:`TOKEN_COOKIE`) is refused, or ``None`` when no token is needed or one of them is
        the token. In the language in effect; never contains what was received."""
        if self._token_bytes is None or self.token_valid(query) or self.token_valid(cookie):
            return None
        if query is None and cookie is None:
            return _(
                "an access token is required: open the address printed by `gradlab playground`"
            )
        return _(
            "this is not the server's access token: open the address printed by `gradlab "
            "playground` (a random token changes each time the server starts)"
        )

    def token_valid(self, value: str | None) -> bool:
        """Whether ``value`` is the access token (compared in constant time)."""
        if self._token_bytes is None or value is None:
            return False
        return hmac.compare_digest(value.encode("utf-8", "surrogateescape"), self._token_bytes)

    @staticmethod
    def _own_origin(host: str | None) -> str | None:
        """The origin of a page loaded from ``http://`` + ``host`` (``None`` if not a host)."""
        if host is None or _split_host(host) is None:
            return None
        try:
            return normalize_origin("http://" + host)
        except ValueError:
            return None


def _fit(reason: str, short: str | None = None) -> str:
    """``reason`` if it fits a close frame, else ``short`` (or ``reason`` cut to fit)."""
    for text in (reason, short):
        if text is not None and len(text.encode("utf-8")) <= _MAX_REASON:
            return text
    return reason.encode("utf-8")[: _MAX_REASON - 3].decode("utf-8", "ignore") + "..."


class AccessMiddleware:
    """ASGI middleware enforcing an :class:`AccessPolicy` before the app sees a request.

    HTTP requests and WebSocket handshakes with a host not allowed get ``400`` and a
    one-line ``text/plain`` reason (the WebSocket one through the ASGI denial response, so it
    never becomes a WebSocket). WebSocket handshakes from an origin not allowed are accepted
    and closed with :data:`CLOSE_POLICY` and the reason; the app never sees them. When the
    policy has a token, requests without it get ``403`` (HTTP) or 1008 (WebSocket) with a
    reason in the page's language (``?lang=``, else ``lang``); an HTTP request with a valid
    ``?token=`` gets the cookie.

    Args:
        app: The app behind.
        policy: What is allowed.
        lang: The language of refusals for requests that name none.
    """

    def __init__(self, app: ASGIApp, policy: AccessPolicy, lang: str = "en") -> None:
        self.app = app
        self.policy = policy
        self.lang = lang
        self.refused = 0
        self._warned: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        host = headers.get("host")
        reason = self.policy.host_error(host)
        if reason is not None:
            self._note("host", host or "(none)", reason)
            await _deny(scope, receive, send, reason)
            return
        if kind == "websocket":
            reason = self.policy.origin_error(headers.get("origin"), host)
            if reason is not None:
                self._note("origin", headers.get("origin") or "(none)", reason)
                await _close(receive, send, reason)
                return
        if self.policy.token is not None:
            query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = (query.get("token") or [None])[0]
            cookie = _cookie(headers.get("cookie"), TOKEN_COOKIE)
            lang = (query.get("lang") or [None])[0]
            with use_language(lang if lang in LANGUAGES else self.lang):
                reason = self.policy.token_error(given, cookie)
            if reason is not None:
                client = scope.get("client") or ("?", 0)
                self._note("token", str(client[0]), "no valid access token")
                if kind == "websocket":
                    await _close(receive, send, _fit(reason))
                else:
                    await _deny(scope, receive, send, reason, status=403)
                return
            if kind == "http" and self.policy.token_valid(given) and cookie != given:
                send = _with_cookie(send, TOKEN_COOKIE, given)
        await self.app(scope, receive, send)

    def _note(self, what: str, value: str, reason: str) -> None:
        self.refused += 1
        key = f"{what}:{_shown(value)}"
        if key not in self._warned and len(self._warned) < _MAX_WARNINGS:
            self._warned.add(key)
            if what == "token":  # the reason says nothing of the token; name the client
                log.warning("refused a request from %s: %s", _shown(value), reason)
            else:
                log.warning("refused a request: %s", reason)


def _headers(scope: Scope) -> dict[str, str]:
    """The first value of each request header, names in lower case."""
    out: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        out.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return out


def _cookie(header: str | None, name: str) -> str | None:
    """The value of cookie ``name`` in a ``Cookie`` header, or ``None``."""
    # Starlette's lenient parser: one malformed cookie of another app on this host (cookies
    # ignore ports) must not hide ours, as it can with http.cookies.
    return cookie_parser(header).get(name) if header else None


def _with_cookie(send: Send, name: str, value: str) -> Send:
    """``send`` that adds ``Set-Cookie: name=value`` (HttpOnly, SameSite=Strict, the whole
    site) to the response's head. ``value`` passed :func:`check_token`: nothing to escape."""
    cookie = f"{name}={value}; Path=/; HttpOnly; SameSite=Strict".encode("ascii")

    async def send_with_cookie(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
        await send(message)

    return send_with_cookie


async def _deny(scope: Scope, receive: Receive, send: Send, reason: str, status: int = 400) -> None:
    """Answer ``status`` with ``reason`` as plain text (HTTP, or a WebSocket denial response)."""
    body = (reason + "\n").encode("utf-8")
    prefix = "websocket." if scope["type"] == "websocket" else ""
    if prefix:
        if "websocket.http.response" not in (scope.get("extensions") or {}):
            await _close(receive, send, None)  # the server answers 403 itself
            return
        if (await receive())["type"] != "websocket.connect":
            return
    start: Message = {
        "type": prefix + "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"x-content-type-options", b"nosniff"),
            (b"connection", b"close"),
        ],
    }
    await send(start)
    await send({"type": prefix + "http.response.body", "body": body})


async def _close(receive: Receive, send: Send, reason: str | None) -> None:
    """Refuse a WebSocket: accept and close with :data:`CLOSE_POLICY` and ``reason`` (so the
    page can read it), or close before accepting (a 403) when ``reason`` is ``None``."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if reason is None:
        await send({"type": "websocket.close", "code": CLOSE_POLICY})
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": CLOSE_POLICY, "reason": reason})
