"""Group commit for single checks: the checks that arrive while a group is being answered form the next group.

Every check must be logged durably before its answer leaves. One transaction and one WAL flush per
check is what limits a naive endpoint; here a worker thread takes every check waiting, answers them
with `run_checks` (a few set-based statements for all of them), commits once, and only then releases
each answer. Under light load a group is one check and nothing waits; under heavy load groups grow and
the cost per check falls. Each request still gets its own answer, receipt and error, and a list change
committed before a check arrives is seen by it (its group's statements start after it arrived).

A system's bearer token is checked in the worker too, once per distinct token of a group, so that a
check costs the request's thread nothing but parsing (a thread-pool hop and a connection of its own
per request for authentication was what made the naive form slow and, under overload, starve the
connection pool).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from panshi.accounts.schemas import Principal
from panshi.accounts.service import authenticate
from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError
from panshi.sanctions.schemas import CheckOut
from panshi.sanctions.service import CheckRequest, parse_check, run_checks

MAX_GROUP = 256  # checks answered in one transaction at most
log = logging.getLogger(__name__)


Authorise = Callable[[Principal], Principal]  # raises NotAuthenticated / NotAuthorised


@dataclass(frozen=True)
class _Waiting:
    body: bytes  # the request's JSON, validated once the caller is authorised
    who: Principal | None  # known already (a signed-in browser), or
    token: str | None  # a bearer token to authenticate in the group
    authorise: Authorise
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[CheckOut]


class CheckPipeline:
    """One worker thread per process that answers and logs waiting checks together."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    async def submit(
        self, body: bytes, *, authorise: Authorise, who: Principal | None = None, token: str | None = None
    ) -> CheckOut:
        """Answer one check once it and its group are committed; a refusal is raised (PanshiError)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[CheckOut] = loop.create_future()
        self._start()
        self._queue.put(_Waiting(body, who, token, authorise, loop, future))
        return await future

    def _start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="panshi-checks", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            group = [self._queue.get()]
            while len(group) < MAX_GROUP:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._answer(group)

    def _answer(self, group: list[_Waiting]) -> None:
        results: list[Any] = [None] * len(group)
        try:
            with unit_of_work(write=True) as session:
                principals: dict[str, Principal | PanshiError] = {}
                for token in {w.token for w in group if w.token}:
                    try:
                        principals[token] = authenticate(session, token)
                    except PanshiError as refused:
                        principals[token] = refused
                requests: dict[int, CheckRequest] = {}
                for i, w in enumerate(group):
                    who = w.who if w.who is not None else principals[w.token or ""]
                    try:
                        if isinstance(who, PanshiError):
                            raise who
                        w.authorise(who)
                        b = parse_check(w.body)
                    except PanshiError as refused:
                        results[i] = refused
                        continue
                    requests[i] = CheckRequest(who, b.subject, b.scenario, b.purpose, b.case_reference)
                for i, result in zip(requests, run_checks(session, list(requests.values())), strict=True):
                    results[i] = result
        except Exception as exc:  # noqa: BLE001 - the group's transaction failed: every check in it gets the error
            log.exception("check group of %d failed", len(group))
            results = [exc] * len(group)
        for waiting, result in zip(group, results, strict=True):
            waiting.loop.call_soon_threadsafe(_settle, waiting.future, result)


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if future.done():  # the client went away
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


pipeline = CheckPipeline()
