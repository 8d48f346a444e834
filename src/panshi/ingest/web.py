"""HTTP pieces the batches API and the console share: receiving an upload, sending an error report."""

from __future__ import annotations

from pathlib import Path

from fastapi import UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from panshi.core.errors import FileTooLarge
from panshi.core.settings import get_settings
from panshi.ingest.models import Batch
from panshi.ingest.service import error_report_csv


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


def error_report_download(session: Session, batch: Batch) -> StreamingResponse:
    """The batch's row-by-row error report as a CSV download (UTF-8 with BOM, so that Excel reads the Chinese)."""
    body = list(
        error_report_csv(session, batch.id)
    )  # read now: the unit of work ends before the body is sent
    headers = {"Content-Disposition": f'attachment; filename="batch-{batch.id}-errors.csv"'}
    return StreamingResponse(iter(body), media_type="text/csv; charset=utf-8", headers=headers)
