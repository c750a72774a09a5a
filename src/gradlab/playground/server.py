"""The playground's server: a Starlette app with the page at ``/`` and one WebSocket per tab.

Per connection (:class:`Connection`): a receive loop answers every message of the page, and
while the page plays, a play loop trains the session in the thread pool for a slice of time,
computes its ``state`` there and sends it, at most ``max_updates_per_second`` times a second.
Training and state computing never run in the event loop, so ``ping`` is answered promptly
while other sessions train. A per-session lock keeps one call at a time on a session.

:class:`SessionManager` caps the number of sessions (a connection beyond the cap gets an
``error`` and is closed with 1013), and owns the bounded thread pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from . import protocol
from .protocol import LIMITS, ProtocolError
from .session import Session

__all__ = [
    "STATIC_DIR",
    "WS_MAX_SIZE",
    "BackgroundServer",
    "Connection",
    "SessionManager",
    "create_app",
]

log = logging.getLogger("gradlab.playground")

#: The page's files, shipped inside the package.
STATIC_DIR = Path(__file__).resolve().parent / "static"

#: uvicorn's ``ws_max_size``: frames up to 16x the protocol's message limit reach the app, which
#: answers the oversized ones with an ``error`` and keeps the session; bigger ones are refused by
#: uvicorn itself (close code 1009), which bounds what a page can make the server buffer.
WS_MAX_SIZE = 16 * LIMITS["max_message_bytes"]

#: Close codes: going away (idle), try again later (too many sessions).
CLOSE_IDLE = 1001
CLOSE_BUSY = 1013


def _dumps(message: dict[str, Any]) -> str:
    """Encode a server message (never NaN/Infinity: those are not JSON)."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


class SessionManager:
    """Counts sessions against a cap and runs their work in a bounded thread pool.

    Args:
        max_sessions: Sessions allowed at once.
        idle_timeout: Seconds without a message before a session is closed.
        max_workers: Threads training sessions (default: the CPU count, at most 4).
        max_updates_per_second: Cap on ``state`` messages per second while playing.
        train_slice: Seconds of training between two states while playing (default: 60 %
            of the update period), shared by the sessions playing at the time.
    """

    def __init__(
        self,
        max_sessions: int = 16,
        idle_timeout: float = 900.0,
        *,
        max_workers: int | None = None,
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
        self.max_sessions = int(max_sessions)
        self.idle_timeout = float(idle_timeout)
        self.max_workers = max_workers or max(1, min(4, os.cpu_count() or 1))
        self.period = 1.0 / float(max_updates_per_second)
        self.train_slice = 0.6 * self.period if train_slice is None else float(train_slice)
        self.sessions: dict[str, Connection] = {}
        self.executor: ThreadPoolExecutor | None = None
        self._blas_limits: Any = None

    def start(self) -> None:
        """Start the thread pool and limit BLAS to one thread (the nets are tiny)."""
        if self.executor is None:
            self.executor = ThreadPoolExecutor(self.max_workers, thread_name_prefix="playground")
        if self._blas_limits is None:
            try:
                from threadpoolctl import threadpool_limits

                self._blas_limits = threadpool_limits(limits=1, user_api="blas")
            except Exception:  # pragma: no cover - threadpoolctl missing or broken
                log.warning("could not limit BLAS threads; the server may oversubscribe cores")

    def stop(self) -> None:
        """Stop the thread pool and restore the BLAS thread limits."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None
        if self._blas_limits is not None:
            self._blas_limits.restore_original_limits()
            self._blas_limits = None

    def try_add(self, conn: Connection) -> bool:
        """Register ``conn`` unless the cap is reached."""
        if len(self.sessions) >= self.max_sessions:
            return False
        self.sessions[conn.id] = conn
        return True

    def remove(self, conn: Connection) -> None:
        self.sessions.pop(conn.id, None)

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` in the pool and return its result."""
        if self.executor is None:
            self.start()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, fn, *args)


