"""All tables, imported in one place for Alembic and tests."""

from panshi.accounts.models import ApiToken, Department, User, WebSession
from panshi.audit.models import QueryLogEntry
from panshi.core.db import Base
from panshi.evaluation.models import Evaluation, EvaluationRun
from panshi.ingest.models import Batch, BatchIssue
from panshi.records.models import Record, RecordHistory
from panshi.sanctions.models import AppliedMeasure, Check, CheckFeedback
from panshi.subjects.models import Subject, SubjectCode

__all__ = [
    "ApiToken",
    "AppliedMeasure",
    "Base",
    "Batch",
    "BatchIssue",
    "Check",
    "CheckFeedback",
    "Evaluation",
    "EvaluationRun",
    "Department",
    "QueryLogEntry",
    "Record",
    "RecordHistory",
    "Subject",
    "SubjectCode",
    "User",
    "WebSession",
]
