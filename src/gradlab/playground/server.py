"""The playground's server: a Starlette app with the page at ``/`` and one WebSocket per tab.

Per connection (:class:`Connection`): a receive loop answers every message of the page, and
while the page plays, a play loop asks the session's worker to train for a slice of time and
send back its ``state``, at most ``max_updates_per_second`` times a second. The sessions live
in worker processes (:mod:`.workers`), one worker per session for its whole life, so the
sessions use every core; the event loop only parses messages, answers ``ping``, ``language``
and ``play`` itself, and sends the text the workers encoded, so ``ping`` is answered promptly
however busy the workers are. A per-session lock keeps one call at a time on a session. A
worker that dies takes only its own sessions: their pages get an ``error`` and the close code
1011, and the next session on that slot starts a new worker.

:class:`SessionManager` caps the number of sessions (a connection beyond the cap gets an
``error`` and is closed with 1013), and owns the :class:`~.workers.WorkerPool`.

Languages: the page is served at ``/`` with ``<html lang>`` set to its language (``?lang=ko``,
else the server's default, ``create_app(lang=...)``), and gets its translations as JSON from
``/i18n/<lang>.json`` (:func:`page_catalog`). Each :class:`Connection` speaks the language its
page named (``/ws?lang=ko``, then ``language`` messages when the learner switches): the
server's error messages are written in it (every text is made under
:func:`gradlab.i18n.use_language`, in the thread that makes it, never across an ``await``).

Access (:mod:`.access`): every request's ``Host`` and every WebSocket's ``Origin`` are checked
before the app sees them, and the access token when the server is reachable from the
network. Transport (:func:`uvicorn_options`): a client must finish each request head within
:data:`HEAD_TIMEOUT_S` (:class:`HeadTimeoutH11Protocol`), and an open WebSocket is pinged so
that a vanished peer is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import socket
import threading
import time
import urllib.parse
import uuid
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import h11
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..i18n import LANGUAGES, _, catalog, get_language, resolve_language, use_language
from . import commands
from .access import AccessMiddleware, AccessPolicy, needs_token, new_token
from .config import LIMITS, ProtocolError
from .messages import hello, message_too_large, parse_message
from .workers import Worker, WorkerError, WorkerLost, WorkerPool, default_workers

__all__ = [
    "DEFAULT_MAX_SESSIONS",
    "HEAD_TIMEOUT_S",
    "STATIC_DIR",
    "WS_MAX_SIZE",
    "WS_PING_INTERVAL_S",
    "BackgroundServer",
    "Connection",
    "HeadTimeoutH11Protocol",
    "SessionManager",
    "create_app",
    "page_catalog",
    "uvicorn_options",
]

log = logging.getLogger("gradlab.playground")

#: The page's files, shipped inside the package.
STATIC_DIR = Path(__file__).resolve().parent / "static"

#: uvicorn's ``ws_max_size``: frames up to 16x the protocol's message limit reach the app, which
#: answers the oversized ones with an ``error`` and keeps the session; bigger ones are refused by
#: uvicorn itself (close code 1009), which bounds what a page can make the server buffer.
WS_MAX_SIZE = 16 * LIMITS["max_message_bytes"]

#: Close codes: going away (idle), internal error (the session's worker died), try again later
#: (too many sessions).
CLOSE_IDLE = 1001
CLOSE_ERROR = 1011
CLOSE_BUSY = 1013

#: Sessions at once by default: a class of 30 and some spare (``--max-sessions``). A session of
#: the largest config holds about 0.64 MiB, so 40 add some 26 MiB to the processes' ~60 MiB
#: each (benchmarks/PLAYGROUND_LOAD.md).
DEFAULT_MAX_SESSIONS = 40

#: Seconds a client has, from opening a connection or from the end of the previous response,
#: to send a complete request head (the WebSocket handshake is one). Browsers send theirs in
#: one packet; the limit is for clients that trickle headers to hold connections (slowloris).
HEAD_TIMEOUT_S = 10.0

#: uvicorn pings each open WebSocket this often and drops it when no pong comes back within as
#: long (a vanished peer: a closed laptop, a dropped network), which ends its session.
WS_PING_INTERVAL_S = 20.0


class HeadTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 HTTP protocol with a deadline on each request head.

    uvicorn (0.55, read in its ``h11_impl``) arms no timer while a request head arrives: its
    keep-alive timer starts only after a response and the next byte received cancels it, and
    ``h11_max_incomplete_event_size`` bounds the head's size, not its time; ``limit_concurrency``
    only answers 503 once the slow connections are already holding every slot. So a client
    that sends ``GET / HTTP/1.1\\r\\nHost: x\\r\\n`` and then nothing keeps its connection
    for ever. Here a connection gets a deadline when it opens and again after each response:
    ``head_timeout`` seconds later, a client still sending its request (head or body) gets
    ``408`` (when it sent part of a head) and is disconnected; an idle one is just closed.

    A WebSocket upgrade hands the connection to uvicorn's WebSocket protocol and ends the
    deadline; from then on pings (``ws_ping_interval``/``ws_ping_timeout``) find dead peers
    and the playground's idle rule ends sessions nobody watches.
    """

    #: Seconds allowed for each request head (see :data:`HEAD_TIMEOUT_S`).
    head_timeout: float = HEAD_TIMEOUT_S
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_timer()  # the next request on this connection has its own deadline

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._cancel_head_timer()
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        transport = self.transport
        if transport.is_closing() or transport.get_protocol() is not self:
            return
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            return  # the request is in; the app is answering it
        partial = bool(self.conn.trailing_data[0])
        if self.conn.their_state is h11.IDLE and self.conn.our_state is h11.IDLE and partial:
            body = f"the request was not complete within {self.head_timeout:g} s\n".encode()
            transport.write(
                b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                b"connection: close\r\ncontent-length: "
                + str(len(body)).encode()
                + b"\r\n\r\n"
                + body
            )
        transport.close()


