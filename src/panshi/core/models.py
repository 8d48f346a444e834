"""All tables, imported in one place for Alembic and tests."""

from panshi.accounts.models import ApiToken, Department, User, WebSession
from panshi.audit.models import QueryLogEntry
from panshi.cases.models import Case, CaseEvent, Commitment, EvidenceFile
from panshi.catalog.models import CatalogDocument
from panshi.core.db import Base
from panshi.evaluation.models import Evaluation, EvaluationRun
from panshi.exchange.models import (
    ExchangeBatch,
    ExchangeCursor,
    ExchangeFeedMark,
    ExchangeLog,
    ExchangeMessage,
    ExchangeNode,
    NationalExport,
)
from panshi.ingest.models import Batch, BatchIssue
from panshi.notices.models import Notice, NoticeAddress, NoticeRead
from panshi.records.models import Record, RecordHistory
from panshi.reports.models import CreditReport
from panshi.sanctions.models import AppliedMeasure, Check, CheckFeedback
from panshi.subjects.models import Subject, SubjectCode

__all__ = [
    "ApiToken",
    "AppliedMeasure",
    "Base",
    "Batch",
    "BatchIssue",
    "Case",
    "CaseEvent",
    "CatalogDocument",
    "Check",
    "CheckFeedback",
    "Commitment",
    "CreditReport",
    "Evaluation",
    "EvaluationRun",
    "ExchangeBatch",
    "ExchangeCursor",
    "ExchangeFeedMark",
    "ExchangeLog",
    "ExchangeMessage",
    "ExchangeNode",
    "NationalExport",
    "Department",
    "EvidenceFile",
    "Notice",
    "NoticeAddress",
    "NoticeRead",
    "QueryLogEntry",
    "Record",
    "RecordHistory",
    "Subject",
    "SubjectCode",
    "User",
    "WebSession",
]