class Connection:
    """One WebSocket and its session."""

    def __init__(self, websocket: WebSocket, manager: SessionManager) -> None:
        self.ws = websocket
        self.manager = manager
        self.id = uuid.uuid4().hex[:12]
        self.session: Session | None = None
        self.lock = asyncio.Lock()  # one call at a time on the session
        self.send_lock = asyncio.Lock()
        self.play_task: asyncio.Task[None] | None = None
        self.playing = False
        self.closed = False

    # -- sending ---------------------------------------------------------------------------
    async def send(self, message: dict[str, Any] | str) -> None:
        """Send a message (a dict, or one already encoded by :func:`_dumps`)."""
        if self.closed:
            return
        text = message if isinstance(message, str) else _dumps(message)
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
            await self.send(
                {
                    "type": "error",
                    "message": f"the server already holds its maximum of "
                    f"{self.manager.max_sessions} sessions; close another tab or try again "
                    "later",
                    "field": None,
                    "request": None,
                    "id": None,
                }
            )
            await self.ws.close(CLOSE_BUSY)
            return
        try:
            self.session = await self.manager.run(Session)
            hello = {
                "type": "hello",
                "version": protocol.VERSION,
                "session": self.id,
                "options": protocol.options(),
                "limits": protocol.limits(self.manager.idle_timeout),
                "config": self.session.config,
            }
            await self.send(hello)
            await self.send(await self._locked(self.session.data_message))
            await self.send(await self._locked(self.session.state))
            await self._receive_loop()
        except WebSocketDisconnect:
            pass
        finally:
            self.closed = True
            await self._stop_play()
            self.manager.remove(self)

    async def _receive_loop(self) -> None:
        timeout = self.manager.idle_timeout
        while True:
            try:
                message = await asyncio.wait_for(self.ws.receive(), timeout)
            except TimeoutError:
                await self._stop_play()
                if self.session is not None:
                    self.session.running = False
                self.closed = True
                await self.ws.close(CLOSE_IDLE)
                return
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            text = message.get("text")
            if text is None:
                raw = message.get("bytes") or b""
                if len(raw) > LIMITS["max_message_bytes"]:
                    await self.send_error(protocol_error_for_size(len(raw)))
                else:
                    await self.send_error(
                        ProtocolError(
                            "binary frames are not supported; send each message as a JSON "
                            "text frame"
                        )
                    )
                continue
            try:
                msg = protocol.parse_message(text)
                await self.handle(msg)
            except ProtocolError as exc:
                await self.send_error(exc)

    # -- messages ----------------------------------------------------------------------------
    async def _locked(self, fn: Callable[..., Any], *args: Any) -> Any:
        async with self.lock:
            return await self.manager.run(fn, *args)

    async def handle(self, msg: dict[str, Any]) -> None:
        """Answer one validated message."""
        kind, mid = msg["type"], msg["id"]
        session = self.session
        if session is None:
            raise RuntimeError("handle() before serve() created the session")
        if kind == "ping":
            await self.send({"type": "pong", "id": mid, "server_time": time.time()})
        elif kind in ("config", "preset"):

            def apply() -> list[dict[str, Any]]:
                try:
                    if kind == "config":
                        result = session.apply_config(msg["config"])
                    else:
                        result = session.apply_preset(msg["name"])
                except ProtocolError as exc:
                    exc.request, exc.id = kind, mid
                    raise
                replies = [session.config_message(mid)]
                if result["data_changed"]:
                    replies.append(session.data_message(mid))
                replies.append(session.state(mid))
                return replies

            async with self.lock:
                replies = await self.manager.run(apply)
                for reply in replies:
                    await self.send(reply)
        elif kind == "play":
            if not self.playing:
                self.playing = True
                session.running = True
                self.play_task = asyncio.create_task(self._play_loop())
        elif kind == "pause":
            self.playing = False
            session.running = False
            async with self.lock:
                session.running = False
                await self.send(await self.manager.run(session.state, mid))
        elif kind == "step":

            def step() -> dict[str, Any]:
                session.step_epoch()
                return session.state(mid)

            async with self.lock:
                await self.send(await self.manager.run(step))
                await self._after_divergence(mid, "step")
        elif kind in ("reset", "regenerate"):

            def renew() -> list[dict[str, Any]]:
                if kind == "reset":
                    session.reset()
                    return [session.state(mid)]
                session.regenerate()
                return [session.data_message(mid), session.state(mid)]

            async with self.lock:
                for reply in await self.manager.run(renew):
                    await self.send(reply)
        elif kind == "snapshot":
            async with self.lock:
                await self.send(await self.manager.run(session.state, mid))

    async def _after_divergence(self, mid: int | None, request: str) -> None:
        """Send an ``error`` after a state that reports a divergence (lock held)."""
        session = self.session
        if session is not None and session.diverged:
            self.playing = False
            session.running = False
            await self.send_error(ProtocolError(session.diverged, None, request=request, id=mid))

    async def _play_loop(self) -> None:
        session = self.session
        if session is None:
            raise RuntimeError("play loop before serve() created the session")
        period, budget = self.manager.period, self.manager.train_slice
        loop = asyncio.get_running_loop()

        def chunk() -> str:
            # Playing sessions share the CPU: the slice shrinks as more of them play, so each
            # still gets frequent updates (at least one epoch per update whatever the slice).
            # The state is encoded here too, so the event loop only sends text.
            playing = sum(1 for c in self.manager.sessions.values() if c.playing)
            session.run_for(max(0.002, budget / max(1, playing)))
            return _dumps(session.state())

        try:
            while self.playing and not self.closed:
                start = loop.time()
                async with self.lock:
                    if not self.playing:
                        break
                    state = await self.manager.run(chunk)
                    if not self.playing:
                        break
                    await self.send(state)
                    if session.diverged:
                        await self._after_divergence(None, "play")
                        break
                await asyncio.sleep(max(0.0, period - (loop.time() - start)))
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
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def protocol_error_for_size(size: int) -> ProtocolError:
    """The error for a message of ``size`` bytes over the limit."""
    limit = LIMITS["max_message_bytes"]
    return ProtocolError(f"the message is {size} bytes; messages may be at most {limit} bytes")


