"""Batch evaluation of the whole population: resumable, in chunks, one run at a time.

A run is a job, not a request: each chunk is its own unit of work, which writes the chunk's results
and moves the run's cursor past it in one transaction, and only while this process still holds the
run (`owner`, checked by the cursor update itself). So:
- an interrupted run (an error, Ctrl-C, a killed process) has its results up to its last committed
  chunk and nothing of the chunk it was in; the next `panshi evaluate` resumes it from the cursor,
  on the same evaluation date, and no subject is graded twice in one run (unique run_id, subject_id);
- a second run while one holds its lease is refused (EvaluationBusy); a run whose process died
  without a word is taken over once its lease has run out.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from panshi.core.db import get_engine, is_postgres, unit_of_work
from panshi.core.errors import PanshiError
from panshi.core.timeutil import today_shanghai, utcnow
from panshi.evaluation import repository
from panshi.evaluation.definition import ModelSet, model_set
from panshi.evaluation.models import EvaluationRun
from panshi.evaluation.schemas import RunOut
from panshi.evaluation.scoring import SubjectFacts
from panshi.evaluation.service import ChunkPoints, read_points, result_rows, score_points
from panshi.subjects import service as subjects

LEASE = timedelta(minutes=10)
CHUNK_SIZE = 2_000
SWEEP_TURN = 50_000  # changed subjects found by one statement, then graded chunk by chunk
READERS = 2  # chunks read at once on PostgreSQL while the current one is scored and written
SWEEP_ACTOR = "regrade:"  # the actor of a run that is a re-grading sweep (never resumed)


def is_sweep(actor: str) -> bool:
    return actor.startswith(SWEEP_ACTOR)


class EvaluationBusy(PanshiError):
    code = "evaluation_busy"
    status_code = 409


class UnfinishedRun(PanshiError):
    code = "unfinished_run"
    status_code = 409


class LeaseLost(PanshiError):
    code = "evaluation_lease_lost"
    status_code = 409


@dataclass
class Claim:
    """The run this process holds."""

    run_id: int
    owner: str
    models: ModelSet
    as_of: date
    cursor: int
    total: int
    done: int
    resumed: bool


def run(
    *,
    model: str | None = None,
    as_of: date | None = None,
    chunk_size: int = CHUNK_SIZE,
    actor: str = "cli",
    abandon: bool = False,
    engine: Engine | None = None,
    on_start: Callable[[Claim], None] | None = None,
    after_chunk: Callable[[Claim], None] | None = None,
) -> RunOut:
    """Grade every current subject that a model of `model` (a version or model id; default: the newest
    version) evaluates, resuming the unfinished run if there is one."""
    models = model_set(model)
    with unit_of_work(engine, write=True) as session:
        held = claim(session, models=models, as_of=as_of, actor=actor, abandon=abandon)
    if on_start:
        on_start(held)
    with _ending(held, engine=engine, on_error="interrupted"):
        for read in _read_ahead(held, chunk_size=chunk_size, engine=engine):
            _write_chunk(held, read, engine=engine)
            if after_chunk:
                after_chunk(held)
    with unit_of_work(engine) as session:
        return _run_out(session, held.run_id, resumed=held.resumed)


@contextmanager
def _ending(held: Claim, *, engine: Engine | None, on_error: str) -> Iterator[None]:
    """End the run `held` as finished when the block completes, as `on_error` (interrupted: resumed by
    the next run; abandoned: dropped) when it raises — Ctrl-C included."""
    try:
        yield
    except BaseException:
        with unit_of_work(engine, write=True) as session:
            repository.end_run(session, run_id=held.run_id, owner=held.owner, status=on_error, now=utcnow())
        raise
    with unit_of_work(engine, write=True) as session:
        repository.end_run(session, run_id=held.run_id, owner=held.owner, status="finished", now=utcnow())


def claim(
    session: Session,
    *,
    models: ModelSet,
    as_of: date | None,
    actor: str,
    abandon: bool = False,
    sweep: bool = False,
    now: datetime | None = None,
) -> Claim:
    """Take the unfinished run (resume) or start a new one; refuse while another process holds one.
    A re-grading sweep (`sweep`) starts with a total of 0 and refuses to bury an interrupted batch."""
    now = now or utcnow()
    owner = secrets.token_hex(16)
    ids = models.ids
    kinds = models.kinds
    unfinished = repository.unfinished_run(session)
    if unfinished is not None:
        held = unfinished.status == "running" and _aware(unfinished.lease_until) > now
        if held:
            raise EvaluationBusy(
                f"评价任务 {unfinished.id}（{unfinished.models}）正在运行，已完成 {unfinished.done}/{unfinished.total}；"
                f"请等待其结束（租约至 {_aware(unfinished.lease_until):%Y-%m-%d %H:%M:%S} UTC）"
            )
        if abandon or is_sweep(unfinished.actor):  # a sweep is never resumed: the next finds what is left
            repository.end_run(
                session, run_id=unfinished.id, owner=unfinished.owner, status="abandoned", now=now
            )
            session.flush()
        elif sweep:
            raise UnfinishedRun(
                f"评价任务 {unfinished.id}（{unfinished.models}）未完成：先用 `panshi evaluate` 续跑"
                "（它评价全部主体），之后再按记录变动重新评价"
            )
        elif unfinished.models != ids or (as_of is not None and as_of != unfinished.as_of):
            raise UnfinishedRun(
                f"评价任务 {unfinished.id}（{unfinished.models}，评价日 {unfinished.as_of}）未完成："
                f"用 `panshi evaluate --model {unfinished.models.split(',')[0].rsplit('-', 1)[1]}` 续跑，"
                "或加 --abandon 放弃后重新开始"
            )
        else:
            if not repository.take_over(session, run_id=unfinished.id, from_owner=unfinished.owner,
                                        to_owner=owner, lease_until=now + LEASE):  # fmt: skip
                raise EvaluationBusy(f"评价任务 {unfinished.id} 刚被另一进程接手")
            return Claim(run_id=unfinished.id, owner=owner, models=models, as_of=unfinished.as_of,
                         cursor=unfinished.cursor, total=unfinished.total, done=unfinished.done, resumed=True)  # fmt: skip
    as_of = as_of or today_shanghai()
    total = 0 if sweep else subjects.count_current_subjects(session, kinds=kinds)
    actor = f"{SWEEP_ACTOR}{actor}" if sweep else actor
    row = EvaluationRun(models=ids, as_of=as_of, status="running", slot=1, owner=owner, lease_until=now + LEASE,
                        cursor=0, total=total, done=0, actor=actor[:200], started_at=now, updated_at=now)  # fmt: skip
    try:
        repository.add_run(session, row)
    except IntegrityError:
        raise EvaluationBusy("另一评价任务刚刚开始；请等待其结束") from None
    return Claim(run_id=row.id, owner=owner, models=models, as_of=as_of, cursor=0, total=total, done=0,
                 resumed=False)  # fmt: skip


def regrade_changed(
    *,
    model: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    actor: str = "cli",
    engine: Engine | None = None,
    after_chunk: Callable[[Claim], None] | None = None,
) -> RunOut:
    """Re-grade, on today's date, exactly the subjects whose records changed since their latest result
    of the current models (and those with none): set-based, in chunks, under the run lease — so never
    interleaved with a batch run (EvaluationBusy while one holds it). Rerunnable: an interrupted sweep
    is dropped, and the next one finds whatever is still changed."""
    models = model_set(model)
    with unit_of_work(engine, write=True) as session:
        held = claim(session, models=models, as_of=today_shanghai(), actor=actor, sweep=True)
    with _ending(held, engine=engine, on_error="abandoned"):
        while turn := _changed_turn(held, engine=engine):
            for start in range(0, len(turn), chunk_size):
                _grade_chunk(
                    held,
                    turn[start : start + chunk_size],
                    engine=engine,
                    counted=len(turn) if start == 0 else 0,
                )
                if after_chunk:
                    after_chunk(held)
    with unit_of_work(engine) as session:
        return _run_out(session, held.run_id, resumed=False)


def _changed_turn(held: Claim, *, engine: Engine | None) -> list[tuple[int, str, str | None]]:
    """The next changed subjects after the sweep's cursor (at most SWEEP_TURN)."""
    with unit_of_work(engine) as session:
        return repository.changed_subjects(
            session, model_ids=[m.id for m in held.models.models], kinds=held.models.kinds,
            after=held.cursor, limit=SWEEP_TURN,
        )  # fmt: skip


