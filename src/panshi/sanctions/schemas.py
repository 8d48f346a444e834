"""What the check, feedback, list and statistics endpoints take and answer."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field, PrivateAttr

from panshi.evaluation.schemas import GradeOut

MAX_BATCH = 1000


class CheckIn(BaseModel):
    """A check (核查): one subject, by any of its codes or by name, in one scenario."""

    subject: str = Field(
        min_length=1, max_length=200, description="统一社会信用代码、旧代码、身份证号码或主体名称"
    )
    scenario: str = Field(
        min_length=1, max_length=64, description="应用场景代码或名称，如 government_procurement / 政府采购"
    )
    purpose: str = Field(min_length=2, max_length=200, description="核查事由")
    case_reference: str = Field(
        min_length=1, max_length=100, description="调用方业务编号（如采购项目编号、许可申请号）"
    )


class BatchCheckIn(BaseModel):
    """A batch check (批量比对): up to 1,000 subjects in one scenario, under one purpose."""

    subjects: list[str] = Field(min_length=1, max_length=100_000, description="最多 1000 个主体代码或名称")
    scenario: str = Field(min_length=1, max_length=64)
    purpose: str = Field(min_length=2, max_length=200)
    case_reference: str = Field(min_length=1, max_length=100)


class SubjectOut(BaseModel):
    code: str  # USCC, or the opaque id of persons and subjects without one
    name: str
    kind: str
    kind_label: str
    uscc: str | None
    id_number: str | None  # masked
    region_name: str | None


class Candidate(BaseModel):
    """A subject a name may mean, with its score and why it was considered."""

    code: str
    name: str
    kind_label: str
    uscc: str | None
    region_name: str | None
    score: float
    why: str


class Resolution(BaseModel):
    """How the subject was found: by a code, or by an exact name that only one subject has."""

    by: str  # code | name
    query: str  # as given (an ID number masked)
    why: str
    candidates: list[Candidate] = []


class ListHit(BaseModel):
    """An entry on a red or black list that is in force on the day of the check."""

    record_id: int
    list_type: str
    list_name: str
    list_kind: str  # red | black
    list_kind_label: str
    authority: str
    authority_uscc: str
    authority_recognised: bool  # the authority is of a kind that may list on this list
    decision_number: str
    basis: str
    reason: str
    start_date: date
    end_date: date
    end_by_default: bool  # no end was stated: the list type's default duration applies
    objection_open: bool = False  # 异议处理中: an objection to the entry is being handled


class MeasureOut(BaseModel):
    code: str
    name: str
    kind: str  # punishment | incentive
    kind_label: str
    content: str
    legal_basis: list[str]
    departments: list[str]
    because_of: list[str]  # the list types it follows from


class WithheldMeasure(BaseModel):
    code: str
    name: str
    why: str


class Scope(BaseModel):
    code: str
    name: str


class Caller(BaseModel):
    actor: str
    role: str
    department_id: int | None
    department_name: str | None


class CheckAnswer(BaseModel):
    """Everything the caller is told; its canonical JSON is what the receipt's hash covers."""

    check_id: str
    checked_at: datetime
    caller: Caller
    scenario: Scope
    purpose: str
    case_reference: str
    subject: SubjectOut
    resolution: Resolution
    on_lists: bool
    black_listed: bool
    red_listed: bool
    lists: list[ListHit]
    measures: list[MeasureOut]
    withheld_measures: list[WithheldMeasure]
    grade: GradeOut | None = Field(
        default=None, description="公共信用综合评价: the subject's current grade and the model that gave it"
    )
    data_version: str
    catalog_version: str


class Receipt(BaseModel):
    """The caller's proof of the check: keep it with the case file."""

    check_id: str
    checked_at: datetime
    data_version: str
    answer_sha256: str = Field(
        description="SHA-256 of the canonical JSON of `answer` (UTF-8, sorted keys, no spaces)"
    )
    signature: str = Field(
        description="HMAC-SHA256 of check id, time, data version and answer hash by the platform"
    )


class CheckOut(BaseModel):
    answer: CheckAnswer
    receipt: Receipt
    _canonical: str | None = PrivateAttr(default=None)

    def set_canonical(self, text: str) -> None:
        self._canonical = text

    def json_bytes(self) -> bytes:
        """This object as JSON, the answer in its canonical form (the bytes the receipt's hash covers)."""
        if self._canonical is None:
            return self.model_dump_json().encode()
        return (
            b'{"answer":'
            + self._canonical.encode()
            + b',"receipt":'
            + self.receipt.model_dump_json().encode()
            + b"}"
        )


