"""Rendering a report: one Jinja2 template for the HTML page and the PDF (WeasyPrint), a QR code in SVG.

Fonts come from the system (fonts-noto-cjk, installed by scripts/setup), referenced by family with a
fallback list in report.css: nothing is downloaded, ever. WeasyPrint loads no URL of the document.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

import segno
from markupsafe import Markup

from panshi.access.schemas import CODE_LABELS, LEVEL_LABELS, FieldOut, RecordView
from panshi.api.web import templates
from panshi.catalog.service import load_catalog
from panshi.core.errors import PanshiError
from panshi.reports.schemas import ReportContent

CSS_TEMPLATE = "reports/report.css"
# A record's status other than active (a record that left public view stays in the store).
STATUS_LABELS = {"repaired": "已信用修复", "withdrawn": "已撤销", "removed": "已移出", "corrected": "已更正"}


class NoChineseFont(PanshiError):
    code = "no_chinese_font"
    status_code = 503


@dataclass(frozen=True)
class Issue:
    """What makes a rendered report an issued one: its number, code and the QR code to verify it."""

    number: str
    code: str
    verify_url: str


def verify_url(base_url: str, *, number: str, code: str) -> str:
    """The verification page of a report, as its QR code encodes it."""
    return f"{base_url.rstrip('/')}/reports/verify?{urlencode({'number': number, 'code': code})}"


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code (no XML declaration) of `url`; our own markup, safe to embed."""
    svg = segno.make(url, error="m").svg_inline(scale=3, border=2, dark="#000", light="#fff")
    return Markup(svg)  # noqa: S704 - segno's SVG of our URL, no user markup


def report_css() -> str:
    return _css()


@cache
def _css() -> str:
    env = templates().env
    assert env.loader is not None
    source, _name, _uptodate = env.loader.get_source(env, CSS_TEMPLATE)
    return source


def document_html(content: ReportContent, issue: Issue | None) -> str:
    """The report as a standalone HTML document (its CSS inline): what the PDF is made of."""
    return templates().env.get_template("reports/document.html").render(**context(content, issue), css=_css())


def context(content: ReportContent, issue: Issue | None) -> dict[str, Any]:
    """What the report templates need."""
    return {
        "report": content,
        "issue": issue,
        "qr": qr_svg(issue.verify_url) if issue else None,
        "code_labels": CODE_LABELS,
        "level_labels": LEVEL_LABELS,
        "status_labels": STATUS_LABELS,
        "restated": restated_fields(),
        "record_facts": record_facts,
    }


WIDE_VALUE = 22  # characters: a longer value takes a whole line of the record's box


def record_facts(record: RecordView, skip: frozenset[str]) -> list[tuple[FieldOut, bool]]:
    """A record's facts as (field, wide) in the order shown: its dates and source first, then its fields
    but `skip`. Short ones go two to a line. (Lines of text, not table cells: WeasyPrint lays out a
    report of a few dozen records about a third faster so.)"""
    if record.publicity_start is None:
        publicity = "不公示"
    else:
        end = f" 至 {record.publicity_end.isoformat()}" if record.publicity_end else " 起"
        publicity = record.publicity_start.isoformat() + end
    decided = record.decision_date.isoformat() if record.decision_date else "—"
    facts = [
        FieldOut(name="_decided", label="决定日期", value=decided, level="public"),
        FieldOut(name="_publicity", label="公示期", value=publicity, level="public"),
        FieldOut(name="_department", label="数据来源单位", value=record.department_name, level="public"),
        *(f for f in record.fields if f.name not in skip),
    ]
    return [(f, len(_text(f.value)) + len(f.label) > WIDE_VALUE) for f in facts]


def _text(value: Any) -> str:
    return "；".join(map(str, value)) if isinstance(value, list) else str(value)


@cache
def restated_fields() -> dict[str, frozenset[str]]:
    """Per record type, the fields a report leaves out of each record: those naming the subject and the
    source department (the report states both once), and the decision number (each record's heading)."""
    out = {}
    for key, t in load_catalog().record_types.items():
        m = t.subject
        names = {m.name, m.category, m.uscc, m.reg_no, m.org_code, *m.other_codes, m.id_type, m.id_number}
        names |= {t.department.name, t.department.uscc}
        out[key] = frozenset(n for n in names | {"decision_number"} if n)
    return out


def pdf_bytes(html: str) -> bytes:
    """The PDF of a report document (A4, Chinese text in the system's CJK font)."""
    _require_chinese_font()
    from weasyprint import HTML  # imported when first needed: it takes a moment to load

    return bytes(HTML(string=html, url_fetcher=_no_fetcher()).write_pdf())


@cache
def _no_fetcher() -> Any:
    """A URL fetcher that fetches nothing: a report is self-contained (inline CSS and SVG), so any URL
    would come from someone's data."""
    from weasyprint.urls import URLFetcher

    class NoFetch(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"reports load no external resources ({url[:60]})")

    return NoFetch()


@cache
def _require_chinese_font() -> None:
    """Refuse to issue a PDF whose Chinese text would come out as empty boxes."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return  # fontconfig's tools are not installed: nothing to ask; the library still finds fonts
    found = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    if not found.strip():
        raise NoChineseFont(
            "服务器未安装中文字体，无法生成 PDF 信用报告：请运行 scripts/setup（安装 fonts-noto-cjk）"
        )
