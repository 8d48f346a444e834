"""All SQL of records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

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


def of_subject(
    session: Session, subject_id: int, *, public_on: date | None = None, public_types: Sequence[str] = ()
) -> Sequence[Record]:
    """A subject's records, newest decision first; only the public ones when `public_on` is given."""
    query = select(Record).where(Record.subject_id == subject_id)
    if public_on is not None:
        query = query.where(publicly_visible(public_on, public_types))
    return session.scalars(query.order_by(Record.decision_date.desc(), Record.id.desc())).all()


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