def uvicorn_options(head_timeout: float = HEAD_TIMEOUT_S) -> dict[str, Any]:
    """Return the keyword arguments of ``uvicorn.run``/``uvicorn.Config`` for the playground
    (``gradlab playground`` and :class:`BackgroundServer` use the same).

    Args:
        head_timeout: Seconds a client has to send each request head (see
            :class:`HeadTimeoutH11Protocol`).

    Raises:
        ValueError: when ``head_timeout`` is not a positive number of seconds.
    """
    if not (isinstance(head_timeout, int | float) and 0 < head_timeout < float("inf")):
        raise ValueError(f"head_timeout must be positive seconds, got {head_timeout!r}")
    http: type[HeadTimeoutH11Protocol] = HeadTimeoutH11Protocol
    if head_timeout != HeadTimeoutH11Protocol.head_timeout:
        http = type(http.__name__, (http,), {"head_timeout": float(head_timeout)})
    return {
        "http": http,
        "ws_max_size": WS_MAX_SIZE,
        "ws_ping_interval": WS_PING_INTERVAL_S,
        "ws_ping_timeout": WS_PING_INTERVAL_S,
        "timeout_keep_alive": 5,
        "log_level": "warning",
        # No access log, whatever the log level: a request line can carry ?token=.
        "access_log": False,
    }


#: The gettext domain of the page's messages (``tools/i18n.py``'s ``playground``).
PAGE_DOMAIN = "playground"


