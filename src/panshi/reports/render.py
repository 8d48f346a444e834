"""Rendering a report: one Jinja2 template for the HTML page and the PDF (WeasyPrint), a QR code in SVG.

Fonts come from the system (fonts-noto-cjk, installed by scripts/setup), referenced by family with a
fallback list in report.css: nothing is downloaded, ever. WeasyPrint loads no URL of the document.
"""

from __future__ import annotations

import gc
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
        "restated": restated_fields(),
        "fact_lines": fact_lines,
    }


WIDE_VALUE = 22  # characters: a longer fact takes a whole line of the record's box
TAG_WIDTH = 4  # characters a disclosure tag (授权查询, 政务共享...) takes beside a fact


def fact_lines(record: RecordView, skip: frozenset[str]) -> list[tuple[FieldOut, ...]]:
    """A record's facts as the lines of its box, in the order shown: its dates and source first, then
    its fields but `skip`. A long fact takes a line; short ones go two to a line, the first in a box of
    half the width, the second as plain text after it (what WeasyPrint lays out fastest: one block per
    line and one inline-block per pair; lines of text rather than table cells or a box per fact)."""
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
    lines: list[tuple[FieldOut, ...]] = []
    open_half = False  # the last line holds one short fact: the next short one joins it
    for f in facts:
        short = len(record.text(f)) + len(f.label) + (TAG_WIDTH if f.level != "public" else 0) <= WIDE_VALUE
        if short and open_half:
            lines[-1] = (lines[-1][0], f)
            open_half = False
        else:
            lines.append((f,))
            open_half = short
    return lines


@cache
def restated_fields() -> dict[str, frozenset[str]]:
    """Per record type, the fields a report leaves out of each record: those naming the subject and the
    source department (the report states both once), and the record's number (its heading)."""
    out = {}
    for key, t in load_catalog().record_types.items():
        m = t.subject
        names = {m.name, m.category, m.uscc, m.reg_no, m.org_code, *m.other_codes, m.id_type, m.id_number}
        names |= {t.department.name, t.department.uscc}
        out[key] = frozenset(n for n in names | {t.number_field} if n)
    return out


def pdf_bytes(html: str) -> bytes:
    """The PDF of a report document (A4, Chinese text in the system's CJK font)."""
    _require_chinese_font()
    with _collector_paused():
        return bytes(_report_html_class()(string=html, url_fetcher=_no_fetcher()).write_pdf())


# The user agent stylesheet's rules for footnotes and notes: they match every element (`::footnote-call`
# ...), so WeasyPrint computes five pseudo-element styles per element of the report, which has none.
UA_RULES_UNUSED = re.compile(r"^::(footnote|note)-[a-z-]+ *\{[^}\n]*\}$", re.MULTILINE)


@cache
def _report_html_class() -> Any:
    """WeasyPrint's HTML with its user agent stylesheet less the footnote rules (about 5% of a render).

    `HTML._ua_stylesheets` is WeasyPrint's own hook (its tests override it; weasyprint is pinned): if
    a release drops it the override is simply not called, and tests/reports/test_render.py says so."""
    from importlib.resources import files

    from weasyprint import CSS, HTML  # imported when first needed: it takes a moment to load

    stock = (files("weasyprint.css") / "html5_ua.css").read_text("utf-8")
    lean, dropped = UA_RULES_UNUSED.subn("", stock)
    if dropped == 0:  # a WeasyPrint whose stylesheet changed shape: keep its own
        return HTML
    sheets = [CSS(string=lean)]

    class ReportHTML(HTML):  # type: ignore[misc]
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return sheets  # a report has no forms

    return ReportHTML


_collector = threading.Lock()
_paused = 0  # renders under way with the cyclic garbage collector paused (threads of one server)
_was_enabled = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while WeasyPrint renders, then collect once.

    A render makes some 100,000 objects that point at each other (boxes and their parents); the
    collector would walk them again and again, and in its full passes the whole heap of the process:
    a sixth of a report's CPU time, more in a big process. Paused, they are collected once, at the end
    (about 40 ms). Nested and concurrent renders share one pause; a collector that was off stays off."""
    global _paused, _was_enabled
    with _collector:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _collector:
            _paused -= 1
            resume = _paused == 0 and _was_enabled
            if resume:
                gc.enable()
        if resume:
            gc.collect(0)  # the render's objects, all still in the youngest generation


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
