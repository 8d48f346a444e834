"""Verification: number and code confirm a report; an untouched PDF verifies, a changed one fails,
through the service, the JSON API and the public page (a multipart form with its CSRF token)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panshi.accounts.schemas import PUBLIC
from panshi.core.db import unit_of_work
from panshi.reports import service
from panshi.reports.schemas import CODE_ALPHABET
from reports.helpers import COMPANY, COMPANY_USCC

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def issued(county: dict[str, Any]) -> service.IssuedReport:
    with unit_of_work(write=True) as session:
        return service.issue(session, who=PUBLIC, code=COMPANY_USCC)


def verify(number: str, code: str, pdf: bytes | None = None) -> Any:
    with unit_of_work() as session:
        return service.verify(session, number=number, code=code, pdf=pdf)


def test_number_and_code_confirm_the_report_without_disclosing_its_content(
    issued: service.IssuedReport,
) -> None:
    out = verify(issued.number, issued.verification_code)
    assert out.verified and not out.pdf_checked and out.pdf_matches is None
    assert (out.number, out.version, out.subject_name) == (issued.number, "public", COMPANY)
    assert set(out.model_dump()) == {
        "verified", "number", "version", "version_label", "subject_name", "subject_code", "issued_at",
        "pdf_checked", "pdf_matches", "message",
    }  # fmt: skip
    # As typed off paper: lower case, spaces, a hyphen in the code.
    code = issued.verification_code
    assert verify(f" {issued.number.lower()} ", f"{code[:4].lower()}-{code[4:]}").verified


def test_the_untouched_pdf_verifies_and_a_changed_one_fails(issued: service.IssuedReport) -> None:
    assert verify(issued.number, issued.verification_code, issued.pdf).pdf_matches is True
    appended = verify(issued.number, issued.verification_code, issued.pdf + b"%% changed\n")
    assert appended.verified is False and appended.pdf_matches is False
    assert "验证未通过" in appended.message
    middle = len(issued.pdf) // 2
    flipped = issued.pdf[:middle] + bytes([issued.pdf[middle] ^ 0x01]) + issued.pdf[middle + 1 :]
    assert verify(issued.number, issued.verification_code, flipped).verified is False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_byte_changed_fails_verification(
    issued: service.IssuedReport, data: st.DataObject
) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(issued.pdf) - 1))
    mask = data.draw(st.integers(min_value=1, max_value=255))
    changed = bytearray(issued.pdf)
    changed[position] ^= mask
    assert verify(issued.number, issued.verification_code, bytes(changed)).pdf_matches is False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.text(alphabet=CODE_ALPHABET, min_size=1, max_size=10))
def test_a_wrong_code_is_refused_like_an_unknown_number(issued: service.IssuedReport, code: str) -> None:
    if code == issued.verification_code:
        return
    with pytest.raises(service.ReportNotFound) as wrong_code:
        verify(issued.number, code)
    with pytest.raises(service.ReportNotFound) as unknown:
        verify(issued.number[:-1] + ("0" if issued.number[-1] != "0" else "1"), issued.verification_code)
    assert wrong_code.value.message == unknown.value.message


def test_the_json_api_verifies_a_hash(county: dict[str, Any], issued: service.IssuedReport) -> None:
    client = county["client"]
    body = {"number": issued.number, "code": issued.verification_code, "pdf_sha256": issued.pdf_sha256}
    ok = client.post("/api/v1/reports/verify", json=body)
    assert ok.status_code == 200, ok.text
    assert ok.json()["verified"] is True and ok.json()["pdf_matches"] is True
    changed = client.post(
        "/api/v1/reports/verify", json=body | {"pdf_sha256": hashlib.sha256(b"x").hexdigest()}
    )
    assert changed.status_code == 200 and changed.json()["verified"] is False
    wrong = client.post("/api/v1/reports/verify", json=body | {"code": "AAAAAAAA"})
    assert wrong.status_code == 404 and wrong.json()["error"] == "report_not_found"
    bad_hash = client.post("/api/v1/reports/verify", json=body | {"pdf_sha256": "not-a-hash"})
    assert bad_hash.status_code == 422 and "SHA-256" in bad_hash.text


def _post_page(client: Any, issued: service.IssuedReport, pdf: bytes | None, **fields: str) -> Any:
    page = client.get("/reports/verify")
    token = CSRF_INPUT.search(page.text)
    assert token, "no CSRF token on the verification page"
    data = {"csrf_token": token.group(1), "number": issued.number, "code": issued.verification_code, **fields}
    files = {"pdf": ("report.pdf", pdf, "application/pdf")} if pdf is not None else None
    return client.post("/reports/verify", data=data, files=files)


def test_the_page_verifies_an_uploaded_pdf(county: dict[str, Any], issued: service.IssuedReport) -> None:
    client = county["client"]
    link = client.get("/reports/verify", params={"number": issued.number, "code": issued.verification_code})
    assert link.status_code == 200 and "报告编号与验证码相符" in link.text and COMPANY in link.text
    ok = _post_page(client, issued, issued.pdf)
    assert ok.status_code == 200 and "验证通过" in ok.text, ok.text[:500]
    changed = _post_page(client, issued, issued.pdf.replace(b"%%EOF", b"%%EOF\n% x", 1))
    assert changed.status_code == 200 and "验证未通过" in changed.text
    not_pdf = _post_page(client, issued, b"hello")
    assert not_pdf.status_code == 422 and "不是 PDF 文件" in not_pdf.text
    wrong = _post_page(client, issued, None, code="AAAAAAAA")
    assert wrong.status_code == 404 and "报告编号或验证码不正确" in wrong.text
    # Without the form's CSRF token the upload is refused before anything is read.
    forged = client.post("/reports/verify", data={"number": issued.number, "code": issued.verification_code})
    assert forged.status_code == 403


def test_an_oversized_upload_is_refused(
    county: dict[str, Any], issued: service.IssuedReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    from panshi.reports import routes

    monkeypatch.setattr(routes, "MAX_PDF_BYTES", len(issued.pdf) - 1)
    too_large = _post_page(county["client"], issued, issued.pdf)
    assert too_large.status_code == 413 and "文件超过" in too_large.text
