"""All SQL of evaluation: the points each record earns (one statement for any set of subjects), the
population in chunks, runs and results."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy import insert as sql_insert
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from panshi.core.db import is_postgres
from panshi.evaluation.definition import (
    COMMITMENT_TYPE,
    LICENSE_TYPE,
    LIST_TYPE,
    PENALTY_TYPE,
    Decay,
    EvaluationModel,
    Indicator,
    Source,
)
from panshi.evaluation.models import Evaluation, EvaluationRun
from panshi.records import service as records

LN2 = math.log(2)


# --- the points of records -----------------------------------------------------------------------


def record_points(
    session: Session,
    *,
    model: EvaluationModel,
    subject_ids: Sequence[int],
    as_of: date,
    list_window: records.Window,
) -> list[tuple[int, str, int, date, float]]:
    """(subject_id, indicator, record_id, decision_date, points) of every record that counts for these
    subjects on `as_of`: the one scoring statement, for one subject or a chunk of the population."""
    if not subject_ids:
        return []
    _ensure_math(session)
    _no_jit(session)
    parts = [
        part
        for part in (
            _penalties(session, model.of_source(Source.penalty), subject_ids, as_of),
            _licenses(session, model.of_source(Source.license), subject_ids, as_of),
            _list_entries(model.of_source(Source.list_entry), subject_ids, as_of, list_window),
            _commitments(session, model.of_source(Source.commitment), subject_ids, as_of),
        )
        if part is not None
    ]
    if not parts:
        return []
    query = parts[0].union_all(*parts[1:]) if len(parts) > 1 else parts[0]
    return [(int(s), str(i), int(r), d, float(p)) for s, i, r, d, p in session.execute(query)]


def _penalties(session: Session, indicators: list[Indicator], subject_ids: Sequence[int], as_of: date) -> Any:
    """Each penalty decision in the first indicator whose match it meets (severity classes)."""
    if not indicators:
        return None
    horizon = _horizon(indicators, as_of)
    rows = _read_once(records.active_of_subjects(
        PENALTY_TYPE, subject_ids, fields=("penalty_categories", "fine_amount"), decided_from=horizon,
        decided_to=as_of,
    ))  # fmt: skip
    days = _days_since(session, rows.c.decision_date, as_of)
    cats = literal(";") + func.coalesce(rows.c.penalty_categories, "") + literal(";")
    fine = cast(func.nullif(rows.c.fine_amount, ""), Float)
    conditions = []
    for ind in indicators:
        assert ind.match is not None  # checked at load
        terms: list[ColumnElement[bool]] = []
        if ind.match.categories_any:
            terms.append(or_(*[cats.like(f"%;{c};%") for c in ind.match.categories_any]))
        if ind.match.fine_at_least is not None:
            terms.append(func.coalesce(fine, 0.0) >= ind.match.fine_at_least)
        conditions.append(and_(*terms) if terms else literal(True))
    return _first_match(rows, indicators, conditions, days, dated=rows.c.decision_date, name="penalty_points")


def _first_match(
    rows: Any,
    indicators: list[Indicator],
    conditions: list[ColumnElement[bool]],
    days: ColumnElement[float],
    *,
    dated: Any,
    name: str,
    where: ColumnElement[bool] | None = None,
) -> Any:
    """Each row in the first indicator whose condition it meets (file order), with that indicator's
    decayed points; rows that meet none are left out."""
    pairs = list(zip(conditions, indicators, strict=True))
    indicator = case(*[(c, ind.code) for c, ind in pairs], else_=null())
    points = case(*[(c, _decayed(ind, days)) for c, ind in pairs], else_=null())
    query = select(
        rows.c.subject_id, indicator.label("indicator"), rows.c.id, dated.label("decision_date"),
        cast(points, Float).label("points"),
    )  # fmt: skip
    inner = (query if where is None else query.where(where)).subquery(name)
    return select(inner).where(inner.c.indicator.is_not(None))


def _licenses(session: Session, indicators: list[Indicator], subject_ids: Sequence[int], as_of: date) -> Any:
    """Licenses in force on `as_of` (当前状态 1 有效, 有效期至 not passed), in every license indicator."""
    if not indicators:
        return None
    rows = _read_once(
        records.active_of_subjects(LICENSE_TYPE, subject_ids, fields=("status", "valid_to"), decided_to=as_of)
    )
    days = _days_since(session, rows.c.decision_date, as_of)
    in_force = and_(rows.c.status == "1", rows.c.valid_to >= as_of.isoformat())
    selects = [
        select(
            rows.c.subject_id, cast(literal(ind.code), String).label("indicator"), rows.c.id,
            rows.c.decision_date, cast(_decayed(ind, days), Float).label("points"),
        ).where(in_force)
        for ind in indicators
    ]  # fmt: skip
    return selects[0].union_all(*selects[1:]).subquery("license_points").select()


def _list_entries(
    indicators: list[Indicator], subject_ids: Sequence[int], as_of: date, window: records.Window
) -> Any:
    """List entries in force on `as_of`, each in the indicator of its list type (code or name)."""
    if not indicators:
        return None
    rows = _read_once(
        records.active_of_subjects(
            LIST_TYPE, subject_ids, fields=("list_type",), decided_to=as_of, window=window
        )
    )
    names = _list_names()
    whens = [
        (rows.c.list_type.in_([v for code in ind.list_types for v in (code, names[code])]), ind)
        for ind in indicators
    ]
    indicator = case(*[(c, ind.code) for c, ind in whens], else_=null())
    points = case(*[(c, literal(ind.points, Float)) for c, ind in whens], else_=null())
    inner = select(
        rows.c.subject_id, indicator.label("indicator"), rows.c.id, rows.c.decision_date,
        cast(points, Float).label("points"),
    ).subquery("list_points")  # fmt: skip
    return select(inner).where(inner.c.indicator.is_not(None))


def _commitments(
    session: Session, indicators: list[Indicator], subject_ids: Sequence[int], as_of: date
) -> Any:
    """Commitments whose 履行状态 was assessed on or before `as_of`, each in the first indicator whose
    match it meets, dated (and decayed) from the assessment (履行状态认定日期), not from when it was made."""
    if not indicators:
        return None
    rows = _read_once(
        records.active_of_subjects(
            COMMITMENT_TYPE,
            subject_ids,
            fields=("fulfilment", "commitment_type", "assessed_on"),
            decided_to=as_of,
        )
    )
    # The date is ISO text in the record's data: compared as text, read as a date.
    assessed = (
        cast(rows.c.assessed_on, Date) if is_postgres(session) else type_coerce(rows.c.assessed_on, Date)
    )
    days = _days_since(session, assessed, as_of)
    conditions = []
    for ind in indicators:
        assert ind.commitment is not None  # checked at load
        terms = [rows.c.fulfilment.in_(ind.commitment.fulfilment_any)]
        if ind.commitment.types_any:
            terms.append(rows.c.commitment_type.in_(ind.commitment.types_any))
        conditions.append(and_(*terms))
    counted = and_(rows.c.assessed_on.is_not(None), rows.c.assessed_on <= as_of.isoformat())
    horizon = _horizon(indicators, as_of)
    if horizon is not None:
        counted = and_(counted, rows.c.assessed_on >= horizon.isoformat())
    return _first_match(
        rows, indicators, conditions, days, dated=assessed, name="commitment_points", where=counted
    )


def _read_once(rows: Any) -> Any:
    """The chunk's records of one type, read and their fields taken out of `data` once: a materialized
    CTE. Inlined, each field's JSON extraction (often a detoast of `data` on PostgreSQL) was repeated
    in every branch of the indicator CASEs and in each license indicator of the union."""
    return select(rows).cte(f"{rows.name}_rows").prefix_with("MATERIALIZED")


def _list_names() -> dict[str, str]:
    from panshi.sanctions.catalog import load

    return {code: t.name for code, t in load().list_types.items()}


def _horizon(indicators: list[Indicator], as_of: date) -> date | None:
    """The earliest decision date that can still count: beyond every linear decay, nothing does."""
    if any(i.decay is None or i.decay.kind != "linear" for i in indicators):
        return None
    return as_of - timedelta(days=max(i.decay.days for i in indicators if i.decay) - 1)


def _days_since(session: Session, column: Any, as_of: date) -> ColumnElement[float]:
    if is_postgres(session):
        return cast(cast(literal(as_of.isoformat()), Date) - column, Float)  # date - date: days
    return func.julianday(as_of.isoformat()) - func.julianday(column)


def _decayed(ind: Indicator, days: ColumnElement[float]) -> ColumnElement[float]:
    """The indicator's points times its decay after `days`."""
    decay: Decay | None = ind.decay
    points = literal(ind.points, Float)
    if decay is None:
        return cast(points, Float)
    if decay.kind == "linear":
        return cast(case((days >= decay.days, 0.0), else_=points * (1.0 - days / float(decay.days))), Float)
    return cast(points * func.exp(-LN2 * days / float(decay.days)), Float)


