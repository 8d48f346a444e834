"""The query log (查询登记): every read of non-public data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from panshi.core.db import Base
from panshi.core.types import BigId, JSONText, UTCDateTime


class QueryLogEntry(Base):
    """Who read which subject's non-public data, why, when, and what they were given."""

    __tablename__ = "query_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))  # user:<name> | token:<id>
    actor_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    purpose: Mapped[str] = mapped_column(String(500))
    channel: Mapped[str] = mapped_column(String(16))  # web | api | cli
    view: Mapped[str] = mapped_column(String(64))  # the disclosure levels granted, e.g. public+authorised
    returned: Mapped[dict[str, Any]] = mapped_column(JSONText)  # record ids and fields given out

    __table_args__ = (
        Index("ix_query_log_subject_at", "subject_id", "at"),
        Index("ix_query_log_at", "at"),
    )
