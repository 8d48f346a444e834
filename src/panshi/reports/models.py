"""Issued credit reports (信用报告): each with its number, the hash of its PDF and of its verification code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from panshi.core.db import Base
from panshi.core.types import BigId, UTCDateTime


class CreditReport(Base):
    """One issued report: who it was issued to and when, and what verifies it later.

    The PDF itself is not kept: `pdf_sha256` is the hash of the exact bytes handed out, so a copy
    verifies only if it is unchanged. The verification code is kept as a hash (`code_sha256`), so the
    table alone does not let anyone confirm a report. `subject_name` and `subject_code` are as the
    report printed them (masked in a public report of a natural person): verification shows no more."""

    __tablename__ = "credit_reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # PS-220284-20261127-000123
    serial: Mapped[int] = mapped_column(BigId, unique=True)  # the last part of the number
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    subject_code: Mapped[str] = mapped_column(String(64))
    subject_name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(8))  # public | full
    issued_to: Mapped[str] = mapped_column(String(200))  # the account's name, or 公众
    actor: Mapped[str] = mapped_column(String(200))  # user:<name> | token:<id> | cli:<user> | anonymous
    role: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str | None] = mapped_column(String(200))  # staff's stated purpose of a full report
    channel: Mapped[str] = mapped_column(String(16))  # api | web | cli
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    code_sha256: Mapped[str] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(80))  # the evaluation model of the grade shown

    __table_args__ = (Index("ix_credit_reports_subject_issued", "subject_id", "issued_at"),)
