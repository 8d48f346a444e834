"""All SQL of the query log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from panshi.audit.models import QueryLogEntry


def add(session: Session, entry: QueryLogEntry) -> None:
    session.add(entry)
    session.flush()


def search(
    session: Session,
    *,
    actor: str | None,
    subject_id: int | None,
    department_id: int | None,
    purpose: str | None,
    since: datetime | None,
    until: datetime | None,
    offset: int,
    limit: int,
) -> tuple[list[QueryLogEntry], int]:
    """A page of entries, newest first, and how many match in all."""
    query: Select[Any] = select(QueryLogEntry)
    if actor:
        query = query.where(QueryLogEntry.actor == actor)
    if subject_id is not None:
        query = query.where(QueryLogEntry.subject_id == subject_id)
    if department_id is not None:
        query = query.where(QueryLogEntry.department_id == department_id)
    if purpose:
        escaped = purpose.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(QueryLogEntry.purpose.like(f"%{escaped}%", escape="\\"))
    if since is not None:
        query = query.where(QueryLogEntry.at >= since)
    if until is not None:
        query = query.where(QueryLogEntry.at < until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(QueryLogEntry.at.desc(), QueryLogEntry.id.desc()).offset(offset).limit(limit)
    )
    return list(rows), total
