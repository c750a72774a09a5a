"""Where the playground's sessions live and train: worker processes, one session per worker.

The server's event loop only parses messages, answers ``ping``/``language``/``play`` and
sends text; training a session and computing its ``state`` is CPU work, which in one process
would share one core under the GIL. So each session lives in one **worker process** for its
whole life (sticky: its model, data and optimizer never move), and a new session goes to the
worker holding the fewest. A worker holds a :class:`SessionTable` (``{session id: Session}``)
and runs :func:`.commands.handle` and :func:`.commands.play_chunk` on it, one request at a
time in arrival order, in the page's language, with BLAS limited to one thread (the nets are
tiny: more threads would only fight over the cores) and a lower CPU priority than the server
(training yields to serving: pings and sends first). Its replies come back already encoded
as JSON text, so the event loop sends them as they are.

Two kinds of worker share one interface (``await worker.call(method, *args)``):

* :class:`ProcessWorker`: a process started with ``spawn`` (never plain ``fork``: the
  server process has threads, and a forked child would inherit their locks in whatever state
  they were). The server talks to it over a pipe: a writer thread sends the requests, a
  reader thread receives the replies and resolves the waiting futures in the event loop.
  A worker that dies (killed, out of memory) ends its pipe; its sessions are told
  (:class:`WorkerLost`) and the next session placed on that slot starts a new process.
* :class:`InlineWorker` (``workers=0``): the sessions in the server process, run in a
  thread pool, as before the workers existed: no processes to start (quick tests, notebooks),
  but every session shares one core.

:class:`WorkerPool` starts the workers, places sessions and stops the workers.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import logging
import multiprocessing
import multiprocessing.util  # registers its exit handler before ours (see _stop_at_exit)
import os
import queue
import signal
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..i18n import use_language
from . import commands
from .session import Session

__all__ = [
    "InlineWorker",
    "ProcessWorker",
    "SessionTable",
    "Worker",
    "WorkerError",
    "WorkerLost",
    "WorkerPool",
    "default_workers",
]

log = logging.getLogger("gradlab.playground")

#: How much lower the workers' CPU priority is than the server's (``os.nice`` increment).
#: Measured with 30 pages on 2 cores: the pings' p95 fell from 160 ms to 22 ms, and the
#: states per page rose (the event loop no longer waits for a core to send them).
WORKER_NICENESS = 5

#: Seconds :meth:`WorkerPool.stop` waits for the workers to exit before terminating them.
STOP_TIMEOUT_S = 5.0

Outcome = dict[str, Any]


class WorkerLost(RuntimeError):
    """The worker process holding a session is gone (killed, crashed, or stopping)."""


class WorkerError(RuntimeError):
    """A worker failed to answer a request (a bug: the worker's log has the traceback)."""


def default_workers() -> int:
    """The number of worker processes by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


class SessionTable:
    """The sessions one worker holds, and what each request does to them.

    Each method runs in the worker (its process, or a thread of the server's pool for an
    :class:`InlineWorker`), in the page's language ``lang``, and returns an *outcome*:
    ``{"replies": [JSON text, ...], "running": bool, "diverged": str | None}``, the replies in
    sending order, then what the server needs to know about the session afterwards (whether
    it still trains: a divergence stops it).
    """

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}

    def create(self, sid: str, lang: str) -> Outcome:
        """Create session ``sid``; the outcome adds its ``config`` (for ``hello``) and its
        replies are the opening ``data`` and ``state``."""
        with use_language(lang):
            session = Session()
            self.sessions[sid] = session
            replies = [session.data_message(), session.state()]
            outcome = self._outcome(session, replies)
        outcome["config"] = session.config
        return outcome

    def handle(self, sid: str, msg: dict[str, Any], lang: str, playing: bool) -> Outcome:
        """Answer the parsed message ``msg`` (:func:`.commands.handle`). ``playing``: whether
        the page is playing (the session's ``running``, which its states report)."""
        session = self.sessions[sid]
        session.running = playing
        with use_language(lang):
            return self._outcome(session, commands.handle(session, msg))

    def play(self, sid: str, seconds: float, lang: str) -> Outcome:
        """Train for about ``seconds`` and report (:func:`.commands.play_chunk`)."""
        session = self.sessions[sid]
        session.running = True
        with use_language(lang):
            state, error = commands.play_chunk(session, seconds)
        return {
            "replies": [state] if error is None else [state, error],
            "running": session.running,
            "diverged": session.diverged,
        }

    def close(self, sid: str) -> None:
        """Forget session ``sid`` (its memory is freed)."""
        self.sessions.pop(sid, None)

    def count(self) -> int:
        """The number of sessions held."""
        return len(self.sessions)

    @staticmethod
    def _outcome(session: Session, replies: list[dict[str, Any]]) -> Outcome:
        return {
            "replies": [commands.dumps(r) for r in replies],
            "running": session.running,
            "diverged": session.diverged,
        }


#: The requests a worker answers: :class:`SessionTable`'s methods by name.
_METHODS = ("create", "handle", "play", "close", "count")


def _limit_blas() -> Any:
    """Limit BLAS to one thread in this process; return the limiter (``None`` if unavailable)."""
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl missing or broken
        log.warning("could not limit BLAS threads; the workers may oversubscribe cores")
        return None


def _worker_main(conn: Any) -> None:
    """A worker process: answer requests ``(call id, method, args)`` until ``None`` or EOF.

    The call id ``None`` asks for no reply. The reply is ``(call id, True, outcome)``, or
    ``(call id, False, "ExceptionType: message")`` after the traceback is logged here. The
    first message, once the worker has imported everything, is ``("ready", True, pid)``.
    """
    # Ctrl+C in a terminal, and a SIGTERM sent to the process group (``timeout``, a service
    # manager), reach the workers too: the server stops them itself after closing its
    # connections, so they ignore both (a worker that must die gets SIGKILL; a server that
    # dies closes the pipe, and the worker exits).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # Training yields to serving: when the cores are all busy, the server's event loop (pings,
    # sending) runs first, and the workers share the rest.
    with contextlib.suppress(AttributeError, OSError):  # os.nice: Unix only
        os.nice(WORKER_NICENESS)
    limiter = _limit_blas()  # noqa: F841 - kept alive for the life of the process
    table = SessionTable()
    try:
        conn.send(("ready", True, os.getpid()))
    except (OSError, ValueError):
        return
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the server is gone
            return
        if request is None:
            return
        call_id, method, args = request
        try:
            if method not in _METHODS:
                raise ValueError(f"unknown worker request {method!r}")
            reply = (call_id, True, getattr(table, method)(*args))
        except Exception as exc:
            log.exception("playground worker %d: %s failed", os.getpid(), method)
            reply = (call_id, False, f"{type(exc).__name__}: {exc}")
        if call_id is None:
            continue
        try:
            conn.send(reply)
        except (OSError, ValueError):  # the server is gone
            return


class Worker:
    """What both kinds of worker share: the sessions placed on it, and their callbacks.

    Args:
        index: The worker's slot in its pool.
    """

    def __init__(self, index: int) -> None:
        self.index = index
        #: Per session placed here, what to call if the worker dies.
        self.sessions: dict[str, Callable[[], None]] = {}

    @property
    def alive(self) -> bool:
        """Whether the worker answers requests (a dead process does not)."""
        return True

    @property
    def pid(self) -> int | None:
        """The worker's process id (``None``: the server's own process)."""
        return None

    def attach(self, sid: str, on_lost: Callable[[], None]) -> None:
        """Count session ``sid`` here; ``on_lost()`` is called if the worker dies."""
        self.sessions[sid] = on_lost

    def detach(self, sid: str) -> None:
        """Forget session ``sid`` here and in the worker."""
        if self.sessions.pop(sid, None) is not None and self.alive:
            self.post("close", sid)

    async def call(self, method: str, *args: Any) -> Any:
        """Run :class:`SessionTable`'s ``method(*args)`` in the worker; return its outcome."""
        raise NotImplementedError

    def post(self, method: str, *args: Any) -> None:
        """Run ``method(*args)`` in the worker without waiting for it."""
        raise NotImplementedError

    def stop(self) -> None:
        """Ask the worker to stop once it has answered what it was sent."""
        raise NotImplementedError

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` s for the worker to stop."""


class InlineWorker(Worker):
    """Sessions in the server process, run in a thread pool (``workers=0``).

    Args:
        threads: Threads of the pool (default: the CPU count, at most 4).
    """

    def __init__(self, threads: int | None = None) -> None:
        super().__init__(0)
        self.table = SessionTable()
        self.executor = ThreadPoolExecutor(
            threads or max(1, min(4, os.cpu_count() or 1)), thread_name_prefix="playground"
        )
        self._limiter = _limit_blas()

    async def call(self, method: str, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.executor, getattr(self.table, method), *args)
        except Exception as exc:
            log.exception("playground: %s failed", method)
            raise WorkerError(f"{type(exc).__name__}: {exc}") from exc

    def post(self, method: str, *args: Any) -> None:
        getattr(self.table, method)(*args)  # only ``close``: a dict operation, no waiting

    def stop(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self._limiter is not None:
            self._limiter.restore_original_limits()
            self._limiter = None


class ProcessWorker(Worker):
    """One worker process and the two threads that talk to it.

    Must be created in the event loop that awaits its calls.

    Args:
        index: The worker's slot in the pool (in its process name).
        on_lost: Called in the event loop, once, when the process dies unexpectedly.
    """

    def __init__(self, index: int, on_lost: Callable[[ProcessWorker], None]) -> None:
        super().__init__(index)
        self.loop = asyncio.get_running_loop()
        self._on_lost = on_lost
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(
            target=_worker_main,
            args=(child,),
            name=f"gradlab-playground-worker-{index}",
            daemon=True,
        )
        self.process.start()
        _LIVE.add(self)
        child.close()  # the child's end lives in the child: its death ends our reads
        self._ids = itertools.count()
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._alive = True
        self._stopping = False
        #: Whether the worker has started (imported gradlab) and reads its requests.
        self.ready = False
        name = f"playground-worker-{index}"
        self._writer = threading.Thread(target=self._write, name=name + "-send", daemon=True)
        self._reader = threading.Thread(target=self._read, name=name + "-recv", daemon=True)
        self._writer.start()
        self._reader.start()

    @property
    def alive(self) -> bool:
        return self._alive

    @property
    def pid(self) -> int | None:
        return self.process.pid

    async def call(self, method: str, *args: Any) -> Any:
        """Send ``method(*args)`` to the worker and return its outcome.

        Raises:
            WorkerLost: the worker is gone (before or while it answered).
            WorkerError: the request failed in the worker.
        """
        if not self._alive:
            raise WorkerLost(f"worker {self.index} is not running")
        call_id = next(self._ids)
        future = self.loop.create_future()
        self._pending[call_id] = future
        self._outbox.put((call_id, method, args))
        try:
            return await future
        finally:
            self._pending.pop(call_id, None)

    def post(self, method: str, *args: Any) -> None:
        """Send ``method(*args)`` without waiting for (or getting) a reply."""
        if self._alive:
            self._outbox.put((None, method, args))

    def stop(self) -> None:
        """Ask the worker to exit after the requests already sent (see :meth:`join`)."""
        self._stopping = True
        self._outbox.put(None)

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` s for the process to exit, then kill it (it ignores SIGTERM).
        A worker still starting (importing) holds nothing: it is killed at once."""
        self.process.join(timeout if self.ready else 0.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2.0)
        _LIVE.discard(self)
        self._outbox.put(None)  # the writer may still wait (a stop after a death)
        self._alive = False
        with contextlib.suppress(OSError):
            self.conn.close()

    # -- the two threads ---------------------------------------------------------------------
    def _write(self) -> None:
        while True:
            item = self._outbox.get()
            try:
                self.conn.send(item)
            except (OSError, ValueError):  # the worker is gone; the reader tells
                return
            if item is None:
                return

    def _read(self) -> None:
        while True:
            try:
                reply = self.conn.recv()
            except (EOFError, OSError):
                break
            except Exception:  # pragma: no cover - an unpicklable reply: a bug
                log.exception("playground worker %d sent an unreadable reply", self.index)
                continue
            if reply[0] == "ready":
                self.ready = True
                continue
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits
                self.loop.call_soon_threadsafe(self._resolve, *reply)
        self.process.join(1.0)  # reap it
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._ended)

    # -- in the event loop -------------------------------------------------------------------
    def _resolve(self, call_id: int, ok: bool, result: Any) -> None:
        future = self._pending.get(call_id)
        if future is None or future.done():
            return
        if ok:
            future.set_result(result)
        else:
            future.set_exception(WorkerError(result))

    def _ended(self) -> None:
        self._alive = False
        pending, self._pending = self._pending, {}
        reason = "stopped" if self._stopping else f"died (exit code {self.process.exitcode})"
        for future in pending.values():
            if not future.done():
                future.set_exception(WorkerLost(f"worker {self.index} {reason}"))
        if not self._stopping:
            log.error(
                "playground worker %d (pid %s) died with exit code %s; its %d session(s) "
                "are closed",
                self.index,
                self.process.pid,
                self.process.exitcode,
                len(self.sessions),
            )
            self._on_lost(self)


#: The workers started and not yet joined, stopped at exit (:func:`_stop_at_exit`).
_LIVE: weakref.WeakSet[ProcessWorker] = weakref.WeakSet()


def _stop_at_exit() -> None:
    """Stop the workers a server left running (its lifespan never ended: an app used without
    its lifespan, an exception). Registered after :mod:`multiprocessing`'s own exit handler,
    so it runs first: that one would wait for ever on workers that ignore SIGTERM."""
    workers = list(_LIVE)
    for worker in workers:
        worker.stop()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))


atexit.register(_stop_at_exit)


class WorkerPool:
    """The workers of one server: started with it, given sessions, stopped with it.

    Args:
        workers: Worker processes (``None``: :func:`default_workers`); ``0``: one
            :class:`InlineWorker` (sessions in the server process, in a thread pool).
        threads: Threads of the :class:`InlineWorker` (``workers=0`` only).
    """

    def __init__(self, workers: int | None = None, *, threads: int | None = None) -> None:
        n = default_workers() if workers is None else int(workers)
        if n < 0:
            raise ValueError(f"workers must be 0 (in-process) or more, got {workers}")
        self.size = n
        self.threads = threads
        self.slots: list[Worker] = []
        #: How many workers were started again after dying.
        self.restarts = 0

    @property
    def started(self) -> bool:
        return bool(self.slots)

    def start(self) -> None:
        """Start the workers (in the running event loop); idempotent."""
        if self.slots:
            return
        if self.size == 0:
            self.slots = [InlineWorker(self.threads)]
        else:
            self.slots = [ProcessWorker(i, self._lost) for i in range(self.size)]

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop every worker: each finishes what it was sent, then exits (or is terminated
        after ``timeout`` s in all)."""
        slots, self.slots = self.slots, []
        for worker in slots:
            worker.stop()
        deadline = time.monotonic() + timeout
        for worker in slots:
            worker.join(max(0.0, deadline - time.monotonic()))

    def place(self, sid: str, on_lost: Callable[[], None]) -> Worker:
        """Put session ``sid`` on the worker holding the fewest sessions (a dead worker's slot
        gets a new process first) and return it; ``on_lost`` is called if it dies."""
        self.start()
        for i, worker in enumerate(self.slots):
            if not worker.alive:
                self.slots[i] = ProcessWorker(i, self._lost)
                self.restarts += 1
        worker = min(self.slots, key=lambda w: len(w.sessions))
        worker.attach(sid, on_lost)
        return worker

    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        return [w.pid for w in self.slots if w.alive and w.pid is not None]

    def _lost(self, worker: ProcessWorker) -> None:
        sessions, worker.sessions = worker.sessions, {}
        for on_lost in sessions.values():
            on_lost()
