"""Credit reports (信用报告): issue a numbered, verifiable report, preview one, and verify one."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from panshi.accounts.schemas import Principal
from panshi.core.errors import NotFound
from panshi.core.settings import get_settings
from panshi.core.timeutil import to_shanghai
from panshi.reports import repository
from panshi.reports.content import assemble
from panshi.reports.models import CreditReport
from panshi.reports.render import Issue, document_html, pdf_bytes, verify_url
from panshi.reports.schemas import (
    CODE_ALPHABET,
    CODE_LENGTH,
    NUMBER_SHAPE,
    VERSION_LABELS,
    ReportContent,
    VerificationOut,
    Version,
    clean_code,
    clean_number,
)


class ReportNotFound(NotFound):
    code = "report_not_found"


@dataclass(frozen=True)
class IssuedReport:
    """A report as issued: the PDF handed out, the HTML it was made of, and what verifies it."""

    number: str
    verification_code: str
    verify_url: str
    version: Version
    pdf: bytes
    pdf_sha256: str
    html: str
    content: ReportContent


def issue(
    session: Session,
    *,
    who: Principal,
    code: str,
    version: Version = "public",
    purpose: str | None = None,
    channel: str = "api",
) -> IssuedReport:
    """Issue subject `code`'s report in `version` to `who`: its content, number, code, PDF, and the row
    that lets anyone holding it verify it later. A full report needs the subject itself, or staff with
    a purpose (logged); an unknown code is NotFound."""
    content, subject = assemble(session, who=who, code=code, version=version, purpose=purpose)
    settings = get_settings()
    serial = repository.next_serial(session)
    number = f"PS-{settings.node_region_code}-{content.report_date:%Y%m%d}-{serial:06d}"
    verification_code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    url = verify_url(settings.public_base_url, number=number, code=verification_code)
    html = document_html(content, Issue(number=number, code=verification_code, verify_url=url))
    pdf = pdf_bytes(html)
    digest = hashlib.sha256(pdf).hexdigest()
    repository.add(
        session,
        CreditReport(
            number=number, serial=serial, subject_id=subject.id, subject_code=content.subject.code,
            subject_name=content.subject.name, version=version, issued_to=content.issued_to[:200],
            actor=who.actor[:200], role=who.role.value, purpose=content.purpose, channel=channel,
            issued_at=content.generated_at, pdf_sha256=digest, code_sha256=code_hash(number, verification_code),
            model=content.evaluation.model if content.evaluation else None,
        ),
    )  # fmt: skip
    return IssuedReport(
        number=number, verification_code=verification_code, verify_url=url, version=version, pdf=pdf,
        pdf_sha256=digest, html=html, content=content,
    )  # fmt: skip


def preview(session: Session, *, who: Principal, code: str) -> ReportContent:
    """The public report's content, unnumbered (the portal's HTML page; its PDF is the issued one)."""
    return assemble(session, who=who, code=code, version="public")[0]


def code_hash(number: str, verification_code: str) -> str:
    """How a verification code is kept. Salted by the report number; not keyed by the platform's secret,
    so that rotating that secret leaves every issued report verifiable."""
    return hashlib.sha256(f"panshi-report|{number}|{verification_code}".encode()).hexdigest()


def verify(
    session: Session,
    *,
    number: str,
    code: str,
    pdf: bytes | None = None,
    pdf_sha256: str | None = None,
) -> VerificationOut:
    """Confirm a report by its number and verification code, and, given the PDF (or its SHA-256), that
    the file is the very one issued. Unknown number and wrong code are the same refusal."""
    number, code = clean_number(number), clean_code(code)
    refused = ReportNotFound("报告编号或验证码不正确：请核对报告上印制的报告编号和验证码")
    report = repository.by_number(session, number) if NUMBER_SHAPE.match(number) else None
    if report is None or not hmac.compare_digest(report.code_sha256, code_hash(number, code)):
        raise refused
    if pdf is not None:
        pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    checked = pdf_sha256 is not None
    matches = hmac.compare_digest(report.pdf_sha256, pdf_sha256) if pdf_sha256 is not None else None
    issued = to_shanghai(report.issued_at).strftime("%Y-%m-%d %H:%M")
    if matches is None:
        message = f"报告编号与验证码相符：本平台于 {issued} 出具了该报告。如需确认报告内容未被改动，请上传 PDF 文件比对。"
    elif matches:
        message = f"验证通过：该 PDF 文件与本平台于 {issued} 出具的报告完全一致（SHA-256 相符）。"
    else:
        message = (
            "验证未通过：该 PDF 文件与本平台出具的报告不一致，文件已被改动或并非原件。"
            "报告内容请以本平台出具的原件为准。"
        )
    return VerificationOut(
        verified=matches is not False, number=report.number, version=report.version,  # type: ignore[arg-type]
        version_label=VERSION_LABELS.get(report.version, report.version), subject_name=report.subject_name,
        subject_code=report.subject_code, issued_at=report.issued_at, pdf_checked=checked, pdf_matches=matches,
        message=message,
    )  # fmt: skip
