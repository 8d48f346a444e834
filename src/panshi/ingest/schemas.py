"""What ingest answers: a batch's counts and its row-level issues."""

from __future__ import annotations

from pydantic import BaseModel


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
