"""All SQL of records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, or_, select, text, true
from sqlalchemy.orm import Session, aliased, defer

from panshi.records.models import Record, RecordHistory


def publicly_visible(on: date, public_types: Sequence[str]) -> ColumnElement[bool]:
    """The public view's rule (社会公开) in SQL: active, of a public type, inside its publicity window
    on `on`. Records never to be public (a minor's, DESIGN §3.3) have no publicity start."""
    return and_(
        Record.status == "active",
        Record.record_type.in_(list(public_types)),
        Record.publicity_start <= on,
        or_(Record.publicity_end.is_(None), Record.publicity_end >= on),
    )


def get(session: Session, record_id: int) -> Record | None:
    return session.get(Record, record_id)


def is_publicly_visible(session: Session, record_id: int, *, on: date, public_types: Sequence[str]) -> bool:
    query = select(Record.id).where(Record.id == record_id, publicly_visible(on, public_types))
    return session.scalar(query) is not None


def public_listing(
    session: Session,
    *,
    on: date,
    public_types: Sequence[str],
    record_type: str | None,
    department_id: int | None,
    date_from: date | None,
    date_to: date | None,
    offset: int,
    limit: int,
    count_cap: int,
) -> tuple[list[Record], int]:
    """A page of public records (newest decision first), and the number of
    matches counted up to `count_cap` (an exact count of millions of rows is not worth its time)."""
    query: Select[Any] = select(Record).where(publicly_visible(on, public_types))
    if record_type:
        query = query.where(Record.record_type == record_type)
    if department_id is not None:
        query = query.where(Record.department_id == department_id)
    if date_from is not None:
        query = query.where(Record.decision_date >= date_from)
    if date_to is not None:
        query = query.where(Record.decision_date <= date_to)
    rows = list(
        session.scalars(
            query.order_by(Record.decision_date.desc(), Record.id.desc()).offset(offset).limit(limit)
        )
    )
    capped = query.with_only_columns(Record.id).limit(count_cap).subquery()
    total = session.scalar(select(func.count()).select_from(capped)) or 0
    return rows, total


def estimated_count(session: Session) -> int | None:
    """PostgreSQL's own estimate of the table's rows (kept by ANALYZE and autovacuum); None elsewhere."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    estimate = session.scalar(text("SELECT reltuples::bigint FROM pg_class WHERE oid = 'records'::regclass"))
    return int(estimate) if estimate is not None and estimate >= 0 else None


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Record)) or 0


def counts_by_type_of_department(session: Session, department_id: int) -> dict[str, int]:
    query = (
        select(Record.record_type, func.count())
        .where(Record.department_id == department_id)
        .group_by(Record.record_type)
    )
    return {t: n for t, n in session.execute(query)}


def history_of(session: Session, record_ids: list[int]) -> list[RecordHistory]:
    if not record_ids:
        return []
    query = (
        select(RecordHistory)
        .where(RecordHistory.record_id.in_(record_ids))
        .order_by(RecordHistory.record_id, RecordHistory.version)
    )
    return list(session.scalars(query))


def counts_by_department(session: Session) -> dict[int, int]:
    query = select(Record.department_id, func.count()).group_by(Record.department_id)
    return {d: n for d, n in session.execute(query)}


# --- one subject's records, as a view shows them: filtered in SQL, then paginated ----------------

ShownRule = Literal["public", "active", "all"]


def _shown_rule(rule: ShownRule, on: date, public_types: Sequence[str]) -> ColumnElement[bool]:
    if rule == "public":
        return publicly_visible(on, public_types)
    return Record.status == "active" if rule == "active" else true()


def shown_of_subject(
    subject_id: int,
    *,
    on: date,
    public_types: Sequence[str],
    rule: ShownRule,
    department_id: int | None,
    department_rule: ShownRule,
) -> ColumnElement[bool]:
    """A subject's records that a view includes: by `rule`, and the records of `department_id` by
    `department_rule` (a wider one) — the access layer's decision, applied before any pagination."""
    shown = _shown_rule(rule, on, public_types)
    if department_id is not None and department_rule != rule:
        own = and_(Record.department_id == department_id, _shown_rule(department_rule, on, public_types))
        shown = or_(shown, own)
    return and_(Record.subject_id == subject_id, shown)


def shown_counts(session: Session, shown: ColumnElement[bool]) -> dict[str, int]:
    """How many records `shown` selects, by record type."""
    query = select(Record.record_type, func.count()).where(shown).group_by(Record.record_type)
    return {t: n for t, n in session.execute(query)}


def shown_page(
    session: Session,
    shown: ColumnElement[bool],
    *,
    on: date,
    public_types: Sequence[str],
    offset: int | Mapping[str, int],
    limit: int | None,
    submitted: bool = True,
) -> list[tuple[Record, bool]]:
    """A page of the records `shown` selects, newest decision first, each with whether it is in its
    publicity window on `on`. `offset` per record type (a mapping) pages each type on its own.
    Without `submitted` the values as submitted are not read (views without provenance)."""
    in_publicity = publicly_visible(on, public_types).label("in_publicity")
    newest_first = (Record.decision_date.desc(), Record.id.desc())
    if not isinstance(offset, Mapping):
        query = select(Record, in_publicity).where(shown).order_by(*newest_first).offset(offset).limit(limit)
        if not submitted:
            query = query.options(defer(Record.submitted))
        return [(r, bool(p)) for r, p in session.execute(query)]
    position = func.row_number().over(partition_by=Record.record_type, order_by=newest_first)
    ranked = select(Record, in_publicity, position.label("position")).where(shown).subquery()
    record = aliased(Record, ranked)
    start = case(offset, value=ranked.c.record_type, else_=0) if offset else literal(0)
    window = ranked.c.position > start
    if limit is not None:
        window = and_(window, ranked.c.position <= start + limit)
    query = (
        select(record, ranked.c.in_publicity).where(window).order_by(ranked.c.record_type, ranked.c.position)
    )
    if not submitted:
        query = query.options(defer(record.submitted))
    return [(r, bool(p)) for r, p in session.execute(query)]


# --- records of one type, for the domains that derive from them (lists) --------------------------


def change_counter_subquery() -> Any:
    """One row, one column `version`: the newest history row, which every change of a record writes."""
    return select(func.coalesce(func.max(RecordHistory.id), 0).label("version")).subquery()


def of_type_for_subjects(
    session: Session, record_type: str, subject_ids: Sequence[int]
) -> tuple[list[Record], int]:
    """The records of `record_type` of these subjects, and the change counter, read in one statement."""
    counter = change_counter_subquery()
    query = (
        select(counter.c.version, Record)
        .select_from(counter)
        .outerjoin(Record, and_(Record.subject_id.in_(list(subject_ids)), Record.record_type == record_type))
    )
    rows = session.execute(query).all()
    version = int(rows[0][0]) if rows else 0
    return [row[1] for row in rows if row[1] is not None], version


def change_counter(session: Session) -> int:
    return int(session.scalar(select(change_counter_subquery().c.version)) or 0)


def of_type_page(
    session: Session,
    record_type: str,
    *,
    field_in: dict[str, Sequence[str]],
    status: str | None,
    subject_ids: Sequence[int] | None,
    window: ColumnElement[bool] | None,
    may_be_public: bool,
    offset: int,
    limit: int,
    count_cap: int,
) -> tuple[list[Record], int]:
    """A page of records of `record_type` (newest decision first) whose data fields have one of the
    given values, and how many match, counted up to `count_cap`. `may_be_public` leaves out the records
    that are never to be public (a minor's, DESIGN §3.3: ingest gives them no publicity start)."""
    query: Select[Any] = select(Record).where(Record.record_type == record_type)
    if may_be_public:
        query = query.where(Record.publicity_start.is_not(None))
    for name, values in field_in.items():
        query = query.where(Record.data[name].as_string().in_(list(values)))
    if status:
        query = query.where(Record.status == status)
    if subject_ids is not None:
        query = query.where(Record.subject_id.in_(list(subject_ids)))
    if window is not None:
        query = query.where(window)
    rows = list(
        session.scalars(
            query.order_by(Record.decision_date.desc(), Record.id.desc()).offset(offset).limit(limit)
        )
    )
    capped = query.with_only_columns(Record.id).limit(count_cap).subquery()
    return rows, session.scalar(select(func.count()).select_from(capped)) or 0


def date_window(
    on: date, *, end_field: str, group_field: str, open_end_floors: dict[str, date]
) -> ColumnElement[bool]:
    """Records whose window covers `on`: from the decision date to the date in `end_field`, both
    inclusive; a record without an end lasts while its decision date is on or after the floor its
    `group_field` value has in `open_end_floors`."""
    end = Record.data[end_field].as_string()
    group = Record.data[group_field].as_string()
    open_ended = or_(
        false(),
        *[and_(group == value, Record.decision_date >= floor) for value, floor in open_end_floors.items()],
    )
    return and_(
        Record.decision_date <= on,
        or_(end >= on.isoformat(), and_(or_(end.is_(None), end == ""), open_ended)),
    )


def active_of_subjects(
    record_type: str,
    subject_ids: Sequence[int],
    *,
    fields: Sequence[str],
    decided_from: date | None,
    decided_to: date,
    window: ColumnElement[bool] | None,
) -> Any:
    """Active records of `record_type` of these subjects decided in [decided_from, decided_to], as a
    subquery with columns id, subject_id, decision_date and each of `fields` (as text)."""
    values = [Record.data[name].as_string().label(name) for name in fields]
    query = select(Record.id, Record.subject_id, Record.decision_date, *values).where(
        Record.record_type == record_type,
        Record.status == "active",
        Record.subject_id.in_(list(subject_ids)),
        Record.decision_date <= decided_to,
    )
    if decided_from is not None:
        query = query.where(Record.decision_date >= decided_from)
    if window is not None:
        query = query.where(window)
    return query.subquery(record_type)


def get_for_update(session: Session, record_id: int) -> Record | None:
    return session.get(Record, record_id, with_for_update=True)


def amend(
    session: Session,
    record: Record,
    *,
    data: dict[str, Any],
    status: str,
    actor: str,
    reason: str,
    at: datetime,
) -> Record:
    """A new version of `record` with `data` and `status`; the history row keeps what it replaced.

    The content hash stays the one of the submitted content, so that the department re-sending the
    same row leaves the amendment standing (an unchanged record), while a corrected row replaces it."""
    session.add(
        RecordHistory(
            record_id=record.id, version=record.version + 1, event="amended", batch_id=None,
            content_hash=record.content_hash, previous_data=record.data, previous_submitted=None,
            previous_batch_id=record.batch_id, actor=actor, at=at, reason=reason,
        )
    )  # fmt: skip
    record.version += 1
    record.data = dict(data)
    record.status = status
    session.flush()
    return record
