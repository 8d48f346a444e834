"""Uploading a department's file in the browser (数据报送) and reading a batch's row-by-row report."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from panshi.accounts.schemas import Principal, Role
from panshi.api.deps import ReadSession, WriteSession
from panshi.api.web import render
from panshi.console.pages import STAFF, field_labels, page, record_type_labels
from panshi.core.errors import PanshiError
from panshi.ingest.service import Submitter, batch_result, ingest_file, visible_batch
from panshi.ingest.web import error_report_download, save_upload

router = APIRouter(prefix="/console", include_in_schema=False, default_response_class=HTMLResponse)

FORMATS = ".csv,.xlsx,.json,.ndjson,.jsonl"


@router.get("/upload")
def upload_form(request: Request, _who: Annotated[Principal, Depends(page(*STAFF))]) -> Any:
    """The upload form: a file and its record type."""
    return _form(request, record_type="", error=None)


@router.post("/upload")
def upload(
    request: Request,
    who: Annotated[Principal, Depends(page(*STAFF))],
    session: WriteSession,
    file: Annotated[UploadFile | None, File()] = None,
    type: Annotated[str, Form(max_length=64)] = "",
) -> Any:
    """Ingest the file as one batch and show its report; a file that cannot be read stores nothing."""
    if file is None or not file.filename:
        return _form(request, record_type=type, error="请选择要上传的文件")
    if type not in record_type_labels():
        return _form(request, record_type=type, error="请选择信息类别")
    try:
        # A savepoint: a file refused as a whole leaves nothing behind, not even an empty batch.
        with session.begin_nested(), tempfile.TemporaryDirectory(prefix="panshi-upload-") as tmp:
            path = save_upload(file, Path(tmp))
            result = ingest_file(session, path=path, record_type=type, submitter=_submitter(who),
                                 filename=file.filename)  # fmt: skip
    except PanshiError as exc:
        return _form(request, record_type=type, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"/console/batches/{result.batch_id}", status_code=303)


@router.get("/batches/{batch_id}")
def batch_page(
    request: Request,
    batch_id: str,
    who: Annotated[Principal, Depends(page(*STAFF))],
    session: ReadSession,
) -> Any:
    """A batch's counts and its rejected rows (a department sees only its own batches)."""
    batch = visible_batch(session, batch_id, who=who)
    return render(request, "console/batch.html", result=batch_result(session, batch), batch=batch,
                  record_types=record_type_labels(), field_labels=field_labels(batch.record_type))  # fmt: skip


@router.get("/batches/{batch_id}/errors.csv")
def error_report(
    batch_id: str,
    who: Annotated[Principal, Depends(page(*STAFF))],
    session: ReadSession,
) -> Any:
    """The batch's error report as CSV: the very report (and visibility rule) the API serves."""
    return error_report_download(session, visible_batch(session, batch_id, who=who))


def _submitter(who: Principal) -> Submitter:
    if who.role is Role.department:
        return Submitter(channel="web", actor=who.actor, department_id=who.department_id,
                         department_uscc=who.department_uscc)  # fmt: skip
    # An operator's import: the departments its rows name are registered on first sight.
    return Submitter(channel="web", actor=who.actor)


def _form(request: Request, *, record_type: str, error: str | None, status_code: int = 400) -> Any:
    return render(request, "console/upload.html", status_code=status_code if error else 200,
                  record_types=record_type_labels(), record_type=record_type, error=error,
                  formats=FORMATS)  # fmt: skip
