"""Report PDFs: real Chinese text a reader can extract, a first page that is not blank, the number and
the code printed; public and full versions differ as the access layer and the evaluation decide."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdfium2 as pdfium

from reports.helpers import (
    COMPANY,
    COMPANY_USCC,
    LEGAL_REP_ID,
    PERSON_ID,
    PUBLIC_COMMITMENT,
    RESTRICTED_COMMITMENT,
    auth,
    issued_reports,
    pdf_text,
)

NUMBER = re.compile(r"^PS-220284-\d{8}-\d{6}$")


def get_pdf(county: dict[str, Any], code: str, role: str | None = None, **params: str) -> Any:
    return county["client"].get(
        f"/api/v1/subjects/{code}/report.pdf", headers=auth(county, role), params=params
    )


def dark_fraction(pdf: bytes, page: int = 0) -> float:
    """The share of a rendered page's pixels that are not (near) white."""
    document = pdfium.PdfDocument(io.BytesIO(pdf))
    try:
        image = document[page].render(scale=0.5, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    pixels = image.tobytes()
    return sum(1 for p in pixels if p < 200) / len(pixels)


def test_a_public_pdf_has_the_name_number_and_code_as_text_and_a_page_that_is_not_blank(
    county: dict[str, Any],
) -> None:
    response = get_pdf(county, COMPANY_USCC)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    number, code = response.headers["x-report-number"], response.headers["x-report-verification-code"]
    assert NUMBER.match(number), number
    assert (
        "attachment" in response.headers["content-disposition"]
        and number in response.headers["content-disposition"]
    )
    text = pdf_text(pdf)
    for expected in (COMPANY, number, code, "公共信用信息报告（公开版）", "行政处罚信息", "失信被执行人"):
        assert expected in text, f"{expected!r} not in the PDF's text"
    assert 0.01 < dark_fraction(pdf) < 0.6  # text, tables and the QR code: neither empty nor a black page
    [row] = issued_reports()
    assert (row.number, row.version, row.issued_to, row.model) == (
        number,
        "public",
        "社会公众",
        "enterprise-2026.2",
    )
    assert len(row.pdf_sha256) == 64 and row.code_sha256 != code


def test_the_public_version_hides_what_the_full_version_shows(county: dict[str, Any]) -> None:
    public = pdf_text(get_pdf(county, COMPANY_USCC).content)
    full_response = get_pdf(county, COMPANY_USCC, "operator", version="full", purpose="招标投标资格审查")
    assert full_response.status_code == 200, full_response.text[:300]
    full = pdf_text(full_response.content)
    # The legal representative's ID number is 政务共享: an operator with a purpose sees it, the public never.
    assert LEGAL_REP_ID in full and LEGAL_REP_ID not in public
    # The grade is public for enterprises; its explanation (score, indicators, records) only in full.
    assert "评价等级" in public and "评价等级" in full
    assert "评价说明" in full and "评价说明" not in public
    assert "失信被执行人" in full and "-250.00" in full and "-250.00" not in public
    assert "完整版" in full and "招标投标资格审查" in full


def test_a_persons_public_report_is_masked_and_the_full_one_is_not(county: dict[str, Any]) -> None:
    # The public reaches a person by the opaque code of the public pages, never by the ID number.
    assert get_pdf(county, PERSON_ID).status_code == 404
    full = get_pdf(county, PERSON_ID, "operator", version="full", purpose="行政许可审查")
    assert full.status_code == 200, full.text[:300]
    full_text = pdf_text(full.content)
    assert "张三" in full_text and PERSON_ID in full_text
    public_code = next(r.subject_code for r in issued_reports())
    assert public_code != PERSON_ID
    public = get_pdf(county, public_code)
    assert public.status_code == 200, public.text[:300]
    public_text = pdf_text(public.content)
    assert "张*" in public_text and "张三" not in public_text
    assert PERSON_ID not in public_text and PERSON_ID[:4] + "**********" + PERSON_ID[-4:] in public_text
    names = {r.version: r.subject_name for r in issued_reports()}
    assert names == {"full": "张三", "public": "张*"}  # verification shows the name as the report printed it


def test_a_record_under_objection_is_marked_in_the_report(county: dict[str, Any]) -> None:
    client = county["client"]
    before = pdf_text(get_pdf(county, COMPANY_USCC).content)
    assert "异议处理中" not in before and "均无正在处理的异议" in before
    file = client.get(f"/api/v1/subjects/{COMPANY_USCC}").json()
    penalty = next(r for r in file["records"] if r["record_type"] == "admin_penalty")
    filed = client.post(
        "/api/v1/objections",
        headers=auth(county, "subject"),
        json={"record_id": penalty["id"], "reason": "罚款金额与处罚决定书不一致，请核实更正"},
    )
    assert filed.status_code == 201, filed.text[:300]
    after = pdf_text(get_pdf(county, COMPANY_USCC).content)
    assert "异议处理中" in after and "磐市监处罚〔2025〕1号" in after


def test_commitments_are_a_section_as_their_disclosure_allows_and_breaches_count_in_the_grade(
    county: dict[str, Any],
) -> None:
    """信用承诺: the public sees the one its 公开类型 makes public; the subject sees both; the full report's
    explanation shows the breach in the grade."""
    public = pdf_text(get_pdf(county, COMPANY_USCC).content)
    own = get_pdf(county, COMPANY_USCC, "subject", version="full")
    assert own.status_code == 200, own.text[:300]
    full = pdf_text(own.content)
    assert "信用承诺信息" in public and PUBLIC_COMMITMENT in public and "全部未履行" in public
    assert RESTRICTED_COMMITMENT not in public
    assert PUBLIC_COMMITMENT in full and RESTRICTED_COMMITMENT in full
    assert "违背信用承诺（全部未履行）" in full and "违背信用承诺" not in public