def _no_jit(session: Session) -> None:
    """PostgreSQL's JIT compiles these statements anew each time (their cost estimates pass its
    threshold) and spent more on that than on running them; off for the rest of the transaction."""
    if is_postgres(session):
        session.execute(text("SET LOCAL jit = off"))


def _ensure_math(session: Session) -> None:
    """SQLite builds without math functions get exp() from Python (same double arithmetic)."""
    if is_postgres(session):
        return
    connection = session.connection().connection.dbapi_connection
    if connection is None:
        return
    try:
        connection.execute("SELECT exp(0)")
    except Exception:  # noqa: BLE001 - sqlite3.OperationalError: no such function
        connection.create_function("exp", 1, math.exp, deterministic=True)


# --- runs -----------------------------------------------------------------------------------------


def unfinished_run(session: Session) -> EvaluationRun | None:
    return session.scalar(select(EvaluationRun).where(EvaluationRun.slot == 1))


def add_run(session: Session, run: EvaluationRun) -> EvaluationRun:
    session.add(run)
    session.flush()
    return run


def take_over(
    session: Session, *, run_id: int, from_owner: str, to_owner: str, lease_until: datetime
) -> bool:
    """Hand the run to `to_owner` if `from_owner` still holds it (compare-and-set)."""
    result = session.execute(
        sql_update(EvaluationRun)
        .where(EvaluationRun.id == run_id, EvaluationRun.owner == from_owner, EvaluationRun.slot == 1)
        .values(owner=to_owner, lease_until=lease_until, status="running", updated_at=func.now())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def advance(
    session: Session, *, run_id: int, owner: str, cursor: int, done: int, lease_until: datetime, now: datetime
) -> bool:
    """Move the run's cursor past a committed chunk, if `owner` still holds it."""
    result = session.execute(
        sql_update(EvaluationRun)
        .where(EvaluationRun.id == run_id, EvaluationRun.owner == owner, EvaluationRun.status == "running")
        .values(cursor=cursor, done=EvaluationRun.done + done, lease_until=lease_until, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_run(session: Session, *, run_id: int, owner: str, status: str, now: datetime) -> bool:
    """Finish, interrupt or abandon a run held by `owner` (an ended run frees the slot)."""
    values: dict[str, Any] = {"status": status, "updated_at": now, "lease_until": now}
    if status in ("finished", "abandoned"):
        values |= {"slot": None, "finished_at": now}
    result = session.execute(
        sql_update(EvaluationRun)
        .where(EvaluationRun.id == run_id, EvaluationRun.owner == owner)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def add_to_total(session: Session, *, run_id: int, owner: str, count: int) -> None:
    """A re-grading sweep learns its total turn by turn."""
    session.execute(
        sql_update(EvaluationRun)
        .where(EvaluationRun.id == run_id, EvaluationRun.owner == owner)
        .values(total=EvaluationRun.total + count)
        .execution_options(synchronize_session=False)
    )


def get_run(session: Session, run_id: int) -> EvaluationRun | None:
    return session.get(EvaluationRun, run_id, populate_existing=True)


# --- results --------------------------------------------------------------------------------------


def insert_evaluations(session: Session, rows: list[dict[str, Any]]) -> None:
    """Many results in one COPY on PostgreSQL (the explanation as JSON text), one executemany on SQLite:
    no ORM objects on the batch path."""
    if not rows:
        return
    if not is_postgres(session):
        session.execute(sql_insert(Evaluation), rows)
        return
    raw = session.connection().connection.driver_connection
    assert raw is not None
    names = ", ".join(_RESULT_COLUMNS)
    with raw.cursor() as cursor, cursor.copy(f"COPY evaluations ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c == "explanation" else row[c] for c in _RESULT_COLUMNS])


_RESULT_COLUMNS = ("subject_id", "run_id", "model", "model_version", "as_of", "score", "grade", "computed_at",
                   "explanation")  # fmt: skip


def latest_of_subject(session: Session, subject_id: int) -> Evaluation | None:
    query = (
        select(Evaluation)
        .where(Evaluation.subject_id == subject_id)
        .order_by(Evaluation.computed_at.desc(), Evaluation.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def history_of_subject(session: Session, subject_id: int, *, limit: int) -> list[Evaluation]:
    query = (
        select(Evaluation)
        .where(Evaluation.subject_id == subject_id)
        .order_by(Evaluation.computed_at.desc(), Evaluation.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def of_run(session: Session, run_id: int) -> list[Evaluation]:
    query = select(Evaluation).where(Evaluation.run_id == run_id).order_by(Evaluation.subject_id)
    return list(session.scalars(query))


def latest_of_subjects(session: Session, subject_ids: list[int]) -> dict[int, Evaluation]:
    """Each subject's latest result, in one query (for checks answering many subjects at once)."""
    if not subject_ids:
        return {}
    newest = (
        select(
            Evaluation.id,
            func.row_number()
            .over(
                partition_by=Evaluation.subject_id,
                order_by=(Evaluation.computed_at.desc(), Evaluation.id.desc()),
            )
            .label("n"),
        )
        .where(Evaluation.subject_id.in_(subject_ids))
        .subquery()
    )
    rows = session.scalars(
        select(Evaluation).join(newest, newest.c.id == Evaluation.id).where(newest.c.n == 1)
    )
    return {e.subject_id: e for e in rows}


# --- subjects whose records changed since their latest result ---------------------------------------


def changed_subjects(
    session: Session, *, model_ids: Sequence[str], kinds: Sequence[str], after: int, limit: int
) -> list[tuple[int, str, str | None]]:
    """(id, kind, uscc) of current subjects after id `after`, in id order, that have no result of these
    models yet or a record changed since their latest one: one set-based statement.

    A change is any record_history row (created, updated, amended, repaired, withdrawn, publicity
    closed: every change to a record writes one) of one of the subject's records, dated by its batch's
    completion when it came in a batch — an ingest stamps its rows with the time it began, and commits
    after it has ended — else by the row's own time. Reads the tables of subjects, records and ingest:
    the query belongs to those domains' services and moves there when they offer it.

    The exact test (latest result against each change) is only made for candidates: subjects with a
    change after the start of the last finished batch run of these models (the high-water mark `since`:
    found by the indexes of migration 0012, not by reading every subject's history) and subjects with no
    result since then. Any subject the exact test would select is a candidate, so the answer is the
    same as testing every subject; "nothing changed" costs one pass over the results since the mark."""
    from panshi.ingest.models import Batch
    from panshi.records.models import Record, RecordHistory
    from panshi.subjects.models import Subject

    models = list(model_ids)
    _no_jit(session)
    current = select(Subject.id, Subject.kind, Subject.uscc).where(
        Subject.kind.in_(list(kinds)), Subject.merged_into_id.is_(None), Subject.id > after
    )
    since = _high_water_mark(session, models)
    if since is not None:
        # changed after `since`: its own time is later, or its batch completed later (a superset)
        # (a union, not an OR: each half by its own index)
        recent = union_all(
            select(RecordHistory.record_id).where(RecordHistory.at > since),
            select(RecordHistory.record_id).where(
                RecordHistory.batch_id.in_(select(Batch.id).where(Batch.completed_at > since))
            ),
        )
        graded_since = (
            select(literal(1))
            .select_from(Evaluation)
            .where(
                Evaluation.subject_id == Subject.id,
                Evaluation.model.in_(models),
                Evaluation.computed_at >= since,
            )
            .exists()
        )
        touched_since = select(Record.subject_id).where(Record.id.in_(recent))
        current = current.where(or_(Subject.id.in_(touched_since), ~graded_since))
    candidates = current.cte("candidates").prefix_with("MATERIALIZED")
    graded_at = (
        select(func.max(Evaluation.computed_at))
        .where(Evaluation.subject_id == candidates.c.id, Evaluation.model.in_(models))
        .scalar_subquery()
    )
    graded = select(candidates, graded_at.label("graded_at")).subquery("graded")
    changed_at = func.coalesce(Batch.completed_at, RecordHistory.at)
    touched = (
        select(literal(1))
        .select_from(RecordHistory)
        .join(Record, Record.id == RecordHistory.record_id)
        .outerjoin(Batch, Batch.id == RecordHistory.batch_id)
        .where(Record.subject_id == graded.c.id, changed_at > graded.c.graded_at)
    )
    query = (
        select(graded.c.id, graded.c.kind, graded.c.uscc)
        .where(or_(graded.c.graded_at.is_(None), touched.exists()))
        .order_by(graded.c.id)
        .limit(limit)
    )
    return [(int(i), str(k), u) for i, k, u in session.execute(query)]


def _high_water_mark(session: Session, model_ids: list[str]) -> datetime | None:
    """The start of the last finished batch run of exactly these models (not a sweep): every subject it
    graded has a result computed at or after it."""
    from panshi.evaluation.runs import SWEEP_ACTOR

    return session.scalar(
        select(func.max(EvaluationRun.started_at)).where(
            EvaluationRun.models == ",".join(sorted(model_ids)),  # as ModelSet.ids names a run
            EvaluationRun.status == "finished",
            ~EvaluationRun.actor.startswith(SWEEP_ACTOR),
        )
    )
