"""Credit records and their history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from panshi.core.db import Base
from panshi.core.types import BigId, JSONDoc, JSONText, UTCDateTime

_OPEN_END = text("publicity_closed_on IS NULL AND publicity_end IS NOT NULL")


class Record(Base):
    """The current version of one credit record, with its provenance."""

    __tablename__ = "records"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_type: Mapped[str] = mapped_column(String(64))
    natural_key: Mapped[str] = mapped_column(String(400))
    # No foreign keys on subject, department and batch: each was a trigger and an index probe per
    # row on the bulk path, for parents the ingest finds or creates in the same transaction (the
    # subject and department by a join, the batch before its first row) and nothing ever deletes
    # (a merged subject keeps its row). See migration 0004.
    subject_id: Mapped[int] = mapped_column(BigId)
    department_id: Mapped[int] = mapped_column(BigId)
    batch_id: Mapped[str] = mapped_column(String(32))  # the batch that wrote this version
    # The node whose source department the record comes from (its home, DESIGN §3.8): changes happen
    # there and flow up. None: this node (every ingested record); set for records received by exchange.
    home_region: Mapped[str | None] = mapped_column(String(6))
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(32), default="active")
    decision_date: Mapped[date | None] = mapped_column(Date)
    # Public view (社会公开) from publicity_start to publicity_end, both inclusive; no end: still public.
    publicity_start: Mapped[date | None] = mapped_column(Date)
    publicity_end: Mapped[date | None] = mapped_column(Date)
    # The rule version that computed the window (e.g. national-2023.1), and the last day of its
    # minimum period (a repair may be applied for from the next day).
    publicity_rule: Mapped[str | None] = mapped_column(String(40))
    publicity_minimum_end: Mapped[date | None] = mapped_column(Date)
    # Set when the record left public view: expired | repaired | withdrawn.
    publicity_closed_on: Mapped[date | None] = mapped_column(Date)
    publicity_closed_reason: Mapped[str | None] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    catalog_version: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc)  # normalised values, by field name
    submitted: Mapped[dict[str, Any]] = mapped_column(JSONText)  # values as submitted, by header
    source_row: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("record_type", "natural_key"),
        Index("ix_records_subject_id", "subject_id"),
        Index("ix_records_department_decision", "department_id", "decision_date"),
        Index("ix_records_decision_date", "decision_date"),
        # The publicity job's look-up: open windows by their end (migration 0006).
        Index(
            "ix_records_publicity_open_end",
            "publicity_end",
            postgresql_where=_OPEN_END,
            sqlite_where=_OPEN_END,
        ),
    )


class RecordHistory(Base):
    """One row per version of a record: the event that made it, and the data it replaced."""

    __tablename__ = "record_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # No foreign keys: a history row is written with its record (or by the amendment of a stored one)
    # and its batch, in the same transaction; records and batches are never deleted.
    record_id: Mapped[int] = mapped_column(BigId, index=True)
    version: Mapped[int]
    event: Mapped[str] = mapped_column(String(32))  # created | updated | amended
    batch_id: Mapped[str | None] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    previous_data: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    previous_submitted: Mapped[dict[str, Any] | None] = mapped_column(JSONText)  # by column of previous batch
    previous_batch_id: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(500))  # why an operator amended it
