"""Ingest: a department's file in, every good row a record with provenance, every bad row explained."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from panshi.accounts.schemas import Principal, Role
from panshi.catalog.schemas import RecordType
from panshi.catalog.service import get_record_type, load_catalog
from panshi.core.db import is_postgres
from panshi.core.errors import NotFound
from panshi.core.settings import get_settings
from panshi.core.timeutil import today_shanghai, utcnow
from panshi.ingest import repository
from panshi.ingest.headers import ColumnMap, map_header
from panshi.ingest.models import Batch, BatchIssue
from panshi.ingest.pipeline import read_ahead
from panshi.ingest.readers import RowProblem, open_source
from panshi.ingest.receipts import (
    MIGRATION_CHANNEL,
    RECEIVED_AT,
    ReceiptTimes,
    StatedReceipts,
    authorise,
    resolve,
)
from panshi.ingest.schemas import BatchResult, BatchSummary, QualityRow, RowIssue
from panshi.ingest.store import BatchInfo, ChunkStore, prepare
from panshi.ingest.validate import ISSUE_COLUMNS, build_checks, header_fields, validate_chunk

MAX_ERRORS_RETURNED = 1000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Submitter:
    """Who submits: an operator import (departments registered on first sight) or one department."""

    channel: str  # cli | api | web
    actor: str
    department_id: int | None = None
    department_uscc: str | None = None  # set: rows of other departments are refused
    operator: bool = False  # a platform operator: may state receipt times (存量数据迁移)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_file(
    session: Session,
    *,
    path: Path,
    record_type: str,
    submitter: Submitter,
    filename: str | None = None,
    progress: Progress | None = None,
    receipts: ReceiptTimes | None = None,
) -> BatchResult:
    """Validate and store one file as one batch: all of it lands in this transaction, or none.

    With `receipts` (an operator's historical migration, 存量数据迁移) each row's stated receipt time
    becomes its record's arrival; a row whose stated time cannot be true is rejected with the reason."""
    authorise(receipts, operator=submitter.operator)
    settings = get_settings()
    rtype = get_record_type(record_type)
    catalog_version = load_catalog().version
    received_at = utcnow()
    source = open_source(path, chunk_rows=settings.ingest_chunk_rows)
    stated = resolve(receipts, rtype, source.header, now=received_at) if receipts else None
    columns = _map_columns(rtype, source.header, stated)
    checks = build_checks(
        rtype, today=today_shanghai(), own_department_uscc=submitter.department_uscc, receipts=stated
    )
    secret = settings.secret_key.encode()

    digest = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-sha256")
    file_digest = digest.submit(file_sha256, path)  # read alongside the parsing, not before it
    digest.shutdown(wait=False)
    batch = Batch(
        id=uuid.uuid4().hex, record_type=rtype.key, department_id=submitter.department_id,
        channel=MIGRATION_CHANNEL if receipts else submitter.channel, filename=(filename or path.name)[:500], file_sha256="",
        file_format=source.format, encoding=source.encoding, catalog_version=catalog_version,
        headers=source.header, header_fields=header_fields(columns), received=0, accepted=0, updated=0,
        unchanged=0, rejected=0, warnings=0, received_at=received_at, completed_at=received_at,
    )  # fmt: skip
    if receipts is not None:  # the batch says who migrated it, and how
        batch.migration_note = _migration_note(receipts, submitter)
    session.add(batch)
    session.flush()

    info = BatchInfo(batch.id, rtype.key, catalog_version, received_at, submitter.actor)
    store = ChunkStore(
        session,
        info,
        register_departments=submitter.department_uscc is None,
        public_id_seed=settings.secret_key,
    )
    copy_text = is_postgres(session)  # records leave the worker as COPY text, but for their ids
    # Chunk N+1 is read, validated and prepared in a worker thread while the database stores chunk N.
    prepared = read_ahead(
        prepare(
            validate_chunk(
                chunk, record_type=rtype, columns=columns, checks=checks, secret=secret, receipts=stated
            ),
            info,
            copy_text=copy_text,
        )
        for chunk in source.chunks
    )
    with closing(prepared):  # on an error too: the worker stops now, not when the traceback goes
        for chunk in prepared:
            store.add(chunk)
            if progress:
                progress(chunk.received)
    if source.problems:
        store.add_issues(_problem_frame(source.problems))
    store.close()

    batch.received = store.received + len(source.problems)
    batch.accepted, batch.updated, batch.unchanged = store.new, store.updated, store.unchanged
    batch.rejected, batch.warnings = repository.issue_counts(session, batch.id)
    batch.file_sha256 = file_digest.result()
    batch.completed_at = utcnow()
    session.flush()
    return batch_result(session, batch)


def _map_columns(rtype: RecordType, header: list[str], stated: StatedReceipts | None) -> ColumnMap:
    """The file's columns; a migration's receipt column is read by the migration, not the catalog."""
    if stated is None:
        return map_header(rtype, header)
    consumed = () if stated.position is None else (stated.position,)
    columns = map_header(rtype, header, consumed=consumed)
    return dataclasses.replace(columns, header_of=columns.header_of | {RECEIVED_AT: stated.header})


def _migration_note(receipts: ReceiptTimes, submitter: Submitter) -> str:
    """What a migration batch says of itself: whose it is, and where its receipt times came from."""
    via = {"cli": "命令行", "api": "接口", "web": "网页"}.get(submitter.channel, submitter.channel)
    return f"存量数据迁移：由 {submitter.actor} 经{via}导入；原平台接收时间{receipts.describe()}"[:1000]


def _problem_frame(problems: list[RowProblem]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "row": [p.row for p in problems],
            "field": [None] * len(problems),
            "column": [None] * len(problems),
            "code": [p.code for p in problems],
            "severity": ["error"] * len(problems),
            "message": [p.message for p in problems],
        },
        schema=ISSUE_COLUMNS,
    )


