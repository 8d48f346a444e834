"""Report numbers under concurrency, `panshi report`, and the portal's report page and links."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from panshi.accounts.schemas import PUBLIC
from panshi.cli import app
from panshi.core.db import unit_of_work
from panshi.reports import service
from reports.helpers import COMPANY, COMPANY_USCC, issued_reports, pdf_text

runner = CliRunner()


def _issue(_: int) -> str:
    with unit_of_work(write=True) as session:
        return service.issue(session, who=PUBLIC, code=COMPANY_USCC).number


def test_reports_issued_at_once_get_distinct_numbers(county: dict[str, Any]) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = list(pool.map(_issue, range(6)))
    assert len(set(numbers)) == 6
    rows = issued_reports()
    assert sorted(r.number for r in rows) == sorted(numbers)
    assert len({r.serial for r in rows}) == 6
    assert all(r.number.endswith(f"-{r.serial:06d}") for r in rows)


def test_the_cli_writes_the_pdf_and_html_of_a_numbered_report(county: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "report.pdf"
    result = runner.invoke(app, ["report", COMPANY_USCC, "-o", str(target), "--html"])
    assert result.exit_code == 0, result.output
    [row] = issued_reports()
    assert row.number in result.stdout and row.channel == "cli"
    assert target.read_bytes().startswith(b"%PDF-") and row.number in pdf_text(target.read_bytes())
    html = (out / "report.html").read_text(encoding="utf-8")
    assert row.number in html and COMPANY in html and "<svg" in html
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.pdf"]  # no temporary left


def test_the_cli_refuses_a_full_report_without_a_purpose_and_writes_nothing(
    county: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "full.pdf"
    refused = runner.invoke(app, ["report", COMPANY_USCC, "--full", "-o", str(target)])
    assert refused.exit_code == 1 and "查询事由" in refused.output
    assert list(out.iterdir()) == [] and issued_reports() == []
    done = runner.invoke(
        app, ["report", COMPANY_USCC, "--full", "--purpose", "信用修复审核", "-o", str(target)]
    )
    assert done.exit_code == 0, done.output
    [row] = issued_reports()
    assert (row.version, row.purpose) == ("full", "信用修复审核")
    unknown = runner.invoke(app, ["report", "91220284MA9Z99999X", "-o", str(out / "x.pdf")])
    assert unknown.exit_code == 1 and sorted(p.name for p in out.iterdir()) == ["full.pdf"]


def test_the_portal_shows_the_report_page_with_its_download_link(county: dict[str, Any]) -> None:
    client = county["client"]
    page = client.get(f"/subjects/{COMPANY_USCC}/report")
    assert page.status_code == 200, page.text[:300]
    assert COMPANY in page.text and "公共信用信息报告" in page.text
    assert f'href="/api/v1/subjects/{COMPANY_USCC}/report.pdf"' in page.text
    assert (
        'href="/reports/report.css"' in page.text and "<style" not in page.text
    )  # the page CSP forbids inline CSS
    assert issued_reports() == []  # a page view issues no numbered report
    css = client.get("/reports/report.css")
    assert (
        css.status_code == 200 and css.headers["content-type"].startswith("text/css") and "@page" in css.text
    )
    subject_page = client.get(f"/subjects/{COMPANY_USCC}")
    assert subject_page.status_code == 200 and f'href="/subjects/{COMPANY_USCC}/report"' in subject_page.text


def test_hostile_text_in_a_record_is_shown_as_text(county: dict[str, Any], tmp_path: Path) -> None:
    from factories import ingest, penalty_row, write_csv

    hostile = '<script>alert(1)</script><img src="http://example.invalid/x.png">'
    row = penalty_row(1, **{"行政处罚决定书文号": "磐市监处罚〔2026〕99号", "违法事实": hostile, "处罚决定日期": "2026-11-01",
                            "处罚有效期": "2026-11-01", "公示截止期": ""})  # fmt: skip
    assert ingest(write_csv(tmp_path / "hostile.csv", [row])).rejected == 0
    page = county["client"].get(f"/subjects/{COMPANY_USCC}/report")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    with unit_of_work(write=True) as session:
        issued = service.issue(session, who=PUBLIC, code=COMPANY_USCC)
    assert "<script>" not in issued.html and re.search(r"&lt;script&gt;alert\(1\)", issued.html)
    assert "<script>alert(1)</script>" in pdf_text(issued.pdf)  # printed as the text it is