class Verification(BaseModel):
    answer_hash_matches: bool  # the stored answer still has the hash in the receipt
    signature_valid: bool  # the receipt was issued by this platform and not changed since
    caller_hash_matches: bool | None  # the hash the caller kept, when given
    verified: bool
    verified_at: datetime


class FeedbackOutcome(StrEnum):
    applied = "applied"  # 已按清单实施
    partially_applied = "partially_applied"  # 部分实施
    not_applied = "not_applied"  # 未实施


OUTCOME_LABELS = {
    FeedbackOutcome.applied: "已实施",
    FeedbackOutcome.partially_applied: "部分实施",
    FeedbackOutcome.not_applied: "未实施",
}


class FeedbackIn(BaseModel):
    """Which of the check's measures the department applied, and the outcome (反馈)."""

    measures_applied: list[str] = Field(
        default=[], max_length=50, description="措施代码，须为本次核查返回的措施"
    )
    outcome: FeedbackOutcome
    note: str = Field(default="", max_length=500, description="说明，如未实施的原因")


class FeedbackOut(BaseModel):
    check_id: str
    department_name: str | None
    actor: str
    at: datetime
    outcome: FeedbackOutcome
    outcome_label: str
    measures_applied: list[str]
    note: str
    created: bool = False  # false: the same feedback had been recorded before (idempotent repeat)


class CheckRecord(BaseModel):
    """A stored check as `GET /api/v1/checks/{id}` returns it: the answer, the receipt, and whether they verify."""

    answer: CheckAnswer
    receipt: Receipt
    verification: Verification
    feedback: FeedbackOut | None


class BatchItem(BaseModel):
    """One subject of a batch: its check, or why there is none."""

    index: int
    subject: str
    check: CheckOut | None = None
    error: str | None = None
    message: str | None = None
    candidates: list[Candidate] = []


class BatchCheckOut(BaseModel):
    batch_id: str
    scenario: Scope
    received: int
    checked: int
    on_lists: int
    failed: int
    items: list[BatchItem]


class EntryOut(BaseModel):
    """A list entry as the console and the API show it."""

    record_id: int
    list_type: str
    list_name: str
    list_kind: str
    list_kind_label: str
    subject_code: str
    subject_name: str
    authority: str
    authority_recognised: bool
    decision_number: str
    basis: str
    reason: str
    start_date: date
    end_date: date
    end_by_default: bool
    status: str  # active | removed
    state: str  # 生效中 | 未生效 | 已到期 | 已移出
    version: int


class EntryPage(BaseModel):
    items: list[EntryOut]
    page: int
    pages: int
    total: int
    total_capped: bool


class PublicEntry(BaseModel):
    """A list entry as the public sees it (persons masked)."""

    list_type: str
    list_name: str
    list_kind_label: str
    subject_code: str
    subject_name: str
    uscc: str | None
    id_number: str | None
    authority: str
    decision_number: str
    reason: str
    start_date: date
    end_date: date


class PublicListPage(BaseModel):
    list_types: list[Scope]  # the list types the public may see
    items: list[PublicEntry]
    page: int
    pages: int
    total: int
    total_capped: bool


class ExtendIn(BaseModel):
    end_date: date = Field(description="新的移出日期（在名单上的最后一天）")
    reason: str = Field(min_length=2, max_length=500)


class RemoveIn(BaseModel):
    reason: str = Field(min_length=2, max_length=500)


class MeasureStat(BaseModel):
    code: str
    name: str
    kind_label: str
    returned: int  # checks that answered it
    applied: int  # feedback that reported it applied


class GroupStat(BaseModel):
    key: str  # department name or month
    department_id: int | None = None
    checks: int
    on_lists: int
    with_measures: int
    with_feedback: int
    measures_applied: int


class CheckStats(BaseModel):
    month_from: str
    month_to: str
    department_id: int | None
    by_measure: list[MeasureStat]
    by_department: list[GroupStat]
    by_month: list[GroupStat]


class PendingCheck(BaseModel):
    check_id: str
    at: datetime
    department_name: str | None
    scenario_name: str
    subject_name: str
    case_reference: str
    measures: list[str]


class PendingPage(BaseModel):
    items: list[PendingCheck]
    page: int
    pages: int
    total: int


class SubjectCheck(BaseModel):
    """A check (核查) of the subject by another government system, as the subject itself sees it."""

    at: datetime
    department_name: str | None
    scenario_name: str
    purpose: str
    channel: str


class SubjectCheckPage(BaseModel):
    items: list[SubjectCheck]
    page: int
    pages: int
    total: int
