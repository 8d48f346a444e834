"""How a report is laid out for speed: a record's facts as lines (two short ones to a line), and the
garbage collector paused while WeasyPrint renders, whatever the threads do."""

from __future__ import annotations

import gc
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pypdfium2 as pdfium
from hypothesis import given, settings
from hypothesis import strategies as st

from panshi.access.schemas import FieldOut, RecordView
from panshi.reports.render import (
    TAG_WIDTH,
    UA_RULES_UNUSED,
    WIDE_VALUE,
    _report_html_class,
    fact_lines,
    pdf_bytes,
)

LEVELS = ("public", "authorised", "government", "private")


def record(fields: list[FieldOut], department: str = "磐石市市场监督管理局") -> RecordView:
    return RecordView(
        id=1, record_type="admin_license", record_type_label="行政许可", status="active",
        decision_date=date(2026, 3, 5), publicity_start=date(2026, 3, 5), publicity_end=None, in_publicity=True,
        department_id=1, department_name=department, fields=fields,
    )  # fmt: skip


def width(f: FieldOut) -> int:
    text = "；".join(map(str, f.value)) if isinstance(f.value, list) else str(f.value)
    return len(f.label) + len(text) + (TAG_WIDTH if f.level != "public" else 0)


fields = st.lists(
    st.builds(
        FieldOut,
        name=st.from_regex(r"f[0-9]{1,3}", fullmatch=True),
        label=st.text(alphabet="许可编号内容类别日期", min_size=1, max_size=12),
        value=st.one_of(
            st.text(alphabet="磐石市0123456789-（）", max_size=40),
            st.lists(st.sampled_from(["罚款", "警告", "没收违法所得"]), max_size=4),
        ),
        level=st.sampled_from(LEVELS),
    ),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(fields)
def test_facts_keep_their_order_and_only_short_ones_share_a_line(fs: list[FieldOut]) -> None:
    lines = fact_lines(record(fs), frozenset())
    shown = [f for line in lines for f in line]
    assert [f.label for f in shown[:3]] == ["决定日期", "公示期", "数据来源单位"]
    assert shown[3:] == fs  # every field, once, in the catalog's order
    assert all(len(line) in (1, 2) for line in lines)
    for line in lines:
        if len(line) == 2:
            assert all(width(f) <= WIDE_VALUE for f in line), line
    # A short fact is alone on its line only when the next fact is long (or there is none).
    for line, following in zip(lines, lines[1:], strict=False):
        if len(line) == 1 and width(line[0]) <= WIDE_VALUE:
            assert width(following[0]) > WIDE_VALUE, (line, following)


def test_a_disclosure_tag_counts_toward_a_facts_width() -> None:
    short = FieldOut(name="a", label="许可类别", value="普通", level="public")
    tagged = FieldOut(name="b", label="法定代表人证件号码", value="220284196505", level="government")
    untagged = FieldOut(name="c", label="法定代表人证件号码", value="220284196505", level="public")
    lines = fact_lines(record([short, tagged, short, untagged]), frozenset())
    # 决定日期 + 公示期 | 数据来源单位 + 许可类别 | the tagged one alone (25 with its tag) | 许可类别 + the untagged one (21)
    assert [[f.name for f in line] for line in lines] == [
        ["_decided", "_publicity"],
        ["_department", "a"],
        ["b"],
        ["a", "c"],
    ]


def test_skipped_fields_are_left_out() -> None:
    f = FieldOut(
        name="decision_number", label="行政许可决定文书号", value="磐市监许〔2026〕1号", level="public"
    )
    assert all(
        x.name != "decision_number"
        for line in fact_lines(record([f]), frozenset({"decision_number"}))
        for x in line
    )


TINY = '<html lang="zh-CN"><body><p style="font-family: \'Noto Sans CJK SC\'">信用报告</p></body></html>'


def test_rendering_leaves_the_garbage_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    assert pdf_bytes(TINY).startswith(b"%PDF-")
    assert gc.isenabled()
    gc.disable()
    try:
        pdf_bytes(TINY)
        assert not gc.isenabled()  # someone else turned it off: it stays off
    finally:
        gc.enable()


def test_concurrent_renders_share_one_pause_and_resume_the_collector() -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        pdfs = list(pool.map(lambda _: pdf_bytes(TINY), range(6)))
    assert all(p.startswith(b"%PDF-") for p in pdfs)
    assert gc.isenabled()


def test_the_report_renders_with_weasyprints_stylesheet_less_its_footnote_rules() -> None:
    """If a WeasyPrint release renames its hook or reshapes its stylesheet, this says so: the report
    still renders, with the stock stylesheet, about 5% slower."""
    from importlib.resources import files

    from weasyprint import HTML

    assert callable(getattr(HTML, "_ua_stylesheets", None))
    cls = _report_html_class()
    assert cls is not HTML and issubclass(cls, HTML)
    stock = (files("weasyprint.css") / "html5_ua.css").read_text("utf-8")
    dropped = [m.group(0).split(" ")[0] for m in UA_RULES_UNUSED.finditer(stock)]
    assert dropped == [
        "::footnote-call",
        "::footnote-marker",
        "::note-call",
        "::note-marker",
        "::note-callback",
    ]
    # Lists keep their markers (the report's notes are an ordered list).
    html = '<html lang="zh-CN"><body style="font-family: \'Noto Sans CJK SC\'"><ol><li>说明</li><li>核验</li></ol></body></html>'
    document = pdfium.PdfDocument(pdf_bytes(html))
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert "1." in text and "2." in text and "说明" in text
