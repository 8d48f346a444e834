"""Submission batches and their row-level issues."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from panshi.core.db import Base
from panshi.core.types import BigId, JSONText, UTCDateTime


class Batch(Base):
    """One submitted file: stored whole or not at all."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    channel: Mapped[str] = mapped_column(String(16))  # cli | api | web
    filename: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_format: Mapped[str] = mapped_column(String(16))
    encoding: Mapped[str | None] = mapped_column(String(32))
    catalog_version: Mapped[str] = mapped_column(String(32))
    headers: Mapped[list[str]] = mapped_column(JSONText)  # as submitted; records key their values by position
    # The field each column was read as (None: no field); set: records keep only the submitted values
    # that differ from their normalised data (see ingest.validate._submitted_sparse).
    header_fields: Mapped[list[str | None] | None] = mapped_column(JSONText)
    received: Mapped[int]
    accepted: Mapped[int]
    updated: Mapped[int]
    unchanged: Mapped[int]
    rejected: Mapped[int]
    warnings: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A historical migration (channel "migration", 存量数据迁移): who imported it and where its rows'
    # receipt times came from.
    migration_note: Mapped[str | None] = mapped_column(String(1000))


class BatchIssue(Base):
    """A rejected row (severity error) or an accepted row's warning, by 1-based data row."""

    __tablename__ = "batch_issues"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    row: Mapped[int]
    field: Mapped[str | None] = mapped_column(String(64))  # catalog field name
    column: Mapped[str | None] = mapped_column(String(200))  # the header as the sender spelt it
    code: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(String(2000))