@dataclass(frozen=True)
class SubmittedColumns:
    """A batch's columns: the headers as submitted and, where its records keep only the values that
    differ from their data, the field each column was read as."""

    headers: list[str]
    fields: list[str | None] | None = None  # None: records keep every submitted value


def batch_columns(session: Session, batch_ids: Iterable[str]) -> dict[str, SubmittedColumns]:
    """The columns of batches as submitted, by batch id."""
    query = select(Batch.id, Batch.headers, Batch.header_fields).where(Batch.id.in_(set(batch_ids)))
    return {
        batch_id: SubmittedColumns(headers, fields) for batch_id, headers, fields in session.execute(query)
    }


def label_submitted(
    columns: SubmittedColumns, values: dict[str, str | None], data: dict[str, Any]
) -> dict[str, str | None]:
    """A record's values as submitted, keyed by the headers again.

    `values` maps column positions to values; `data` is the record's data as its batch stored it
    (for a sparse batch, a position left out of `values` holds its field's value there)."""
    headers = columns.headers
    if columns.fields is None:
        return {
            headers[int(position)] or f"列{int(position) + 1}": value for position, value in values.items()
        }
    labelled: dict[str, str | None] = {}
    for position, (header, field) in enumerate(zip(headers, columns.fields, strict=True)):
        key = str(position)
        value = values[key] if key in values else data.get(field) if field else None
        labelled[header or f"列{position + 1}"] = value
    return labelled


