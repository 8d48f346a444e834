"""Credit subjects (信用主体) and the codes that name them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from panshi.core.db import Base
from panshi.core.types import BigId, UTCDateTime


class Subject(Base):
    """One credit subject with one credit file.

    `subject_key` is its identity: `uscc:<USCC>`, `person:<keyed hash of the ID number>`, or — for a
    subject seen only under an old code so far — `reg_no:<...>` / `org_code:<...>` / `code:<...>`.
    """

    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_key: Mapped[str] = mapped_column(String(80), unique=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)  # opaque id for URLs
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(64))  # natural persons; full view only
    region_code: Mapped[str | None] = mapped_column(String(6))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_subjects_name", "name"),)


class SubjectCode(Base):
    """A code (old or current) that leads to a subject: reg_no, org_code, tax_reg_no, ..."""

    __tablename__ = "subject_codes"

    code_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
