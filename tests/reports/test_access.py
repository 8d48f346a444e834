"""Who gets which report: refusals (unknown code, full without authorisation, staff without a purpose),
the query log of a full report, and the rate limit on anonymous PDFs. A refusal records nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from panshi.audit.models import QueryLogEntry
from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings
from reports.helpers import COMPANY_USCC, OTHER_COMPANY_USCC, auth, issued_reports, query_log_count

UNKNOWN_USCC = "91220284MA0Y12340X"


def get_pdf(county: dict[str, Any], code: str, role: str | None = None, **params: str) -> Any:
    return county["client"].get(
        f"/api/v1/subjects/{code}/report.pdf", headers=auth(county, role), params=params
    )


def test_an_unknown_code_is_not_found(county: dict[str, Any]) -> None:
    response = get_pdf(county, "91220284MA9Z99999X")
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    page = county["client"].get("/subjects/91220284MA9Z99999X/report")
    assert page.status_code == 404 and "未找到" in page.text
    assert issued_reports() == []


@pytest.mark.parametrize(
    ("role", "params", "why"),
    [
        (None, {}, "仅向信用主体本身"),
        ("other_subject", {}, "仅向信用主体本身"),
        ("other_subject", {"purpose": "想看看竞争对手"}, "仅向信用主体本身"),
        ("operator", {}, "须说明查询事由"),
        ("government", {}, "须说明查询事由"),
        ("department", {}, "须说明查询事由"),
    ],
)
def test_a_full_report_without_authorisation_is_refused(
    county: dict[str, Any], role: str | None, params: dict[str, str], why: str
) -> None:
    before = query_log_count()
    response = get_pdf(county, COMPANY_USCC, role, version="full", **params)
    assert response.status_code == 403, response.text[:300]
    assert response.json()["error"] == "not_authorised" and why in response.json()["message"]
    assert issued_reports() == [] and query_log_count() == before


def test_a_bad_version_or_purpose_is_a_clear_error(county: dict[str, Any]) -> None:
    bad_version = get_pdf(county, COMPANY_USCC, version="secret")
    assert bad_version.status_code == 422 and "version" in bad_version.json()["message"]
    short = get_pdf(county, COMPANY_USCC, "operator", version="full", purpose="x")
    assert short.status_code == 400 and "查询事由" in short.json()["message"]
    assert issued_reports() == []


def test_a_full_report_to_staff_is_logged_with_its_purpose(county: dict[str, Any]) -> None:
    before = query_log_count()
    response = get_pdf(county, COMPANY_USCC, "government", version="full", purpose="政府采购供应商资格审查")
    assert response.status_code == 200, response.text[:300]
    with unit_of_work() as session:
        entries = list(session.scalars(select(QueryLogEntry).order_by(QueryLogEntry.id)))[before:]
    assert entries, "a full report to a government user must be in the query log"
    assert {e.purpose for e in entries} == {"政府采购供应商资格审查"}
    assert {e.channel for e in entries} == {"report"} and {e.role for e in entries} == {"government"}
    assert any("records" in e.returned and e.returned["records"] for e in entries)
    [row] = issued_reports()
    assert (row.version, row.role, row.purpose) == ("full", "government", "政府采购供应商资格审查")


def test_the_subject_gets_its_own_full_report_and_the_public_one_is_not_logged(
    county: dict[str, Any],
) -> None:
    before = query_log_count()
    own = get_pdf(county, COMPANY_USCC, "subject", version="full")
    assert own.status_code == 200, own.text[:300]
    public = get_pdf(county, COMPANY_USCC)
    assert public.status_code == 200
    assert query_log_count() == before  # a subject reading its own data, and the public view, are no queries
    assert get_pdf(county, OTHER_COMPANY_USCC, "subject", version="full").status_code == 403


def test_anonymous_pdfs_are_rate_limited(county: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANSHI_REPORT_RATE_LIMIT", "2/minute")
    get_settings.cache_clear()
    assert [get_pdf(county, COMPANY_USCC).status_code for _ in range(2)] == [200, 200]
    limited = get_pdf(county, COMPANY_USCC)
    assert (
        limited.status_code == 429
        and "Retry-After" in limited.headers
        and "请求过于频繁" in limited.json()["message"]
    )
    assert len(issued_reports()) == 2
    assert get_pdf(county, COMPANY_USCC, "operator").status_code == 200  # signed-in callers are not limited
