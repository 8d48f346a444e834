"""All SQL of subjects."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from panshi.subjects.models import Subject, SubjectCode


def find(session: Session, *, code: str, person_subject_key: str | None) -> Subject | None:
    """The subject named by `code`: its USCC, an old code, its opaque id, or a person's key."""
    keys = [f"uscc:{code}"] + ([person_subject_key] if person_subject_key else [])
    subject = session.scalar(
        select(Subject).where(or_(Subject.subject_key.in_(keys), Subject.public_id == code.lower()))
    )
    if subject is None:
        subject = session.scalar(
            select(Subject)
            .join(SubjectCode, SubjectCode.subject_id == Subject.id)
            .where(SubjectCode.code == code)
        )
    # A provisional subject merged into its USCC subject answers as the latter.
    while subject is not None and subject.merged_into_id is not None:
        subject = session.get(Subject, subject.merged_into_id)
    return subject


def count(session: Session) -> int:
    """Subjects with a credit file of their own (merged provisional subjects excluded)."""
    return (
        session.scalar(select(func.count()).select_from(Subject).where(Subject.merged_into_id.is_(None))) or 0
    )


def codes_of(session: Session, subject_id: int) -> list[SubjectCode]:
    query = select(SubjectCode).where(SubjectCode.subject_id == subject_id).order_by(SubjectCode.code_type)
    return list(session.scalars(query))
