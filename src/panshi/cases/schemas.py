"""What the objection and repair endpoints take and answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Action = Literal["accept", "refuse", "forward", "uphold", "correct", "withdraw", "approve"]
Disclosure = Literal["可向社会公开", "特定范围内公开", "不可公开"]
RECEIVED_ON = (
    "线下受理日期：信用中心登记在窗口或以信函收到的申请时填写（仅运营人员）；办理期限自该日起算。空：今天"
)


class ObjectionIn(BaseModel):
    """An objection (异议) to one record: why it is wrong, and the evidence files uploaded for it."""

    record_id: int = Field(ge=1, le=2**63 - 1)
    reason: str = Field(min_length=1, max_length=2000, description="异议理由")
    evidence_ids: list[int] = Field(default=[], max_length=100, description="已上传的证明材料编号")
    received_on: date | None = Field(default=None, description=RECEIVED_ON)


class CommitmentIn(BaseModel):
    """A 信用修复型 credit commitment (信用承诺): the applicant's part of the national standard's fields.
    The platform fills in the rest: 承诺类型, 承诺主体名称 and 代码 from the record's subject, 承诺受理单位
    from its source department, 承诺编码, and 违诺责任 from the rules."""

    legal_representative: str = Field(
        default="", max_length=100, description="法定代表人/负责人（组织必填；个人可空）"
    )
    cause: str = Field(default="", max_length=500, description="承诺事由（空：按所修复的记录生成）")
    content: str = Field(min_length=1, max_length=2000, description="承诺内容")
    made_on: date | None = Field(default=None, description="承诺作出日期（空：今天）")
    valid_until: date = Field(description="承诺有效期至")
    disclosure: Disclosure = Field(default="可向社会公开", description="公开类型")
    note: str = Field(default="", max_length=500, description="备注")


class RepairIn(BaseModel):
    """A repair application (信用修复申请): the record, the declaration that the obligations are fulfilled,
    the evidence files, and the commitment. Free of charge; no third-party credit report is asked for."""

    record_id: int = Field(ge=1, le=2**63 - 1)
    declaration: str = Field(default="", max_length=2000, description="已履行法定义务、纠正失信行为的声明")
    evidence_ids: list[int] = Field(
        default=[], max_length=100, description="已上传的证明材料编号（如罚款缴纳凭证）"
    )
    commitment: CommitmentIn
    received_on: date | None = Field(default=None, description=RECEIVED_ON)


class DecisionIn(BaseModel):
    """A step of a case by a reviewer. `version` is the case version the reviewer saw: when someone else
    decided since, the step is refused (409) instead of overwriting their decision."""

    action: Action
    reason: str = Field(default="", max_length=1000, description="理由（不予受理、不予修复和核查决定必填）")
    version: int | None = Field(default=None, ge=1, description="审查时看到的案件版本")
    corrections: dict[str, Any] = Field(
        default={}, description="更正（correct）时：按信息目录字段名给出更正后的值"
    )


class CaseEventOut(BaseModel):
    action: str
    action_label: str
    from_state: str | None
    to_state: str
    to_state_label: str
    actor: str
    actor_role: str
    at: datetime
    reason: str | None


class EvidenceOut(BaseModel):
    id: int
    case_id: int | None
    original_name: str = Field(description="The name it was uploaded under (text only)")
    file_type: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class CommitmentOut(BaseModel):
    """信用承诺 in the national standard's fields."""

    code: str | None = Field(description="承诺编码")
    commitment_type: str = Field(description="承诺类型")
    subject_name: str = Field(description="承诺主体名称")
    subject_code: str = Field(description="统一社会信用代码（个人：档案编号）")
    subject_category: str = Field(description="承诺人类别")
    legal_representative: str = Field(description="法定代表人/负责人")
    cause: str = Field(description="承诺事由")
    content: str = Field(description="承诺内容")
    liability: str = Field(description="违诺责任")
    made_on: date = Field(description="承诺作出日期")
    valid_until: date = Field(description="承诺有效期")
    acceptor: str = Field(description="承诺受理单位")
    acceptor_code: str = Field(description="受理单位代码")
    disclosure: str = Field(description="公开类型")
    fulfilment: str | None = Field(description="承诺履行状态")
    note: str


class CaseSummary(BaseModel):
    id: int
    kind: str  # objection | repair
    kind_label: str
    record_id: int
    record_type: str
    subject_code: str
    subject_name: str
    department_id: int
    department_name: str
    state: str
    state_label: str
    open: bool
    version: int
    filed_by: str
    filed_at: datetime
    received_on: date = Field(description="The day the application was received (线下受理: an earlier day)")
    state_since: date
    due_on: date | None = Field(description="Deadline of the current step; null when closed or unknown")
    deadline_unknown: bool = Field(description="The working-day calendar does not reach the deadline yet")
    overdue: bool = Field(description="Open and past its deadline today")
    waiting_for: str | None = Field(description="What the current step needs (from the rules)")


class CaseOut(CaseSummary):
    reason: str = Field(description="异议理由 / 修复申请的履约声明")
    decision_reason: str | None
    closed_at: datetime | None
    rules_version: str
    allowed_actions: list[str] = Field(description="The steps the caller may take now")
    events: list[CaseEventOut]
    evidence: list[EvidenceOut]
    commitment: CommitmentOut | None


class CasePage(BaseModel):
    items: list[CaseSummary]
    page: int
    pages: int
    total: int
