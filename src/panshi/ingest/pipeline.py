"""Reading and validating the next chunk of a file while the database stores the current one."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Generator, Iterable
from queue import Empty, Queue
from typing import TypeVar

T = TypeVar("T")
_WAIT = 0.1  # seconds between looks at whether the caller stopped


class _Done:
    pass


def read_ahead(items: Iterable[T]) -> Generator[T, None, None]:
    """The items of `items`, each made in a worker thread while the caller handles the one before.

    Parsing and validation (polars, Arrow) run while PostgreSQL stores the previous chunk, so the
    two overlap on two cores. The worker starts an item only once the caller has taken the one
    before: two items exist at a time, whatever the file size. An error in the worker is raised in
    the caller; a caller that stops early stops the worker.
    """
    handed: Queue[T | _Done | BaseException] = Queue(maxsize=1)
    taken = threading.Semaphore(0)
    stopped = threading.Event()

    def hand_over(item: T | _Done | BaseException) -> bool:
        handed.put(item)  # never blocks: the caller took the item before
        while not taken.acquire(timeout=_WAIT):
            if stopped.is_set():
                return False
        return True

    def produce() -> None:
        try:
            for item in items:
                if not hand_over(item):
                    return
            hand_over(_Done())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
            hand_over(exc)

    worker = threading.Thread(target=produce, name="ingest-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = handed.get()
            taken.release()
            if isinstance(item, _Done):
                return
            if isinstance(item, BaseException):
                raise item
            yield item
            del item  # the worker's next item and the caller's current one: no more
    finally:
        stopped.set()
        worker.join()
        with contextlib.suppress(Empty):  # an item the caller never took
            handed.get_nowait()
