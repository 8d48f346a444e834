"""A subject and its credit file as the API and CLI show them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from panshi.records.schemas import RecordOut


class SubjectCodeOut(BaseModel):
    code_type: str
    code: str


class SubjectOut(BaseModel):
    public_id: str
    kind: str
    name: str
    uscc: str | None
    id_number: str | None
    region_code: str | None
    region_name: str | None
    codes: list[SubjectCodeOut]
    created_at: datetime
    updated_at: datetime


class CreditFileOut(BaseModel):
    """信用档案: the subject and its records (the full view)."""

    subject: SubjectOut
    records: list[RecordOut]
