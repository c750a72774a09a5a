"""Where the lab's work units run: in this process, in local worker processes, or on a Dask
cluster.

Every executor has one method that matters, :meth:`Executor.map_unordered`: it runs
``fn(item)`` for each item, at most :attr:`Executor.workers` at a time, and yields
``(item, result)`` as each finishes. ``fn`` must be a module-level function and the items and
results plain picklable data, so the same call runs anywhere and gives the same numbers (the
lab's units pin their BLAS threads, so a result does not depend on where it ran).

* :class:`InProcess` — one after the other, here (``--jobs 1``).
* :class:`LocalProcesses` — a pool of worker processes on this machine (``--jobs N``). Ctrl-C
  stops the workers before the error propagates.
* :class:`DaskCluster` — a Dask distributed cluster: an existing scheduler
  (``--scheduler tcp://HOST:8786``) or a ``LocalCluster`` it starts on 127.0.0.1
  (``--dask-local N``). Needs the ``distributed`` extra: ``pip install "gradlab[distributed]"``.

>>> with make_executor(jobs=1) as ex:
...     sorted(result for _, result in ex.map_unordered(abs, [-2, 1]))
[1, 2]
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from ..i18n import _

__all__ = [
    "DaskCluster",
    "Executor",
    "InProcess",
    "LocalProcesses",
    "make_executor",
    "sigint_held",
]


class Executor:
    """Runs ``fn(item)`` for many items; see the module docstring."""

    #: How many items run at once.
    workers: int = 1

    def map_unordered(
        self,
        fn: Callable[[Any], Any],
        items: Iterable[Any],
        on_submit: Callable[[Any], None] | None = None,
    ) -> Iterator[tuple[Any, Any]]:
        """Yield ``(item, fn(item))`` as each finishes; ``on_submit(item)`` when it starts."""
        raise NotImplementedError

    def describe(self) -> str:
        """A few words for the report: where the units ran."""
        return type(self).__name__

    def close(self) -> None:
        """Release the workers."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InProcess(Executor):
    """Run each item here, one after the other."""

    def map_unordered(self, fn, items, on_submit=None):  # type: ignore[no-untyped-def]
        for item in items:
            if on_submit:
                on_submit(item)
            yield item, fn(item)

    def describe(self) -> str:
        return _("this process")


class LocalProcesses(Executor):
    """A pool of ``jobs`` worker processes on this machine."""

    def __init__(self, jobs: int) -> None:
        self.workers = jobs
        self._before = {child.pid for child in multiprocessing.active_children()}
        self._pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_sigint)

    def map_unordered(self, fn, items, on_submit=None):  # type: ignore[no-untyped-def]
        queue = list(items)
        pending: dict[Future, Any] = {}
        try:
            while queue or pending:
                while queue and len(pending) < self.workers:
                    item = queue.pop(0)
                    if on_submit:
                        on_submit(item)
                    pending[self._pool.submit(fn, item)] = item
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), future.result()
        except BaseException:  # Ctrl-C or a broken pool: stop the workers, then raise
            with sigint_held():
                self._stop()
            raise

    def describe(self) -> str:
        return _("{n} local worker processes").format(n=self.workers)

    def _stop(self) -> None:
        """Cancel what has not started and end the worker processes now (SIGTERM, waited for,
        so none is still writing when the caller cleans up)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        workers = [c for c in multiprocessing.active_children() if c.pid not in self._before]
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.kill()
                worker.join(timeout=5)

    def close(self) -> None:
        self._pool.shutdown()


class DaskCluster(Executor):
    """Run items as tasks on a Dask distributed cluster.

    Args:
        address: A running scheduler (``"tcp://HOST:8786"``); ``None`` starts a
            ``LocalCluster`` of ``local_workers`` single-threaded worker processes on
            127.0.0.1, closed again by :meth:`close`.
        local_workers: Workers of the local cluster.

    Raises:
        ImportError: naming the extra to install when ``distributed`` is missing.
    """

    def __init__(self, address: str | None = None, local_workers: int = 2) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ImportError(
                "running on a Dask cluster needs the distributed extra: pip install "
                '"gradlab[distributed]"'
            ) from None
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(
                n_workers=local_workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
        else:
            self._client = Client(address, timeout="20s")
        self.address = address or self._cluster.scheduler_address
        self.workers = max(1, sum(self._client.nthreads().values()))

    def map_unordered(self, fn, items, on_submit=None):  # type: ignore[no-untyped-def]
        from distributed import as_completed

        futures = {}
        for item in items:
            if on_submit:
                on_submit(item)
            futures[self._client.submit(fn, item, pure=False)] = item
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        except BaseException:
            self._client.cancel(list(futures))
            raise

    def describe(self) -> str:
        if self._cluster is not None:
            text = _("a local Dask cluster at {address} ({n} worker threads)")
        else:
            text = _("the Dask cluster at {address} ({n} worker threads)")
        return text.format(address=self.address, n=self.workers)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(
    *, jobs: int = 1, scheduler: str | None = None, dask_local: int | None = None
) -> Executor:
    """Return the executor the command line asks for.

    Args:
        jobs: Local worker processes (1: this process).
        scheduler: The address of a Dask scheduler.
        dask_local: Start a local Dask cluster of this many workers.

    Raises:
        ValueError: for a non-positive count, or both ``scheduler`` and ``dask_local``.
    """
    if scheduler is not None and dask_local is not None:
        raise ValueError("give a Dask scheduler address or a local cluster size, not both")
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be a positive int; received {jobs!r}")
    if scheduler is not None:
        return DaskCluster(address=scheduler)
    if dask_local is not None:
        if not isinstance(dask_local, int) or isinstance(dask_local, bool) or dask_local < 1:
            raise ValueError(f"dask_local must be a positive int; received {dask_local!r}")
        return DaskCluster(local_workers=dask_local)
    return InProcess() if jobs == 1 else LocalProcesses(jobs)


def _ignore_sigint() -> None:
    """Worker initializer: leave Ctrl-C to the parent, which stops the workers itself.

    Without it a Ctrl-C in the terminal reaches every worker too, and each idle one prints its
    own ``KeyboardInterrupt`` traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def sigint_held() -> Iterator[None]:
    """Hold back Ctrl-C inside the block and raise ``KeyboardInterrupt`` after it, if pressed.

    Only the main thread receives signals; elsewhere the block runs unguarded.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
    if pressed and callable(previous):  # default_int_handler raises KeyboardInterrupt
        previous(signal.SIGINT, None)
