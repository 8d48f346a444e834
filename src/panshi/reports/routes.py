"""HTTP: a subject's report as a PDF (API) and as a page (portal), and the verification page and API."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse

from panshi.accounts.schemas import Principal
from panshi.api.deps import ReadSession, WriteSession, caller
from panshi.api.web import rate_limit, render
from panshi.core.errors import FileTooLarge, PanshiError
from panshi.core.settings import get_settings
from panshi.reports import service
from panshi.reports.render import context, report_css
from panshi.reports.schemas import VerificationOut, VerifyIn

router = APIRouter(tags=["credit reports 信用报告"])

Who = Annotated[Principal, Depends(caller)]
MAX_PDF_BYTES = 20 * 1024 * 1024  # a report of a few hundred records is well under 1 MiB


class NotAPdf(PanshiError):
    code = "not_a_pdf"
    status_code = 422


def limit_public(request: Request, who: Principal, bucket: str) -> None:
    """Anonymous callers are rate limited per address: a PDF costs CPU, a verification is a guess."""
    if who.is_public:
        rate_limit(request, bucket=bucket, rule=get_settings().report_rate_limit)


@router.get(
    "/api/v1/subjects/{code}/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The report (PDF)"}},
)
def report_pdf(
    request: Request,
    code: str,
    who: Who,
    session: WriteSession,
    version: Annotated[Literal["public", "full"], Query(description="public (anyone) or full")] = "public",
    purpose: Annotated[
        str | None, Query(max_length=200, description="查询事由: staff need it for a full report; logged")
    ] = None,
) -> Response:
    """Issue a numbered credit report (信用报告) of a subject as a PDF: the public version to anyone, the
    full version to the subject itself and to staff who state a purpose (logged)."""
    limit_public(request, who, "report")
    channel = "web" if who.via_cookie else "api"
    issued = service.issue(session, who=who, code=code, version=version, purpose=purpose, channel=channel)
    filename = f"credit-report-{issued.number}.pdf"
    chinese = quote(f"信用报告-{issued.number}.pdf")
    return Response(
        issued.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{chinese}",
            "Cache-Control": "private, no-store",
            "X-Report-Number": issued.number,
            "X-Report-Verification-Code": issued.verification_code,
            "X-Report-SHA256": issued.pdf_sha256,
        },
    )


@router.post("/api/v1/reports/verify", response_model=VerificationOut)
def verify_api(request: Request, body: VerifyIn, who: Who, session: ReadSession) -> VerificationOut:
    """Verify a report by its number and verification code, and optionally its PDF's SHA-256; 404 when
    number and code do not match an issued report."""
    limit_public(request, who, "report_verify")
    return service.verify(session, number=body.number, code=body.code, pdf_sha256=body.pdf_sha256)


# --- portal pages --------------------------------------------------------------------------------


@router.get("/subjects/{code}/report", include_in_schema=False, response_class=HTMLResponse)
def report_page(request: Request, code: str, who: Who, session: ReadSession) -> Any:
    """The public report as a page (unnumbered), with the link that issues the numbered PDF."""
    content = service.preview(session, who=who, code=code)
    headers = {"X-Robots-Tag": "noindex"} if content.subject.kind == "natural_person" else None
    return render(request, "reports/page.html", headers=headers, **context(content, None))


@router.get("/reports/report.css", include_in_schema=False)
def stylesheet() -> Response:
    """The report's stylesheet (the PDF has it inline)."""
    return Response(report_css(), media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/reports/verify", include_in_schema=False, response_class=HTMLResponse)
def verify_page(
    request: Request,
    who: Who,
    session: ReadSession,
    number: Annotated[str, Query(max_length=60)] = "",
    code: Annotated[str, Query(max_length=30)] = "",
) -> Any:
    """报告核验: the form; with a number and code (the QR code's link), their verification."""
    result: VerificationOut | None = None
    error: PanshiError | None = None
    if number.strip() or code.strip():
        limit_public(request, who, "report_verify")
        try:
            result = service.verify(session, number=number, code=code)
        except service.ReportNotFound as exc:
            error = exc
    return _verify_page(request, number=number, code=code, result=result, error=error)


@router.post("/reports/verify", include_in_schema=False, response_class=HTMLResponse)
def verify_upload(
    request: Request,
    who: Who,
    session: ReadSession,
    number: Annotated[str, Form(max_length=60)],
    code: Annotated[str, Form(max_length=30)],
    pdf: Annotated[UploadFile | None, File(description="The report's PDF file")] = None,
) -> Any:
    """报告核验 with the PDF in hand: its SHA-256 must be the one of the report issued."""
    limit_public(request, who, "report_verify")
    result: VerificationOut | None = None
    error: PanshiError | None = None
    try:
        data = _read_pdf(pdf)
        result = service.verify(session, number=number, code=code, pdf=data)
    except (service.ReportNotFound, FileTooLarge, NotAPdf) as exc:
        error = exc
    return _verify_page(request, number=number, code=code, result=result, error=error)


def _read_pdf(upload: UploadFile | None) -> bytes | None:
    """The uploaded PDF's bytes (None when no file was chosen), refused past the size limit."""
    if upload is None or (not upload.filename and not upload.size):
        return None
    data = upload.file.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        raise FileTooLarge(f"文件超过 {MAX_PDF_BYTES // (1 << 20)} MiB：本平台出具的信用报告不会这么大")
    if not data:
        return None
    if not data.startswith(b"%PDF-"):
        raise NotAPdf("上传的文件不是 PDF 文件：请上传本平台出具的信用报告 PDF 原件")
    return data


def _verify_page(
    request: Request, *, number: str, code: str, result: VerificationOut | None, error: PanshiError | None
) -> Any:
    status = error.status_code if error else 200
    return render(
        request, "reports/verify.html", status_code=status, number=number, code=code, result=result, error=error,
        max_mib=MAX_PDF_BYTES // (1 << 20),
    )  # fmt: skip
