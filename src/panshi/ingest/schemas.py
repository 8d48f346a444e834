"""What ingest answers: a batch's counts and its row-level issues."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, computed_field

from panshi.ingest.receipts import MIGRATION_CHANNEL


class RowIssue(BaseModel):
    """One problem of one row: `row` is the 1-based data row (header excluded)."""

    row: int
    field: str | None
    column: str | None = None
    code: str
    message: str
    severity: str = "error"


class BatchResult(BaseModel):
    """The outcome of one submitted file; received = accepted + updated + unchanged + rejected."""

    batch_id: str
    type: str
    filename: str
    format: str
    encoding: str | None
    catalog_version: str
    received: int
    accepted: int  # new records
    updated: int  # same natural key, new content: a new version
    unchanged: int  # identical to the stored record
    rejected: int  # rows sent back; see errors
    warnings: int
    errors: list[RowIssue]
    errors_truncated: bool = False
    channel: str = ""  # cli | api | web | migration
    migration: bool = False  # a historical migration (存量数据迁移): receipt times as the operator stated
    migration_note: str | None = None  # who imported it, and where its receipt times came from


class QualityRow(BaseModel):
    """A department's data quality (数据质量): what it sent, how much came back, and when."""

    department_id: int
    department_name: str
    batches: int
    rows_received: int
    rows_rejected: int
    rejection_rate: float
    records: int
    last_submission: datetime | None


class BatchSummary(BaseModel):
    id: str
    record_type: str
    department_id: int | None
    channel: str
    filename: str
    received: int
    accepted: int
    updated: int
    unchanged: int
    rejected: int
    received_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def migration(self) -> bool:
        """A historical migration (存量数据迁移): its records' receipt times are the old platform's."""
        return self.channel == MIGRATION_CHANNEL
