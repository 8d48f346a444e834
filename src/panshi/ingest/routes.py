"""HTTP: submitting batches and reading their reports."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from panshi.accounts.schemas import Principal, Role
from panshi.api.deps import ReadSession, WriteSession, require, staff
from panshi.core.errors import FileTooLarge, NotFound
from panshi.core.settings import get_settings
from panshi.ingest.models import Batch
from panshi.ingest.schemas import BatchResult, BatchSummary, QualityRow
from panshi.ingest.service import (
    Submitter,
    batch_result,
    error_report_csv,
    ingest_file,
    quality_by_department,
    recent_batches,
)

router = APIRouter(prefix="/api/v1/batches", tags=["ingest 数据归集"])


def save_upload(upload: UploadFile, directory: Path) -> Path:
    """Stream an uploaded file to `directory`, refusing it past the size limit."""
    limit = get_settings().max_upload_bytes
    target = directory / "upload"
    written = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise FileTooLarge(f"文件超过上限 {limit // (1 << 20)} MiB：请拆分后分批提交")
            out.write(chunk)
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix:
        renamed = target.with_suffix(suffix)
        target.rename(renamed)
        target = renamed
    return target


@router.post("", status_code=201, response_model=BatchResult)
def submit_batch(
    file: Annotated[UploadFile, File(description="CSV (UTF-8/GBK), XLSX, JSON or NDJSON")],
    type: Annotated[str, Form(description="admin_penalty | admin_license")],
    who: Annotated[Principal, Depends(require(Role.department))],
    session: WriteSession,
) -> BatchResult:
    """Submit a department's file; each row is stored or sent back with its row, field and reason."""
    with tempfile.TemporaryDirectory(prefix="panshi-upload-") as tmp:
        path = save_upload(file, Path(tmp))
        submitter = Submitter(
            channel="api",
            actor=who.actor,
            department_id=who.department_id,
            department_uscc=who.department_uscc,
        )
        return ingest_file(session, path=path, record_type=type, submitter=submitter, filename=file.filename)


def _visible_batch(session: Session, batch_id: str, who: Principal) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None or (who.role is not Role.operator and batch.department_id != who.department_id):
        raise NotFound(f"未找到批次 {batch_id}")
    return batch


@router.get("/{batch_id}", response_model=BatchResult)
def get_batch(
    batch_id: str,
    who: Annotated[Principal, Depends(staff)],
    session: ReadSession,
) -> BatchResult:
    """A batch's counts and its first rejected rows."""
    return batch_result(session, _visible_batch(session, batch_id, who))


@router.get("/{batch_id}/errors.csv")
def get_error_report(
    batch_id: str,
    who: Annotated[Principal, Depends(staff)],
    session: ReadSession,
) -> StreamingResponse:
    """The batch's row-by-row error report as CSV (UTF-8 with BOM, so that Excel reads the Chinese)."""
    _visible_batch(session, batch_id, who)
    body = list(error_report_csv(session, batch_id))
    headers = {"Content-Disposition": f'attachment; filename="batch-{batch_id}-errors.csv"'}
    return StreamingResponse(iter(body), media_type="text/csv; charset=utf-8", headers=headers)


quality_router = APIRouter(prefix="/api/v1", tags=["ingest 数据归集"])


@quality_router.get("/quality", response_model=list[QualityRow])
def data_quality(
    who: Annotated[Principal, Depends(staff)],
    session: ReadSession,
) -> list[QualityRow]:
    """Data quality per department: records, batches, rejection rate, last submission (a department sees its own)."""
    own = None if who.role is Role.operator else who.department_id
    return quality_by_department(session, department_id=own)


@quality_router.get("/batches", response_model=list[BatchSummary])
def list_batches(
    who: Annotated[Principal, Depends(staff)],
    session: ReadSession,
) -> list[BatchSummary]:
    """The latest batches (a department sees its own)."""
    own = None if who.role is Role.operator else who.department_id
    return recent_batches(session, department_id=own, limit=50)
