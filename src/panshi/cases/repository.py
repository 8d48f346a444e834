"""All SQL of cases, their events, commitments and evidence files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, literal, select, update
from sqlalchemy.orm import Session

from panshi.cases.models import Case, CaseEvent, Commitment, EvidenceFile

OPEN_STATES = {
    "objection": ("submitted", "accepted", "with_department", "at_home"),
    "repair": ("submitted", "at_home"),
}


def open_key(kind: str, record_id: int) -> str:
    return f"{kind}:{record_id}"


def add_case(session: Session, case: Case) -> Case:
    session.add(case)
    session.flush()
    return case


def get(session: Session, case_id: int) -> Case | None:
    return session.get(Case, case_id)


def by_home_request(session: Session, uid: str) -> Case | None:
    return session.scalar(select(Case).where(Case.home_request == uid))


def refresh(session: Session, case: Case) -> Case:
    session.refresh(case)
    return case


def open_case(session: Session, kind: str, record_id: int) -> Case | None:
    return session.scalar(select(Case).where(Case.open_key == open_key(kind, record_id)))


def advance(session: Session, *, case_id: int, expected_version: int, values: dict[str, Any]) -> bool:
    """Move a case on only if nobody moved it since `expected_version` was read (optimistic lock):
    `UPDATE cases … WHERE id = ? AND version = ?`; False when another decision came first."""
    statement = (
        update(Case)
        .where(Case.id == case_id, Case.version == expected_version)
        .values(version=Case.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    result: Any = session.execute(statement)
    return bool(result.rowcount == 1)


def add_event(session: Session, event: CaseEvent) -> None:
    session.add(event)
    session.flush()


def events_of(session: Session, case_id: int) -> list[CaseEvent]:
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)))


def open_objection_record_ids(session: Session, record_ids: Iterable[int]) -> set[int]:
    """Of these records, those with an open objection: one indexed look-up for a page of records."""
    keys = [open_key("objection", r) for r in set(record_ids)]
    if not keys:
        return set()
    found = session.scalars(select(Case.record_id).where(Case.open_key.in_(keys)))
    return set(found)


def objection_open_sql(record_id: Any) -> ColumnElement[bool]:
    """SQL: whether the record `record_id` (a column of another domain's query) has an open objection;
    the same indexed look-up as `open_objection_record_ids`, made inside that query."""
    return select(Case.id).where(Case.open_key == literal("objection:") + cast(record_id, String)).exists()


def page(
    session: Session,
    *,
    kind: str | None,
    states: Sequence[str] | None,
    subject_ids: Sequence[int] | None,
    department_id: int | None,
    by_deadline: bool,
    offset: int,
    limit: int,
) -> tuple[list[Case], int]:
    """Cases matching the filters: by deadline (the earliest first, unknown deadlines last) or newest
    first; and how many match."""
    query: Select[Any] = select(Case)
    if kind:
        query = query.where(Case.kind == kind)
    if states is not None:
        query = query.where(Case.state.in_(list(states)))
    if subject_ids is not None:
        query = query.where(Case.subject_id.in_(list(subject_ids)))
    if department_id is not None:
        query = query.where(Case.department_id == department_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order: tuple[Any, ...] = (
        (Case.due_on.is_(None), Case.due_on, Case.id) if by_deadline else (Case.id.desc(),)
    )
    rows = list(session.scalars(query.order_by(*order).offset(offset).limit(limit)))
    return rows, total


def overdue(session: Session, *, today: date) -> list[Case]:
    """Open cases past their deadline, and open cases whose deadline the calendar could not give."""
    all_open = [s for states in OPEN_STATES.values() for s in states]
    query = (
        select(Case)
        .where(Case.open_key.is_not(None), Case.state.in_(all_open))
        .where((Case.due_on < today) | Case.deadline_unknown)
        .order_by(Case.due_on.is_(None), Case.due_on, Case.id)
    )
    return list(session.scalars(query))


# --- commitments ---------------------------------------------------------------------------------


def add_commitment(session: Session, commitment: Commitment) -> Commitment:
    session.add(commitment)
    session.flush()
    return commitment


def commitment_of(session: Session, case_id: int) -> Commitment | None:
    return session.scalar(select(Commitment).where(Commitment.case_id == case_id))


# --- evidence ------------------------------------------------------------------------------------


def add_evidence(session: Session, evidence: EvidenceFile) -> EvidenceFile:
    session.add(evidence)
    session.flush()
    return evidence


def get_evidence(session: Session, evidence_id: int) -> EvidenceFile | None:
    return session.get(EvidenceFile, evidence_id)


def evidence_of(session: Session, case_id: int) -> list[EvidenceFile]:
    query = select(EvidenceFile).where(EvidenceFile.case_id == case_id).order_by(EvidenceFile.id)
    return list(session.scalars(query))


def attach_evidence(session: Session, *, case_id: int, evidence_ids: Sequence[int], uploaded_by: str) -> int:
    """Attach unattached files the same actor uploaded to a case; how many were attached."""
    if not evidence_ids:
        return 0
    statement = (
        update(EvidenceFile)
        .where(
            EvidenceFile.id.in_(list(evidence_ids)),
            EvidenceFile.case_id.is_(None),
            EvidenceFile.uploaded_by == uploaded_by,
        )
        .values(case_id=case_id)
        .execution_options(synchronize_session=False)
    )
    result: Any = session.execute(statement)
    return int(result.rowcount)
