"""Notices to audiences (a subject's users, a department's users, operators), who read them, and
the email addresses notices are sent to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from panshi.core.db import Base
from panshi.core.types import BigId, UTCDateTime


class Notice(Base):
    """One in-app notice to an audience; `email_state` is the outbox: off | pending | sent | failed."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    audience: Mapped[str] = mapped_column(String(16))  # subject | department | operators
    audience_key: Mapped[str] = mapped_column(String(80))  # subject key, department id, or ""
    case_id: Mapped[int | None] = mapped_column(BigId)
    event: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    email_state: Mapped[str] = mapped_column(String(8), default="off")
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_notices_audience", "audience", "audience_key", "created_at"),
        Index("ix_notices_email_state", "email_state"),
    )


class NoticeRead(Base):
    """That `reader` (a principal's actor) has read a notice."""

    __tablename__ = "notice_reads"

    notice_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reader: Mapped[str] = mapped_column(String(200), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NoticeAddress(Base):
    """A signed-in user's email address for notices, with the audience bindings it had when set."""

    __tablename__ = "notice_addresses"

    user_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str | None] = mapped_column(String(80), index=True)
    department_id: Mapped[int | None] = mapped_column(BigId, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
