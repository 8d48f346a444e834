"""HTTP: submitting batches and reading their reports."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import StreamingResponse

from panshi.accounts.schemas import Principal, Role
from panshi.api.deps import ReadSession, WriteSession, staff
from panshi.core.errors import NotAuthorised
from panshi.ingest.receipts import ReceiptTimes, authorise, parse_received_at
from panshi.ingest.schemas import BatchResult, BatchSummary, QualityRow
from panshi.ingest.service import (
    Submitter,
    batch_result,
    ingest_file,
    own_department,
    quality_by_department,
    recent_batches,
    visible_batch,
)
from panshi.ingest.web import error_report_download, save_upload

router = APIRouter(prefix="/api/v1/batches", tags=["ingest 数据归集"])


@router.post("", status_code=201, response_model=BatchResult)
def submit_batch(
    file: Annotated[UploadFile, File(description="CSV (UTF-8/GBK), XLSX, JSON or NDJSON")],
    type: Annotated[
        str,
        Form(
            description="record type of the catalog: admin_penalty | admin_license | list_entry | credit_commitment"
        ),
    ],
    who: Annotated[Principal, Depends(staff)],
    session: WriteSession,
    received_at_column: Annotated[
        str | None,
        Form(
            max_length=200,
            description="Operators' historical migration: the column of each "
            "row's receipt time on the old platform (ISO; Asia/Shanghai without an offset)",
        ),
    ] = None,
    received_at: Annotated[
        str | None,
        Form(
            max_length=64,
            description="Operators' historical migration: one receipt time for "
            "the whole file (or for rows whose receipt cell is blank)",
        ),
    ] = None,
) -> BatchResult:
    """Submit a file; each row is stored or sent back with its row, field and reason. A department
    submits its own rows; an operator only migrates history (存量数据迁移), stating receipt times."""
    receipts = None
    if received_at_column or received_at:
        at = parse_received_at(received_at) if received_at else None
        receipts = ReceiptTimes(column=received_at_column or None, at=at)
    operator = who.role is Role.operator
    authorise(receipts, operator=operator)  # before the upload is read
    if operator and receipts is None:  # day-to-day data comes from its department, under its own token
        raise NotAuthorised(
            "运营人员通过接口只能导入存量数据（须指定原平台接收时间列或统一的接收时间）；日常数据由数据来源单位报送"
        )
    with tempfile.TemporaryDirectory(prefix="panshi-upload-") as tmp:
        path = save_upload(file, Path(tmp))
        submitter = Submitter(
            channel="api",
            actor=who.actor,
            department_id=who.department_id,
            department_uscc=who.department_uscc,
            operator=operator,
        )
        return ingest_file(
            session,
            path=path,
            record_type=type,
            submitter=submitter,
            filename=file.filename,
            receipts=receipts,
        )


@router.get("/{batch_id}", response_model=BatchResult)
def get_batch(
    batch_id: str,
    who: Annotated[Principal, Depends(staff)],
    session: ReadSession,
) -> BatchResult:
    """A batch's counts and its first rejected rows."""
    return batch_result(session, visible_batch(session, batch_id, who=who))


@router.get("/{batch_id}/errors.csv")
def get_error_report(
    batch_id: str,
    who: Annotated[Principal, Depends(staff)],
    session: ReadSession,
) -> StreamingResponse:
    """The batch's row-by-row error report as CSV (UTF-8 with BOM, so that Excel reads the Chinese)."""
    return error_report_download(session, visible_batch(session, batch_id, who=who))


quality_router = APIRouter(prefix="/api/v1", tags=["ingest 数据归集"])


@quality_router.get("/quality", response_model=list[QualityRow])
def data_quality(
    who: Annotated[Principal, Depends(staff)],
    session: ReadSession,
) -> list[QualityRow]:
    """Data quality per department: records, batches, rejection rate, last submission (a department sees its own)."""
    return quality_by_department(session, department_id=own_department(who))


@quality_router.get("/batches", response_model=list[BatchSummary])
def list_batches(
    who: Annotated[Principal, Depends(staff)],
    session: ReadSession,
) -> list[BatchSummary]:
    """The latest batches (a department sees its own)."""
    return recent_batches(session, department_id=own_department(who), limit=50)
