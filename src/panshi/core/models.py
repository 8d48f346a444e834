"""All tables, imported in one place for Alembic and tests."""

from panshi.accounts.models import ApiToken, Department, User, WebSession
from panshi.audit.models import QueryLogEntry
from panshi.core.db import Base
from panshi.ingest.models import Batch, BatchIssue
from panshi.records.models import Record, RecordHistory
from panshi.subjects.models import Subject, SubjectCode

__all__ = [
    "ApiToken",
    "Base",
    "Batch",
    "BatchIssue",
    "Department",
    "QueryLogEntry",
    "Record",
    "RecordHistory",
    "Subject",
    "SubjectCode",
    "User",
    "WebSession",
]
