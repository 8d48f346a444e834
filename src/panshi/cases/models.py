"""Cases (objections and repairs), their events, credit commitments and evidence files."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from panshi.core.db import Base
from panshi.core.types import BigId, UTCDateTime


class Case(Base):
    """One objection (异议) or repair application (信用修复申请) about one record.

    `version` grows with every state change: a decision is `UPDATE … WHERE id = ? AND version = ?`,
    so of two reviewers deciding at once one wins and the other is told. `open_key` is
    `<kind>:<record_id>` while the case is open and NULL once closed: its unique index admits one open
    case of each kind per record, on both engines, whatever the race."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # objection | repair
    record_id: Mapped[int] = mapped_column(BigId)
    record_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int] = mapped_column(BigId)
    department_id: Mapped[int] = mapped_column(BigId)  # the record's source department
    state: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer, default=1)
    open_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    reason: Mapped[str] = mapped_column(String(2000))  # the objection's reason or the repair declaration
    filed_by: Mapped[str] = mapped_column(String(200))
    filed_by_role: Mapped[str] = mapped_column(String(16))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_on: Mapped[date] = mapped_column(Date)  # business date the application was received
    state_since: Mapped[date] = mapped_column(Date)  # business date the current state began
    due_on: Mapped[date | None] = mapped_column(Date)  # NULL: closed, or the calendar does not reach
    deadline_unknown: Mapped[bool] = mapped_column(default=False)
    decision_reason: Mapped[str | None] = mapped_column(String(1000))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rules_version: Mapped[str] = mapped_column(String(16))
    # A decision about a record homed at another node travels there as a request (exchange messages);
    # the case waits in `at_home` under that request's uid until the home node answers.
    home_request: Mapped[str | None] = mapped_column(String(40), unique=True)

    __table_args__ = (
        Index("ix_cases_record_id", "record_id"),
        Index("ix_cases_subject_id", "subject_id"),
        Index("ix_cases_queue", "department_id", "due_on"),
    )


class CaseEvent(Base):
    """One step of a case: who, when, from which state to which, and why."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(BigId, index=True)
    action: Mapped[str] = mapped_column(String(24))  # file | accept | refuse | forward | uphold | …
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(1000))


class Commitment(Base):
    """A credit commitment (信用承诺) in the fields of the national 信用承诺 data standard; one per repair
    application, kept after the case closes."""

    __tablename__ = "credit_commitments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(BigId, unique=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)  # 承诺编码: region + date + serial
    commitment_type: Mapped[str] = mapped_column(String(16))  # 承诺类型
    subject_name: Mapped[str] = mapped_column(String(200))  # 承诺人（承诺主体）名称
    subject_code: Mapped[str] = mapped_column(String(64))  # 承诺人代码（统一社会信用代码，个人为脱敏证件号）
    subject_category: Mapped[str] = mapped_column(String(16))  # 承诺人类别
    legal_representative: Mapped[str] = mapped_column(String(100))  # 法定代表人/负责人
    cause: Mapped[str] = mapped_column(String(500))  # 承诺事由
    content: Mapped[str] = mapped_column(String(2000))  # 承诺内容
    liability: Mapped[str] = mapped_column(String(500))  # 违诺责任
    made_on: Mapped[date] = mapped_column(Date)  # 承诺作出日期
    valid_until: Mapped[date] = mapped_column(Date)  # 承诺有效期（截止）
    acceptor: Mapped[str] = mapped_column(String(200))  # 承诺受理单位
    acceptor_code: Mapped[str] = mapped_column(String(18))  # 受理单位代码
    disclosure: Mapped[str] = mapped_column(String(16))  # 公开类型
    fulfilment: Mapped[str | None] = mapped_column(String(16))  # 承诺履行状态, once assessed
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EvidenceFile(Base):
    """An uploaded evidence file: stored under `stored_name` (generated) in the evidence directory;
    the uploaded name is kept as text only and never becomes part of a path."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int | None] = mapped_column(BigId, index=True)  # NULL until a filing attaches it
    uploaded_by: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    file_type: Mapped[str] = mapped_column(String(8))  # pdf | png | jpeg (by content)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