@cache
def page_catalog(lang: str) -> bytes:
    """The page's translations into ``lang`` as UTF-8 JSON ``{english: translation}``.

    The messages of the playground's domain (the page's own texts, the presets' and data sets'
    labels), :func:`gradlab.i18n.catalog` of that domain alone: the page
    needs no other, the other domains (the claims) are large, and a message that another domain
    translates too (``None``) keeps the playground's translation. English has none (the page's
    texts are English). Raises ``ValueError`` for a language gradlab does not speak.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    messages = catalog(lang, PAGE_DOMAIN)
    return json.dumps(messages, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _page_lang(value: str | None, default: str) -> str:
    """The language a page asked for (``?lang=``), if gradlab speaks it, else ``default``."""
    return value if value in LANGUAGES else default


class SessionManager:
    """Counts sessions against a cap and places them on the workers (:mod:`.workers`).

    Args:
        max_sessions: Sessions allowed at once.
        idle_timeout: Seconds without a message before a session is closed.
        workers: Worker processes training the sessions (default: the CPUs this process may
            use, at most ``max_sessions``); ``0``: sessions in the server process, trained in
            a thread pool (no processes to start; every session shares one core).
        threads: Threads of that pool (``workers=0`` only; default: the CPUs, at most 4).
        max_updates_per_second: Cap on ``state`` messages per second while playing.
        train_slice: Seconds of training between two states while playing (default: 60 %
            of the update period), shared by the sessions playing on the same worker.
    """

    def __init__(
        self,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        idle_timeout: float = 900.0,
        *,
        workers: int | None = None,
        threads: int | None = None,
        max_updates_per_second: float = LIMITS["max_updates_per_second"],
        train_slice: float | None = None,
    ) -> None:
        if max_sessions < 1:
            raise ValueError(f"max_sessions must be at least 1, got {max_sessions}")
        if not idle_timeout > 0:
            raise ValueError(f"idle_timeout must be positive seconds, got {idle_timeout}")
        if not max_updates_per_second > 0:
            raise ValueError(
                f"max_updates_per_second must be positive, got {max_updates_per_second}"
            )
        if workers is not None and workers < 0:
            raise ValueError(f"workers must be 0 (in-process) or more, got {workers}")
        self.max_sessions = int(max_sessions)
        self.idle_timeout = float(idle_timeout)
        if workers is None:
            workers = min(default_workers(), self.max_sessions)
        self.pool = WorkerPool(workers, threads=threads)
        self.period = 1.0 / float(max_updates_per_second)
        self.train_slice = 0.6 * self.period if train_slice is None else float(train_slice)
        self.sessions: dict[str, Connection] = {}

    def start(self) -> None:
        """Start the workers (in the event loop)."""
        self.pool.start()

    def stop(self) -> None:
        """Stop the workers: each finishes its requests, then exits."""
        self.pool.stop()

    def try_add(self, conn: Connection) -> bool:
        """Register ``conn`` unless the cap is reached."""
        if len(self.sessions) >= self.max_sessions:
            return False
        self.sessions[conn.id] = conn
        return True

    def remove(self, conn: Connection) -> None:
        self.sessions.pop(conn.id, None)

    def play_slice(self, worker: Worker) -> float:
        """Seconds of training per update for a session playing on ``worker``: the sessions
        playing there share it, so each still gets frequent updates (the session trains at
        least one epoch per update whatever the slice)."""
        playing = sum(1 for c in self.sessions.values() if c.playing and c.worker is worker)
        return max(0.002, self.train_slice / max(1, playing))


class Connection:
    """One WebSocket and a handle on its session: the worker holding it and its id.

    The session itself lives in the worker (:mod:`.workers`); everything the connection needs
    to know about it (its config for ``hello``, whether it still trains) comes back with the
    replies.
    """

    def __init__(self, websocket: WebSocket, manager: SessionManager, lang: str = "en") -> None:
        self.ws = websocket
        self.manager = manager
        #: The language of this page: the server's messages to it are written in it.
        self.lang = lang
        #: The session's id (the ``hello``'s ``session``), in the server and in its worker.
        self.id = uuid.uuid4().hex[:12]
        #: The worker holding the session (``None`` until it is created).
        self.worker: Worker | None = None
        self.lock = asyncio.Lock()  # one call at a time on the session
        self.send_lock = asyncio.Lock()
        self.play_task: asyncio.Task[None] | None = None
        self.playing = False
        self.closed = False
        #: Set (to the exception) when the session is lost while the receive loop waits: its
        #: worker died, or the play loop's call failed.
        self._lost: asyncio.Future[Exception] | None = None

    # -- sending ---------------------------------------------------------------------------
    async def send(self, message: dict[str, Any] | str) -> None:
        """Send a message (a dict, or one already encoded by :func:`.commands.dumps`)."""
        if self.closed:
            return
        text = message if isinstance(message, str) else commands.dumps(message)
        async with self.send_lock:
            if self.ws.application_state == WebSocketState.CONNECTED:
                await self.ws.send_text(text)

    async def send_error(self, exc: ProtocolError) -> None:
        await self.send(exc.to_message())

    # -- lifecycle ---------------------------------------------------------------------------
    async def serve(self) -> None:
        """Accept, say hello, answer messages until the page leaves or idles out."""
        await self.ws.accept()
        if not self.manager.try_add(self):
            with use_language(self.lang):
                busy = ProtocolError(
                    _(
                        "the server already holds its maximum of {n} sessions; close another "
                        "tab or try again later"
                    ).format(n=self.manager.max_sessions)
                )
            await self.send_error(busy)
            await self.ws.close(CLOSE_BUSY)
            return
        self._lost = asyncio.get_running_loop().create_future()
        try:
            worker = self.worker = self.manager.pool.place(self.id, self._worker_lost)
            async with self.lock:
                opened = await worker.call("create", self.id, self.lang)
            await self.send(hello(self.id, opened["config"], self.manager.idle_timeout, self.lang))
            for text in opened["replies"]:
                await self.send(text)
            await self._receive_loop()
        except WebSocketDisconnect:
            pass
        except (WorkerLost, WorkerError) as exc:
            await self._fail(exc)
        finally:
            self.closed = True
            await self._stop_play()
            self.manager.remove(self)
            if self.worker is not None:
                self.worker.detach(self.id)

    async def _receive_loop(self) -> None:
        timeout = self.manager.idle_timeout
        lost = self._lost
        if lost is None:
            raise RuntimeError("the receive loop runs in serve()")
        while True:
            receive = asyncio.ensure_future(self.ws.receive())
            await asyncio.wait(
                (receive, lost), timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if not receive.done():
                receive.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await receive
            if lost.done():
                raise lost.result()
            if receive.cancelled():  # nothing for idle_timeout seconds
                await self._stop_play()
                self.closed = True
                await self.ws.close(CLOSE_IDLE)
                return
            message = receive.result()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            text = message.get("text")
            if text is None:
                raw = message.get("bytes") or b""
                with use_language(self.lang):
                    if len(raw) > LIMITS["max_message_bytes"]:
                        error = message_too_large(len(raw))
                    else:
                        error = ProtocolError(
                            _(
                                "binary frames are not supported; send each message as a JSON "
                                "text frame"
                            )
                        )
                await self.send_error(error)
                continue
            try:
                with use_language(self.lang):  # no await inside: the language is this page's
                    msg = parse_message(text)
                await self.handle(msg)
            except ProtocolError as exc:
                await self.send_error(exc)

    def _worker_lost(self) -> None:
        """The worker holding the session died (called in the event loop by the pool)."""
        self._abort(WorkerLost("worker died"))

    def _abort(self, exc: Exception) -> None:
        """End the receive loop with ``exc`` (serve() then closes the connection)."""
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(exc)

    async def _fail(self, exc: Exception) -> None:
        """Tell the page its session is gone, and close with 1011."""
        if self.closed:
            return
        await self._stop_play()
        if isinstance(exc, WorkerLost):
            log.warning("session %s: its worker process died; closing it", self.id)
        else:
            log.error("session %s: %s; closing it", self.id, exc)
        with use_language(self.lang):
            if isinstance(exc, WorkerLost):
                text = _(
                    "the process training this session stopped unexpectedly and the session is "
                    "lost; reload the page to start a new one"
                )
            else:
                text = _(
                    "the server failed to answer (an internal error, written to its log); "
                    "reload the page to start a new session"
                )
        await self.send_error(ProtocolError(text))
        self.closed = True
        with contextlib.suppress(RuntimeError, OSError):
            await self.ws.close(CLOSE_ERROR)

    # -- messages ----------------------------------------------------------------------------
    async def handle(self, msg: dict[str, Any]) -> None:
        """Answer one validated message: ``ping``, ``language`` and ``play`` here, every other
        type (:data:`.commands.HANDLERS`) by the session's worker."""
        kind, mid = msg["type"], msg["id"]
        worker = self.worker
        if worker is None:
            raise RuntimeError("handle() before serve() created the session")
        if kind == "ping":
            await self.send({"type": "pong", "id": mid, "server_time": time.time()})
        elif kind == "language":
            self.lang = msg["lang"]
            await self.send({"type": "language", "id": mid, "lang": self.lang})
        elif kind == "play":
            if not self.playing:
                self.playing = True
                self.play_task = asyncio.create_task(self._play_loop())
        else:
            if kind == "pause":
                self.playing = False
            async with self.lock:
                outcome = await worker.call("handle", self.id, msg, self.lang, self.playing)
                for text in outcome["replies"]:
                    await self.send(text)
                if self.playing and not outcome["running"]:
                    self.playing = False  # e.g. a step diverged: training stopped

    async def _play_loop(self) -> None:
        period = self.manager.period
        loop = asyncio.get_running_loop()
        worker = self.worker
        if worker is None:
            raise RuntimeError("play loop before serve() created the session")
        try:
            while self.playing and not self.closed:
                start = loop.time()
                async with self.lock:
                    if not self.playing:
                        break
                    seconds = self.manager.play_slice(worker)
                    outcome = await worker.call("play", self.id, seconds, self.lang)
                    if not self.playing:
                        break
                    for text in outcome["replies"]:
                        await self.send(text)
                    if not outcome["running"]:
                        self.playing = False  # diverged: the error followed the state
                        break
                await asyncio.sleep(max(0.0, period - (loop.time() - start)))
        except (WorkerLost, WorkerError) as exc:
            self.playing = False
            self._abort(exc)
        except (WebSocketDisconnect, RuntimeError, OSError):
            self.playing = False
        except asyncio.CancelledError:
            raise
        except Exception:  # pragma: no cover - a bug; keep the server up
            log.exception("play loop of session %s failed", self.id)
            self.playing = False

    async def _stop_play(self) -> None:
        self.playing = False
        task, self.play_task = self.play_task, None
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def create_app(
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    idle_timeout: float = 900.0,
    *,
    workers: int | None = None,
    threads: int | None = None,
    max_updates_per_second: float = LIMITS["max_updates_per_second"],
    train_slice: float | None = None,
    static_dir: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_origins: tuple[str, ...] | list[str] = (),
    token: str | None = None,
    lang: str | None = None,
) -> Starlette:
    """Return the playground's ASGI app.

    Args:
        max_sessions: Most sessions (tabs) at once; the next one is refused with 1013.
        idle_timeout: Seconds without a message from the page before its session is closed
            with 1001 (the page pings every ``keepalive_s`` while it is visible, so this
            means nobody has had the page in view for that long).
        workers: Worker processes training the sessions (default: the CPUs this process may
            use, at most ``max_sessions``); ``0``: in the server process, in a thread pool
            (:class:`SessionManager`).
        threads: Threads of that pool (``workers=0`` only).
        max_updates_per_second: Most ``state`` messages per second per playing session.
        train_slice: Seconds of training per update while playing.
        static_dir: The page's folder (default: the package's ``static/``).
        host: The address the server binds; with ``port`` it decides which ``Host`` and
            ``Origin`` headers are accepted (:class:`~gradlab.playground.access.AccessPolicy`).
        port: The port the server listens on.
        allow_origins: More origins allowed to open sessions (``http://10.0.0.5:8000``).
        token: The access token every request must carry (``?token=`` or its cookie). Default:
            a random one (:func:`~gradlab.playground.access.new_token`) when ``host`` is not a
            loopback address, else none. The app's ``state.access.token`` holds it.
        lang: The language of pages that do not choose one (``?lang=``): ``"en"`` or ``"ko"``;
            default: the language in effect (``--lang``, ``GRADLAB_LANG``, the locale).

    Raises:
        ValueError: for an origin in ``allow_origins`` that is not ``scheme://host[:port]``,
            a token that :func:`~gradlab.playground.access.check_token` refuses, or a language
            gradlab does not speak.
    """
    default_lang = resolve_language(lang) if lang else get_language()
    if token is None and needs_token(host):
        token = new_token()
    policy = AccessPolicy(host, port, allow_origins, token=token)
    manager = SessionManager(
        max_sessions,
        idle_timeout,
        workers=workers,
        threads=threads,
        max_updates_per_second=max_updates_per_second,
        train_slice=train_slice,
    )
    static = Path(static_dir) if static_dir is not None else STATIC_DIR

    async def index(request: Request) -> Response:
        page = static / "index.html"
        lang = _page_lang(request.query_params.get("lang"), default_lang)
        if not page.is_file():
            with use_language(lang):
                text = _("the playground page (static/index.html) is not installed")
            return PlainTextResponse(text, status_code=404)
        html = page.read_text(encoding="utf-8")
        # The page's language before any script runs (no English flash in Korean), and the
        # server's default for the page's script; while a catalog loads the page stays hidden.
        wait = "" if lang == "en" else ' class="i18n-loading"'
        html = html.replace(
            '<html lang="en">',
            f'<html lang="{lang}" data-default-lang="{default_lang}"{wait}>',
            1,
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-cache"})

    async def i18n_endpoint(request: Request) -> Response:
        name = request.path_params["name"]
        lang = name.removesuffix(".json")
        if not name.endswith(".json") or lang not in LANGUAGES:
            return PlainTextResponse(
                f"no catalog {name!r}; the languages are {', '.join(LANGUAGES)}", status_code=404
            )
        body = page_catalog(lang)
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        headers = {"Cache-Control": "public, max-age=3600", "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)

    async def websocket_endpoint(websocket: WebSocket) -> None:
        lang = _page_lang(websocket.query_params.get("lang"), default_lang)
        await Connection(websocket, manager, lang).serve()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        manager.start()
        try:
            yield
        finally:
            manager.stop()

    routes = [
        Route("/", index),
        Route("/i18n/{name}", i18n_endpoint),
        WebSocketRoute("/ws", websocket_endpoint),
        Mount("/static", app=StaticFiles(directory=static, check_dir=False), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(AccessMiddleware, policy=policy, lang=default_lang)],
    )
    app.state.manager = manager
    app.state.access = policy
    app.state.lang = default_lang
    return app


class BackgroundServer:
    """The playground under uvicorn in a background thread (tests, notebooks, scripts).

    Example::

        with BackgroundServer(max_sessions=4) as server:
            print(server.url)  # http://127.0.0.1:PORT/ until the block ends

    Bound to another address than loopback (``host="0.0.0.0"``), the server asks for an
    access token (:attr:`token`); :attr:`url` carries it.

    By default the sessions train in this process (``workers=0``: one user, nothing to start).
    With ``workers=N`` they train in N processes started with ``spawn``, which imports the
    main module again in each: a script must then start the server under
    ``if __name__ == "__main__":`` (notebooks need nothing).

    Args:
        port: Port on ``host``; 0 (default) picks a free one.
        host: Address to bind (loopback by default).
        head_timeout: Seconds a client has to send each request head (:data:`HEAD_TIMEOUT_S`).
        workers: Worker processes (:func:`create_app`); 0: sessions in this process.
        **app_kwargs: Passed on to :func:`create_app` (``allow_origins``...).
    """

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        head_timeout: float = HEAD_TIMEOUT_S,
        workers: int = 0,
        **app_kwargs: Any,
    ) -> None:
        import uvicorn

        if port == 0:
            with socket.socket() as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        self.host, self.port = host, int(port)
        self.app = create_app(host=host, port=self.port, workers=workers, **app_kwargs)
        config = uvicorn.Config(
            self.app, host=host, port=self.port, **uvicorn_options(head_timeout)
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def token(self) -> str | None:
        """The access token requests must carry (``None``: none is asked)."""
        return self.app.state.access.token

    @property
    def url(self) -> str:
        """The page's address (with ``?token=`` when the server asks for one)."""
        token = self.token
        return f"{self.origin}/" + (
            "" if token is None else "?" + urllib.parse.urlencode({"token": token})
        )

    @property
    def origin(self) -> str:
        """The page's origin (what a script sends as ``Origin`` to open a session); a server
        bound to every interface is reached at 127.0.0.1."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 30.0) -> BackgroundServer:
        """Start serving; raise ``RuntimeError`` if the server is not up within ``timeout`` s."""
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                self.stop()
                raise RuntimeError(
                    f"the playground server did not start on {self.host}:{self.port} "
                    f"within {timeout} s"
                )
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the server to exit and wait for its thread."""
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(timeout=timeout)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
