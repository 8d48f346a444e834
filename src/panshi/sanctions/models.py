"""Checks (核查) with their receipts, and the feedback (反馈) on the measures applied."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from panshi.core.db import Base
from panshi.core.types import BigId, UTCDateTime


class Check(Base):
    """One check of one subject in one scenario: who asked, why, and the answer exactly as given.

    `answer` is the canonical JSON the caller received; `answer_sha256` its hash and `signature` an
    HMAC of the receipt, so that a stored answer changed afterwards no longer verifies."""

    __tablename__ = "checks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # time-ordered hex
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM in Asia/Shanghai, for statistics
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))  # api | batch | cli | web
    batch_id: Mapped[str | None] = mapped_column(String(32))  # the 批量比对 request it came in
    scenario: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    query_kind: Mapped[str] = mapped_column(String(8))  # code | name
    purpose: Mapped[str] = mapped_column(String(200))
    case_reference: Mapped[str] = mapped_column(String(100))
    hits: Mapped[int]  # list entries the subject was on
    measure_codes: Mapped[str] = mapped_column(String(400))  # ";P01;P03;" (empty: none)
    data_version: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Text)
    answer_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_checks_department_at", "department_id", "at"),
        Index("ix_checks_subject_at", "subject_id", "at"),
    )


class CheckFeedback(Base):
    """The checking department's report on one check: the measures it applied and the outcome."""

    __tablename__ = "check_feedback"

    check_id: Mapped[str] = mapped_column(ForeignKey("checks.id"), primary_key=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    month: Mapped[str] = mapped_column(String(7))
    outcome: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(500))
    measure_codes: Mapped[str] = mapped_column(String(400))
    content_sha256: Mapped[str] = mapped_column(String(64))  # a repeat with the same content is idempotent


class AppliedMeasure(Base):
    """One measure a department reported applied, for statistics by measure, department and month."""

    __tablename__ = "check_applied_measures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    check_id: Mapped[str] = mapped_column(ForeignKey("check_feedback.check_id"), index=True)
    measure_code: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    month: Mapped[str] = mapped_column(String(7))

    __table_args__ = (Index("ix_check_applied_measures_month", "month", "measure_code"),)