def create_app(
    max_sessions: int = 16,
    idle_timeout: float = 900.0,
    *,
    max_workers: int | None = None,
    max_updates_per_second: float = LIMITS["max_updates_per_second"],
    train_slice: float | None = None,
    static_dir: str | Path | None = None,
) -> Starlette:
    """Return the playground's ASGI app.

    Args:
        max_sessions: Most sessions (tabs) at once; the next one is refused with 1013.
        idle_timeout: Seconds without a message before a session is closed with 1001.
        max_workers: Threads of the training pool (default: CPUs, at most 4).
        max_updates_per_second: Most ``state`` messages per second per playing session.
        train_slice: Seconds of training per update while playing.
        static_dir: The page's folder (default: the package's ``static/``).
    """
    manager = SessionManager(
        max_sessions,
        idle_timeout,
        max_workers=max_workers,
        max_updates_per_second=max_updates_per_second,
        train_slice=train_slice,
    )
    static = Path(static_dir) if static_dir is not None else STATIC_DIR

    async def index(request: Request) -> Response:
        page = static / "index.html"
        if not page.is_file():
            return PlainTextResponse(
                "the playground page (static/index.html) is not installed", status_code=404
            )
        return FileResponse(page, headers={"Cache-Control": "no-cache"})

    async def websocket_endpoint(websocket: WebSocket) -> None:
        await Connection(websocket, manager).serve()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        manager.start()
        try:
            yield
        finally:
            manager.stop()

    routes = [
        Route("/", index),
        WebSocketRoute("/ws", websocket_endpoint),
        Mount("/static", app=StaticFiles(directory=static, check_dir=False), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.manager = manager
    return app


class BackgroundServer:
    """The playground under uvicorn in a background thread (tests, notebooks, scripts).

    Example::

        with BackgroundServer(max_sessions=4) as server:
            print(server.url)  # http://127.0.0.1:PORT/ until the block ends

    Args:
        port: Port on ``host``; 0 (default) picks a free one.
        host: Address to bind (loopback by default).
        **app_kwargs: Passed on to :func:`create_app`.
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1", **app_kwargs: Any) -> None:
        import uvicorn

        if port == 0:
            with socket.socket() as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        self.host, self.port = host, int(port)
        self.app = create_app(**app_kwargs)
        config = uvicorn.Config(
            self.app, host=host, port=self.port, log_level="warning", ws_max_size=WS_MAX_SIZE
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        """The page's address."""
        return f"http://{self.host}:{self.port}/"

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
