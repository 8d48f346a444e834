"""Credit records as the API and CLI show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

# A record's status (records.status), as pages and messages say it.
STATUS_LABELS = {"active": "有效", "withdrawn": "已撤销", "removed": "已移出名单"}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


class HistoryEventOut(BaseModel):
    version: int
    event: str
    batch_id: str | None
    actor: str
    at: datetime
    reason: str | None = None


class ProvenanceOut(BaseModel):
    """Where a record came from (来源): department, batch, time, hash, catalog version, raw values."""

    department_name: str
    department_uscc: str
    batch_id: str
    source_row: int
    received_at: datetime
    content_hash: str
    catalog_version: str
    submitted: dict[str, Any]
