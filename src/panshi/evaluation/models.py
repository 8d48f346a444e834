"""Evaluation runs and results (a subject's grade over time, each with its explanation)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from panshi.core.db import Base
from panshi.core.types import BigId, JSONText, UTCDateTime


class EvaluationRun(Base):
    """One batch evaluation of the population, resumable from `cursor` (the last subject id done).

    `slot` is 1 while the run is unfinished and NULL after: its unique constraint admits one
    unfinished run at a time. The run is held by `owner` until `lease_until`; every chunk commits its
    results together with the cursor, and only while its owner still holds the run — so two runs
    never interleave, and an interrupted one resumes where its last chunk committed."""

    __tablename__ = "evaluation_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    models: Mapped[str] = mapped_column(String(400))  # model ids, comma-separated
    as_of: Mapped[date] = mapped_column(Date)  # the evaluation date, the same for every chunk
    status: Mapped[str] = mapped_column(String(16))  # running | interrupted | finished | abandoned
    slot: Mapped[int | None] = mapped_column(Integer, unique=True)
    owner: Mapped[str] = mapped_column(String(32))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)
    cursor: Mapped[int] = mapped_column(BigId, default=0)
    total: Mapped[int]
    done: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Evaluation(Base):
    """One subject's score and grade by one model on one date, with its explanation (each indicator's
    contribution and the records behind it). A run writes one per subject; on demand, run_id is NULL."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(BigId)
    run_id: Mapped[int | None] = mapped_column(BigId)
    model: Mapped[str] = mapped_column(String(80))  # <code>-<version>
    model_version: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(8))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSONText)

    __table_args__ = (
        UniqueConstraint("run_id", "subject_id"),
        Index("ix_evaluations_subject_computed", "subject_id", "computed_at"),
    )
