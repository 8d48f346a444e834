"""A credit report's content (one assembly, rendered as HTML and PDF) and its verification."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from panshi.access.schemas import RecordView, SubjectView
from panshi.evaluation.schemas import EvaluationOut

Version = Literal["public", "full"]
VERSION_LABELS = {"public": "公开版", "full": "完整版"}
NUMBER_SHAPE = re.compile(r"^PS-[0-9]{6}-[0-9]{8}-[0-9]{6,12}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper without doubt
CODE_LENGTH = 8


def clean_number(value: str) -> str:
    """A report number as typed: spaces dropped, upper-case."""
    return "".join(value.split()).upper()


def clean_code(value: str) -> str:
    """A verification code as typed: spaces and hyphens dropped, upper-case."""
    return "".join(value.split()).replace("-", "").upper()


class ListEntryLine(BaseModel):
    """A red or black list entry in force on the report date."""

    list_name: str
    list_kind_label: str
    authority: str
    decision_number: str
    reason: str
    basis: str | None = Field(default=None, description="Full reports only")
    start_date: date
    end_date: date


class RecordSection(BaseModel):
    """The records of one type the report shows."""

    key: str
    label: str
    records: list[RecordView]


class CasesSection(BaseModel):
    """Objections open (异议处理中) on the records the report shows (commitments, 信用承诺, are a record
    section)."""

    open_objection_ids: list[int] = Field(
        description="Records of this report with an objection being handled"
    )
    label: str = Field(description="How every view marks such a record")


class ReportContent(BaseModel):
    """Everything one report states, as the access layer let its reader see it."""

    version: Version
    version_label: str
    subject: SubjectView
    view_label: str = Field(description="The disclosure levels the records were read at")
    report_date: date
    generated_at: datetime
    issued_to: str
    purpose: str | None
    sections: list[RecordSection]
    lists: list[ListEntryLine]
    evaluation: EvaluationOut | None
    evaluation_note: str | None = Field(description="Why no grade, or no explanation, is shown")
    record_labels: dict[int, str] = Field(
        default_factory=dict, description="A label for each record the report lists (grade explanation)"
    )
    cases: CasesSection | None = None
    sources: list[str] = Field(description="The departments (数据来源单位) whose data the report shows")


class VerifyIn(BaseModel):
    """A report to verify: its number and code, and optionally the SHA-256 of the PDF file in hand."""

    number: str = Field(max_length=60, description="报告编号, e.g. PS-220284-20261127-000123")
    code: str = Field(max_length=30, description="验证码 printed on the report")
    pdf_sha256: str | None = Field(
        default=None, description="SHA-256 (hex) of the PDF file to compare with the issued one"
    )

    @field_validator("pdf_sha256")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            raise PydanticCustomError("bad_sha256", "须为 64 位十六进制的 SHA-256 值")
        return value


class VerificationOut(BaseModel):
    """What verification confirms: no more than the report version itself discloses."""

    verified: bool = Field(description="Number and code match an issued report (and the PDF, when given)")
    number: str
    version: Version
    version_label: str
    subject_name: str
    subject_code: str
    issued_at: datetime
    pdf_checked: bool
    pdf_matches: bool | None
    message: str
