"""All SQL of checks, feedback and their statistics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, and_, case, func, insert, literal, select
from sqlalchemy.orm import Session

from panshi.sanctions.models import AppliedMeasure, Check, CheckFeedback

_INSERT_CHECKS = insert(
    cast(Table, Check.__table__)
)  # built once: a check's log row costs no statement building


def insert_checks(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Log checks in one round trip (Core executemany, not the ORM's bulk insert: each row is a dict
    with every column already)."""
    if rows:
        session.connection().execute(_INSERT_CHECKS, list(rows))


def get_check(session: Session, check_id: str) -> Check | None:
    return session.get(Check, check_id)


def get_feedback(session: Session, check_id: str) -> CheckFeedback | None:
    return session.get(CheckFeedback, check_id)


def add_feedback(session: Session, feedback: CheckFeedback, measures: Sequence[str]) -> None:
    session.add(feedback)
    session.flush()
    if measures:
        session.execute(
            insert(AppliedMeasure),
            [{"check_id": feedback.check_id, "measure_code": m, "department_id": feedback.department_id,
              "month": feedback.month} for m in measures],
        )  # fmt: skip


def _checks_in(month_from: str, month_to: str, department_id: int | None) -> list[Any]:
    where = [Check.month >= month_from, Check.month <= month_to]
    if department_id is not None:
        where.append(Check.department_id == department_id)
    return where


def measure_counts(
    session: Session, *, codes: Sequence[str], month_from: str, month_to: str, department_id: int | None
) -> tuple[dict[str, int], dict[str, int]]:
    """Per measure: checks that answered it, and feedback that reported it applied."""
    returned: dict[str, int] = {}
    if codes:
        sums = [
            func.coalesce(func.sum(case((Check.measure_codes.like(f"%;{c};%"), 1), else_=0)), 0)
            for c in codes
        ]
        row = session.execute(select(*sums).where(*_checks_in(month_from, month_to, department_id))).one()
        returned = {c: int(n) for c, n in zip(codes, row, strict=True)}
    where = [AppliedMeasure.month >= month_from, AppliedMeasure.month <= month_to]
    if department_id is not None:
        where.append(AppliedMeasure.department_id == department_id)
    query = (
        select(AppliedMeasure.measure_code, func.count()).where(*where).group_by(AppliedMeasure.measure_code)
    )
    applied = {code: int(n) for code, n in session.execute(query)}
    return returned, applied


def grouped_counts(
    session: Session, *, by: str, month_from: str, month_to: str, department_id: int | None
) -> list[Any]:
    """Checks, hits, checks with measures, feedback and measures applied, grouped by department or month."""
    key = Check.department_id if by == "department" else Check.month
    applied = (
        select(AppliedMeasure.check_id, func.count().label("n")).group_by(AppliedMeasure.check_id).subquery()
    )
    query = (
        select(
            key.label("key"),
            func.count().label("checks"),
            func.sum(case((Check.hits > 0, 1), else_=0)).label("on_lists"),
            func.sum(case((Check.measure_codes != "", 1), else_=0)).label("with_measures"),
            func.count(CheckFeedback.check_id).label("with_feedback"),
            func.coalesce(func.sum(applied.c.n), 0).label("measures_applied"),
        )
        .select_from(Check)
        .outerjoin(CheckFeedback, CheckFeedback.check_id == Check.id)
        .outerjoin(applied, applied.c.check_id == Check.id)
        .where(*_checks_in(month_from, month_to, department_id))
        .group_by(key)
        .order_by(key)
    )
    return list(session.execute(query))


def pending_feedback(
    session: Session, *, department_id: int | None, offset: int, limit: int
) -> tuple[list[Check], int]:
    """Checks that answered measures and never got feedback, newest first."""
    query = (
        select(Check)
        .outerjoin(CheckFeedback, CheckFeedback.check_id == Check.id)
        .where(and_(CheckFeedback.check_id.is_(None), Check.measure_codes != ""))
    )
    if department_id is not None:
        query = query.where(Check.department_id == department_id)
    total = (
        session.scalar(select(func.count()).select_from(query.with_only_columns(literal(1)).subquery())) or 0
    )
    rows = session.scalars(query.order_by(Check.at.desc(), Check.id.desc()).offset(offset).limit(limit))
    return list(rows), total


def recent_checks(session: Session, *, department_id: int | None, limit: int) -> list[Check]:
    query = select(Check).order_by(Check.at.desc(), Check.id.desc()).limit(limit)
    if department_id is not None:
        query = query.where(Check.department_id == department_id)
    return list(session.scalars(query))


def checks_of_subject(
    session: Session, *, subject_id: int, offset: int, limit: int
) -> tuple[list[Check], int]:
    """One subject's checks, newest first (ix_checks_subject_at), and how many there are."""
    total = session.scalar(select(func.count()).select_from(Check).where(Check.subject_id == subject_id)) or 0
    rows = session.scalars(
        select(Check).where(Check.subject_id == subject_id).order_by(Check.at.desc(), Check.id.desc())
        .offset(offset).limit(limit)
    )  # fmt: skip
    return list(rows), total
