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

The worker keeps one connection of its own (`_Link`) instead of taking one from the pool per group:
no checkout and pre-ping round trip per group (a connection idle for a while is pinged first). On
PostgreSQL it runs in autocommit: every statement already reads its own snapshot under READ COMMITTED,
and the group's log is one INSERT, which commits, durably, by itself — so a group costs no BEGIN and
COMMIT round trips, and a failure before the INSERT leaves nothing. On SQLite a group is one write
transaction as before.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from panshi.accounts.schemas import Principal
from panshi.accounts.service import authenticate
from panshi.core import db as core_db
from panshi.core.errors import PanshiError
from panshi.sanctions.schemas import CheckOut
from panshi.sanctions.service import CheckRequest, parse_check, run_checks

MAX_GROUP = 256  # checks answered in one transaction at most
PING_AFTER = 2.0  # seconds idle after which the worker's connection is checked before use
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


class _Link:
    """The worker's own connection to the configured database (see the module docstring)."""

    def __init__(self) -> None:
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        self._used = 0.0

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session on the kept connection: one group's unit of work (committed when the block succeeds)."""
        connection = self._connect()
        session = Session(bind=connection, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            self.close()  # a failed group may leave the connection in any state: the next one opens anew
            raise
        finally:
            session.close()
            self._used = time.monotonic()

    def _connect(self) -> Connection:
        engine = core_db.get_engine()  # tests point the platform at another database between groups
        if self._connection is not None and (engine is not self._engine or self._connection.closed):
            self.close()
        if self._connection is not None and time.monotonic() - self._used > PING_AFTER:
            try:
                self._connection.exec_driver_sql("SELECT 1").close()
                self._connection.rollback()  # end the ping's transaction: the group's session begins its own
            except Exception:  # noqa: BLE001 - the server went away while idle: open a new connection
                self.close()
        if self._connection is None:
            connection = engine.connect()
            if engine.dialect.name == "postgresql":
                connection.execution_options(isolation_level="AUTOCOMMIT")
            else:
                connection.execution_options(sqlite_immediate=True)  # a group writes: take the lock at BEGIN
            self._engine, self._connection = engine, connection
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail too; it is dropped
                log.debug("closing the check worker's connection failed", exc_info=True)
        self._engine, self._connection = None, None


class CheckPipeline:
    """One worker thread per process that answers and logs waiting checks together."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._link = _Link()

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
        try:
            try:
                results = self._run(group)
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                # The kept connection was gone (the server restarted, an idle connection was cut): reads
                # failed, or the one INSERT did, so nothing of the group is logged: answer it on a new one.
                log.warning("check worker's connection lost; the group of %d is answered again", len(group))
                results = self._run(group)
        except Exception as exc:  # noqa: BLE001 - the group's transaction failed: every check in it gets the error
            log.exception("check group of %d failed", len(group))
            results = [exc] * len(group)
        for waiting, result in zip(group, results, strict=True):
            waiting.loop.call_soon_threadsafe(_settle, waiting.future, result)

    def _run(self, group: list[_Waiting]) -> list[Any]:
        results: list[Any] = [None] * len(group)
        with self._link.session() as session:
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
        return results


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if future.done():  # the client went away
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


pipeline = CheckPipeline()
