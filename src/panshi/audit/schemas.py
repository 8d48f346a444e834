"""The query log as the console, the subject and the API see it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class QueryLogOut(BaseModel):
    """One 查询登记 entry."""

    id: int
    at: datetime
    actor: str
    actor_name: str
    role: str
    department_name: str | None
    subject_public_id: str
    subject_name: str
    purpose: str
    channel: str
    view: str
    returned: dict[str, Any]


class QueryLogFilter(BaseModel):
    """What an operator searches the log by; every field is optional."""

    actor: str | None = Field(default=None, max_length=200, description="user:<name> or token:<id>")
    subject: str | None = Field(default=None, max_length=64, description="Any code of the subject")
    department_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    purpose: str | None = Field(default=None, max_length=100, description="Words in the stated purpose")
    date_from: date | None = None
    date_to: date | None = None


class QueryLogPage(BaseModel):
    entries: list[QueryLogOut]
    page: int
    pages: int
    total: int
