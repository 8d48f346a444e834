"""Reading and validating the next chunk of a file while the database stores the current one."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from queue import Full, Queue
from typing import TypeVar

T = TypeVar("T")


class _Done:
    pass


def read_ahead(items: Iterable[T]) -> Iterator[T]:
    """The items of `items`, each made in a worker thread while the caller handles the one before.

    Parsing and validation (polars, Arrow) run while PostgreSQL merges the previous chunk, so the
    two overlap on two cores. At most two items exist beyond the caller's: memory stays flat. An
    error in the worker is raised in the caller; a caller that stops early stops the worker.
    """
    queue: Queue[T | _Done | BaseException] = Queue(maxsize=1)
    stopped = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _put(queue, item, stopped):
                    return
            _put(queue, _Done(), stopped)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
            _put(queue, exc, stopped)

    worker = threading.Thread(target=produce, name="ingest-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = queue.get()
            if isinstance(item, _Done):
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stopped.set()
        worker.join()


def _put(
    queue: Queue[T | _Done | BaseException], item: T | _Done | BaseException, stopped: threading.Event
) -> bool:
    """Put `item`, waiting for room, unless the caller has stopped reading."""
    while not stopped.is_set():
        try:
            queue.put(item, timeout=0.1)
            return True
        except Full:
            continue
    return False