def batch_result(session: Session, batch: Batch) -> BatchResult:
    """A stored batch's counts and its first rejected rows."""
    query = (
        select(BatchIssue)
        .where(BatchIssue.batch_id == batch.id, BatchIssue.severity == "error")
        .order_by(BatchIssue.row, BatchIssue.id)
        .limit(MAX_ERRORS_RETURNED + 1)
    )
    issues = list(session.scalars(query))
    return BatchResult(
        batch_id=batch.id, type=batch.record_type, filename=batch.filename, format=batch.file_format,
        encoding=batch.encoding, catalog_version=batch.catalog_version, received=batch.received,
        accepted=batch.accepted, updated=batch.updated, unchanged=batch.unchanged, rejected=batch.rejected,
        warnings=batch.warnings, errors=[_row_issue(i) for i in issues[:MAX_ERRORS_RETURNED]],
        errors_truncated=len(issues) > MAX_ERRORS_RETURNED, channel=batch.channel,
        migration=batch.channel == MIGRATION_CHANNEL, migration_note=batch.migration_note,
    )  # fmt: skip


def _row_issue(issue: BatchIssue) -> RowIssue:
    return RowIssue(
        row=issue.row, field=issue.field, column=issue.column, code=issue.code, message=issue.message,
        severity=issue.severity,
    )  # fmt: skip


REPORT_HEADER = [
    "行号(row)",
    "字段(field)",
    "列名(column)",
    "问题代码(code)",
    "级别(severity)",
    "说明(message)",
]


SEVERITY_LABELS = {"error": "拒收(error)", "warning": "提示(warning)"}


def error_report_rows(session: Session, batch_id: str) -> Iterator[list[str]]:
    """Every issue of a batch, by row, for the downloadable CSV report."""
    yield REPORT_HEADER
    query = select(BatchIssue).where(BatchIssue.batch_id == batch_id).order_by(BatchIssue.row, BatchIssue.id)
    for issue in session.scalars(query.execution_options(yield_per=5000)):
        severity = SEVERITY_LABELS.get(issue.severity, issue.severity)
        yield [str(issue.row), issue.field or "", issue.column or "", issue.code, severity, issue.message]


def quality_by_department(session: Session, *, department_id: int | None = None) -> list[QualityRow]:
    """Data quality per department (数据质量): batches, rows received and rejected, records, last submission."""
    from panshi.accounts.service import list_departments
    from panshi.records.service import counts_by_department

    stats = {r.department_id: r for r in repository.batch_stats_by_department(session)}
    held = counts_by_department(session)
    rows = []
    for d in list_departments(session):
        if department_id is not None and d.id != department_id:
            continue
        s = stats.get(d.id)
        received, rejected = (int(s.received), int(s.rejected)) if s else (0, 0)
        rows.append(
            QualityRow(
                department_id=d.id, department_name=d.name, batches=int(s.batches) if s else 0,
                rows_received=received, rows_rejected=rejected,
                rejection_rate=round(rejected / received, 4) if received else 0.0, records=held.get(d.id, 0),
                last_submission=s.last if s else None,
            )
        )  # fmt: skip
    return rows


def recent_batches(
    session: Session, *, department_id: int | None = None, limit: int = 20
) -> list[BatchSummary]:
    """The latest batches (of one department, or all for operators)."""
    return [
        BatchSummary.model_validate(b, from_attributes=True)
        for b in repository.recent_batches(session, department_id=department_id, limit=limit)
    ]


def visible_batch(session: Session, batch_id: str, *, who: Principal) -> Batch:
    """A batch its caller may see: operators any, a department its own; otherwise "not found"."""
    batch = session.get(Batch, batch_id) if len(batch_id) <= 64 else None
    if batch is None or (who.role is not Role.operator and batch.department_id != who.department_id):
        raise NotFound(f"未找到批次 {batch_id}")
    return batch


def own_department(who: Principal) -> int | None:
    """The department whose batches and figures `who` sees: None (all) for operators."""
    return None if who.role is Role.operator else who.department_id


def error_report_csv(session: Session, batch_id: str) -> Iterator[bytes]:
    """A batch's row-by-row error report as CSV bytes (UTF-8 with BOM, so that Excel reads the Chinese)."""
    import csv
    import io

    rows = list(error_report_rows(session, batch_id))  # read now: the session closes before streaming ends
    yield "\ufeff".encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