Subjects = tuple[int, str, str | None]  # id, kind, uscc


@dataclass
class ChunkRead:
    """A chunk of the population and what the scoring statement read for it, from `started` on."""

    chunk: list[Subjects]
    points: ChunkPoints
    started: datetime


def _population_after(held: Claim, *, after: int, chunk_size: int, engine: Engine | None) -> list[Subjects]:
    """The next chunk of the population after subject id `after` (empty when none is left)."""
    with unit_of_work(engine) as session:
        return subjects.current_subjects_after(
            session, kinds=held.models.kinds, after=after, limit=chunk_size
        )


def _read_chunk(held: Claim, chunk: list[Subjects], *, engine: Engine | None) -> ChunkRead:
    """The points of a chunk's records, in a transaction of their own. `started` is taken before the
    records are read: a change stamped later is one the result has not seen (re-grading)."""
    with unit_of_work(engine) as session:
        started = utcnow()
        facts = [SubjectFacts(subject_id=i, kind=k, uscc=u) for i, k, u in chunk]
        points = read_points(session, models=held.models, subjects=facts, as_of=held.as_of)
    return ChunkRead(chunk, points, started)


def _read_ahead(held: Claim, *, chunk_size: int, engine: Engine | None) -> Iterator[ChunkRead]:
    """The chunks of the run from its cursor on, in order. On PostgreSQL the next READERS chunks are
    read at once (each in its own transaction and thread: the server works on them while this process
    scores and writes the current one); on SQLite one after the other (one writer; readers would
    block it)."""
    after = held.cursor
    if not is_postgres(engine or get_engine()):
        while chunk := _population_after(held, after=after, chunk_size=chunk_size, engine=engine):
            yield _read_chunk(held, chunk, engine=engine)
            after = chunk[-1][0]
        return
    pending: deque[Future[ChunkRead]] = deque()
    with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="evaluation-read") as pool:
        try:
            while True:
                while len(pending) < READERS and (
                    chunk := _population_after(held, after=after, chunk_size=chunk_size, engine=engine)
                ):
                    pending.append(pool.submit(_read_chunk, held, chunk, engine=engine))
                    after = chunk[-1][0]
                if not pending:
                    return
                yield pending.popleft().result()
        finally:
            for future in pending:  # a run that stops waits for the reads under way, and drops them
                future.cancel()


