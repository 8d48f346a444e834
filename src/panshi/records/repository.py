"""All SQL of records."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panshi.records.models import Record, RecordHistory


def of_subject(session: Session, subject_id: int) -> Sequence[Record]:
    query = (
        select(Record)
        .where(Record.subject_id == subject_id)
        .order_by(Record.decision_date.desc(), Record.id.desc())
    )
    return session.scalars(query).all()


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Record)) or 0


def history_of(session: Session, record_ids: list[int]) -> list[RecordHistory]:
    if not record_ids:
        return []
    query = (
        select(RecordHistory)
        .where(RecordHistory.record_id.in_(record_ids))
        .order_by(RecordHistory.record_id, RecordHistory.version)
    )
    return list(session.scalars(query))
