"""Seeded, realistic 双公示 data for 磐石市 (region 220284): departments, subjects, penalties, licenses.

Used by `panshi demo` (a few thousand subjects, tens of thousands of records) and by the ingest
benchmark (millions of penalty rows streamed to a file in constant memory)::

    subjects = list(generate_subjects(20_000, seed=1))
    rows = generate_penalty_rows(subjects, 1_000_000, seed=1, start=date(2023, 1, 1), end=date(2025, 12, 31))
    write_csv(rows, "penalties.csv", encoding="gbk", headers=PENALTY_HEADERS)
"""

from __future__ import annotations

from panshi.demo.catalogue import (
    INDIVIDUAL_BUSINESS,
    LEGAL_ENTITY,
    LICENSE_CATEGORIES,
    NATURAL_PERSON,
    PENALTY_CATEGORIES,
    Department,
    LicenseType,
    Violation,
)
from panshi.demo.context import NoSubjects
from panshi.demo.csvfile import ENCODINGS, write_csv
from panshi.demo.departments import DEPARTMENTS
from panshi.demo.headers import LICENSE_HEADERS, LONG_TERM, PENALTY_HEADERS, SUBJECT_HEADERS
from panshi.demo.license_rows import LICENSE_DEFECTS
from panshi.demo.penalty_rows import PENALTY_DEFECTS
from panshi.demo.receipts import HABITS, RECEIPT_HEADER, ReceiptClock, ReportingHabit
from panshi.demo.rows import RowStream, generate_license_rows, generate_penalty_rows
from panshi.demo.subjects import SUBJECT_CATEGORIES, Subject, generate_subjects

__all__ = [
    "DEPARTMENTS",
    "ENCODINGS",
    "INDIVIDUAL_BUSINESS",
    "LEGAL_ENTITY",
    "LICENSE_CATEGORIES",
    "LICENSE_DEFECTS",
    "LICENSE_HEADERS",
    "LONG_TERM",
    "NATURAL_PERSON",
    "PENALTY_CATEGORIES",
    "PENALTY_DEFECTS",
    "PENALTY_HEADERS",
    "HABITS",
    "RECEIPT_HEADER",
    "ReceiptClock",
    "ReportingHabit",
    "RowStream",
    "SUBJECT_CATEGORIES",
    "SUBJECT_HEADERS",
    "Department",
    "LicenseType",
    "NoSubjects",
    "Subject",
    "Violation",
    "generate_license_rows",
    "generate_penalty_rows",
    "generate_subjects",
    "write_csv",
]