def _next_chunk(held: Claim, *, chunk_size: int, engine: Engine | None) -> bool:
    """Grade the next chunk of the population and move the cursor past it; False when none is left."""
    chunk = _population_after(held, after=held.cursor, chunk_size=chunk_size, engine=engine)
    if not chunk:
        return False
    _write_chunk(held, _read_chunk(held, chunk, engine=engine), engine=engine)
    return True


def _grade_chunk(
    held: Claim, chunk: list[tuple[int, str, str | None]], *, engine: Engine | None, counted: int = 0
) -> None:
    """Grade these subjects (a re-grading sweep's chunk: read and written in one transaction)."""
    with unit_of_work(engine, write=True) as session:
        facts = [SubjectFacts(subject_id=i, kind=k, uscc=u) for i, k, u in chunk]
        started = utcnow()
        points = read_points(session, models=held.models, subjects=facts, as_of=held.as_of)
        _store(session, held, ChunkRead(chunk, points, started), counted=counted)
    _advanced(held, chunk, counted=counted)


def _write_chunk(held: Claim, read: ChunkRead, *, engine: Engine | None) -> None:
    """Score a chunk read before, write its results and move the run's cursor past it."""
    with unit_of_work(engine, write=True) as session:
        _store(session, held, read, counted=0)
    _advanced(held, read.chunk, counted=0)


def _store(session: Session, held: Claim, read: ChunkRead, *, counted: int) -> None:
    """Score the chunk, write its results and move the run's cursor past it, in the session's
    transaction, if this process still holds the run (`counted`: subjects to add to a sweep's total)."""
    graded = score_points(read.points, as_of=held.as_of)
    rows = result_rows(graded, run_id=held.run_id, as_of=held.as_of, computed_at=read.started)
    repository.insert_evaluations(session, rows)
    now = utcnow()
    if not repository.advance(session, run_id=held.run_id, owner=held.owner, cursor=read.chunk[-1][0],
                              done=len(read.chunk), lease_until=now + LEASE, now=now):  # fmt: skip
        raise LeaseLost(f"评价任务 {held.run_id} 已被另一进程接手；本进程停止，未写入本批结果")
    if counted:
        repository.add_to_total(session, run_id=held.run_id, owner=held.owner, count=counted)


def _advanced(held: Claim, chunk: list[tuple[int, str, str | None]], *, counted: int) -> None:
    """The committed chunk's progress, in this process's view of the run."""
    held.cursor, held.done, held.total = chunk[-1][0], held.done + len(chunk), held.total + counted


def _run_out(session: Session, run_id: int, *, resumed: bool) -> RunOut:
    row = repository.get_run(session, run_id)
    assert row is not None
    return RunOut(id=row.id, models=row.models.split(","), as_of=row.as_of, status=row.status, total=row.total,
                  done=row.done, resumed=resumed, started_at=row.started_at, finished_at=row.finished_at)  # fmt: skip


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
