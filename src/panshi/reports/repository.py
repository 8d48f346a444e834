"""All SQL of the reports domain."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from panshi.core.db import is_postgres
from panshi.reports.models import CreditReport


def next_serial(session: Session) -> int:
    """The next report serial. PostgreSQL: a sequence (never waits for a concurrent issue; a rolled-back
    one leaves a gap). SQLite: max + 1, safe because a writing unit of work holds the one write lock
    from its BEGIN to its commit, and the unique serial refuses a reader that slipped past it."""
    if is_postgres(session):
        return int(session.execute(text("SELECT nextval('credit_report_serial')")).scalar_one())
    return int(session.scalar(select(func.coalesce(func.max(CreditReport.serial), 0))) or 0) + 1


def add(session: Session, report: CreditReport) -> None:
    session.add(report)
    session.flush()


def by_number(session: Session, number: str) -> CreditReport | None:
    return session.scalars(select(CreditReport).where(CreditReport.number == number)).one_or_none()


def of_subject(session: Session, subject_id: int, *, limit: int = 50) -> list[CreditReport]:
    rows = select(CreditReport).where(CreditReport.subject_id == subject_id)
    return list(session.scalars(rows.order_by(CreditReport.issued_at.desc()).limit(limit)))
