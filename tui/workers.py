"""Worker processes for pure, slow, per-document work (cleaning, sentence splitting).

The importer and ``Store.reclean`` hand each document to an ``OrderedPool``
and take the results back in the order they were given, so the one process
that writes the database writes exactly what it would have written alone.
Everything about processes that can go wrong is handled here, once: the
start method, the app's captured stderr, Ctrl-C, a parent killed outright,
and a pool that cannot start or breaks (the work is then done in this
process: slower, never lost).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from tui.errors import UserError

T = TypeVar("T")

#: How often a worker checks that the process that started it is alive.
WATCHDOG_SECONDS = 0.5
#: Fewest documents (files of an import, articles of a re-clean) worth
#: starting workers for: starting one costs about 0.2 s, the time of cleaning
#: ten text pages.
BATCH_MIN = 16
#: Documents handed out ahead of the one being written, per worker: enough to
#: keep the workers busy, few enough to bound memory on a huge feed.
AHEAD_PER_WORKER = 4


def default_jobs() -> int:
    """Worker processes for a batch: one per CPU this process may use, at most 8
    (the single writer stores about 100 articles a second, which 8 workers
    already outrun on HTML), or ``$PARALLAX_JOBS``."""
    stated = os.environ.get("PARALLAX_JOBS", "").strip()
    if stated:
        if not stated.isdigit() or not 1 <= int(stated) <= 64:
            raise UserError(f"$PARALLAX_JOBS is {stated!r}: set it to a number of worker processes "
                            "from 1 to 64, or unset it for one per CPU")
        return int(stated)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


class OrderedPool(Generic[T]):
    """Runs ``fn`` here or in worker processes; the caller takes results in its own order.

    ``submit`` starts the work in a worker (the pool is started at the first
    call, so a job with nothing to do starts no process) and returns a handle;
    ``result`` gives the result for that handle, computing it here when there
    is no pool or the worker failed. ``fn`` must be a module-level function.
    ``workers`` None means ``default_jobs()``; 1 runs everything here.
    """

    def __init__(self, fn: Callable[..., T], workers: int | None) -> None:
        self.fn = fn
        self.workers = workers if workers is not None else default_jobs()
        self.pool: ProcessPoolExecutor | None = None
        self.parallel = self.workers > 1  # False once the pool broke: the rest runs here

    @property
    def ahead(self) -> int:
        """How many handles a caller keeps open before taking the first result back."""
        return AHEAD_PER_WORKER * self.workers if self.parallel else 0

    def submit(self, *args: Any) -> Future[T] | None:
        if not self.parallel:
            return None
        try:
            with _stderr_with_a_file():
                if self.pool is None:
                    self.pool = ProcessPoolExecutor(self.workers, mp_context=_context(),
                                                    initializer=_worker_start, initargs=(os.getpid(),))
                return self.pool.submit(self.fn, *args)
        except Exception:  # noqa: BLE001 - no pool (a sandbox without semaphores, say): run here
            self._give_up_pool()
            return None

    def result(self, future: Future[T] | None, *args: Any) -> T:
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:
                self._give_up_pool()
            except Exception:  # noqa: BLE001 - e.g. a result that cannot be pickled: run it here
                pass
        return self.fn(*args)

    def _give_up_pool(self) -> None:
        self.parallel = False
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def __enter__(self) -> OrderedPool[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _worker_start(parent: int) -> None:
    """Set a worker up to live and die with the process that started it.

    Ctrl-C is for that process to handle (it stops the pool): a worker that
    took it too would die printing a traceback. Nor may a worker write to the
    terminal, which the app is drawing on: its failures reach the parent as
    the document's error line or as a broken pool. And a parent killed
    outright (SIGKILL, a crash) closes no pool: a watchdog ends the worker
    instead of leaving it asleep forever.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parallax-parent-watchdog", daemon=True).start()


@contextmanager
def _stderr_with_a_file() -> Iterator[None]:
    """Give ``sys.stderr`` a file descriptor while processes start.

    multiprocessing hands its helper process ``sys.stderr.fileno()``; inside
    the app Textual has replaced ``sys.stderr`` with a capture that has none,
    and starting the pool fails. The helper gets /dev/null instead.
    """
    try:
        ok = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        ok = False
    if ok:
        yield
        return
    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            yield
        finally:
            sys.stderr = saved


def _context() -> multiprocessing.context.BaseContext:
    """fork when this process runs one thread (the CLI) on Linux, else spawn.

    fork starts a worker in milliseconds and does not run the caller's main
    script again (spawn re-imports it, which an unguarded user script would
    not survive); but forking a process with other threads can copy a lock
    one of them holds into the child, so the app, which works in a worker
    thread, spawns.
    """
    if threading.active_count() == 1 and sys.platform.startswith("linux"):  # macOS: fork is unsafe
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
