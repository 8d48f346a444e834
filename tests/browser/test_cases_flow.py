"""Objections (异议) and credit repair (信用修复) in a real browser on the demo county: a company applies
for repair with an evidence PDF and a commitment; a company objects, the credit centre accepts and
forwards, the source department withdraws the record, and the public view and the notices follow."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.engine import Engine

from browser.conftest import LiveServer
from browser.test_console import _add_account, _sign_in
from panshi.accounts.models import Department
from panshi.cases.models import Case, EvidenceFile
from panshi.records.models import Record
from panshi.subjects.models import Subject

Screenshot = Callable[[Page, str], Path]
NewPage = Callable[[], Page]
CASE_URL = re.compile(r"/cases/(\d+)$")
# A small but real PDF (one empty page), as a scanner or a bank's e-receipt would give.
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
# The start of a Windows executable (the "MZ" DOS header and its stub message).
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"This program cannot be run in DOS mode.\r\n"
)


@dataclass(frozen=True)
class Penalty:
    """A published penalty of a demo company: what the tests act on."""

    record_id: int
    subject_code: str
    subject_name: str
    department_uscc: str
    department_name: str


@pytest.fixture(scope="module")
def database(live_server: LiveServer) -> Iterator[Engine]:
    """The live server's own database, to pick records and to move a minimum publicity period."""
    engine = create_engine(live_server.env["PANSHI_DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def taken() -> set[int]:
    """Subjects already used by a test of this module: each test works on a company of its own."""
    return set()


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[NewPage]:
    """`new_page()`: a tab in a fresh browser profile — one per person, so that sign-ins do not mix."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url,
                                      viewport={"width": 1280, "height": 800})  # fmt: skip
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _first_listing_page(server: LiveServer) -> set[str]:
    """Subject codes on the first page of the 双公示 penalty listing, which the other browser tests use."""
    with urllib.request.urlopen(f"{server.url}/api/v1/publicity?type=admin_penalty", timeout=10) as response:
        return {item["subject_code"] for item in json.load(response)["items"]}


def _published_penalty(server: LiveServer, database: Engine, taken: set[int]) -> Penalty:
    """An active penalty in publicity today of a company (91…) with no case, no other test's subject,
    and only this one penalty (so that its credit file shows one record to act on)."""
    today = date.today()
    avoid = _first_listing_page(server)
    with database.connect() as db:
        subjects_with_cases = select(Case.subject_id)
        penalties = (
            select(Record.subject_id)
            .where(Record.record_type == "admin_penalty")
            .group_by(Record.subject_id)
            .having(func.count() == 1)
        )
        rows = db.execute(
            select(Record.id, Subject.id, Subject.uscc, Subject.name, Department.uscc, Department.name)
            .join(Subject, Subject.id == Record.subject_id)
            .join(Department, Department.id == Record.department_id)
            .where(
                Record.record_type == "admin_penalty",
                Record.status == "active",
                Record.publicity_start <= today,
                Record.publicity_end > today + timedelta(days=7),
                Record.publicity_closed_on.is_(None),
                Subject.uscc.like("91%"),
                Subject.merged_into_id.is_(None),
                Subject.id.not_in(subjects_with_cases),
                Subject.id.in_(penalties),
            )
            .order_by(Record.id.desc())
        ).all()
    for record_id, subject_id, uscc, name, dept_uscc, dept_name in rows:
        if subject_id not in taken and uscc is not None and uscc not in avoid:
            taken.add(subject_id)
            return Penalty(record_id, uscc, name, dept_uscc, dept_name)
    pytest.fail("the demo county has no company with a single published penalty and no case")


def _set_minimum_end(database: Engine, record_id: int, day: date) -> None:
    """As the publicity rules would have it: the record's minimum publicity period ends on `day`."""
    with database.begin() as db:
        db.execute(update(Record).where(Record.id == record_id).values(publicity_minimum_end=day))


def _evidence_count(database: Engine) -> int:
    with database.connect() as db:
        return int(db.scalar(select(func.count()).select_from(EvidenceFile)) or 0)


def _stored_files(server: LiveServer) -> list[Path]:
    root = server.cwd / "var" / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _open_record(page: Page, record_id: int) -> None:
    """Unfold the record in the signed-in subject's credit file (only the first few are open)."""
    record = page.locator(f"details#record-{record_id}")
    expect(record).to_have_count(1)
    if record.get_attribute("open") is None:
        record.locator("summary").click()
    expect(record.locator(".record-actions")).to_be_visible()


def _readable(locator: Locator) -> None:
    """The element's text colour is not its background's (e.g. a form button styled as a link)."""
    colour, background = locator.evaluate(
        """e => { let b = e, bg = "rgba(0, 0, 0, 0)";
                  while (b && (bg === "rgba(0, 0, 0, 0)" || bg === "transparent")) {
                    bg = getComputedStyle(b).backgroundColor; b = b.parentElement; }
                  return [getComputedStyle(e).color, bg]; }"""
    )
    assert colour != background, f"text in {colour} on {background}"


def _decide(page: Page, action: str, reason: str = "") -> None:
    """Choose a decision on the open case page, give the reason, submit, and land on the case again."""
    form = page.locator("form.case-decision")
    form.get_by_label(action, exact=True).check()
    if reason:
        form.get_by_label("理由").fill(reason)
    form.get_by_role("button", name="提交决定").click()
    expect(page).to_have_url(CASE_URL)
    expect(page.locator('[role="alert"]')).to_have_count(0)


def _fill_repair_form(page: Page, evidence: Path) -> None:
    page.get_by_label("履行义务的声明").fill("本公司已于上月缴清全部罚款，违法行为已整改完毕。")
    page.get_by_label(re.compile("^证明材料")).set_input_files(str(evidence))
    commitment = page.locator("fieldset", has_text="信用承诺（信用修复型）")
    commitment.get_by_label("法定代表人/负责人").fill("王建国")
    commitment.get_by_label("承诺内容").fill("本公司承诺已纠正失信行为，今后严格遵守法律法规，诚信经营。")
    commitment.get_by_label("承诺有效期至").fill((date.today() + timedelta(days=365)).isoformat())


def test_a_company_applies_for_repair_with_an_evidence_pdf(
    page: Page, live_server: LiveServer, database: Engine, taken: set[int], screenshot: Screenshot,
    tmp_path: Path,
) -> None:  # fmt: skip
    penalty = _published_penalty(live_server, database, taken)
    _set_minimum_end(database, penalty.record_id, date.today() - timedelta(days=3))
    _add_account(live_server, "browser-repair-firm", "subject", "--name", penalty.subject_name,
                 "--subject", penalty.subject_code)  # fmt: skip
    receipt = tmp_path / "罚款缴纳凭证.pdf"
    receipt.write_bytes(PDF)

    _sign_in(page, "browser-repair-firm")
    expect(page).to_have_url(f"{live_server.url}/me")
    expect(page.locator("h1").first).to_have_text("我的信用档案")
    _open_record(page, penalty.record_id)
    page.locator(f"details#record-{penalty.record_id}").scroll_into_view_if_needed()
    screenshot(page, "cases-me-record-actions")
    page.locator(f"details#record-{penalty.record_id}").get_by_role("link", name="申请信用修复").click()
    expect(page).to_have_url(f"{live_server.url}/cases/new/repair?record={penalty.record_id}")
    expect(page.locator("h1")).to_have_text("申请信用修复")
    expect(page.locator(f"#record-{penalty.record_id}")).to_be_visible()  # the record concerned

    _fill_repair_form(page, receipt)
    screenshot(page, "cases-repair-form")
    page.get_by_role("button", name="提交").click()

    expect(page).to_have_url(CASE_URL)
    case_id = int(CASE_URL.search(page.url).group(1))  # type: ignore[union-attr]
    expect(page.locator("h1")).to_have_text(f"信用修复申请 #{case_id}")
    summary = page.locator("dl.case-summary")
    expect(summary.locator(".case-state")).to_have_text("待审核")
    expect(summary).to_contain_text(penalty.subject_name)
    expect(summary).to_contain_text(penalty.department_name)
    expect(summary).to_contain_text("本公司已于上月缴清全部罚款")
    commitment = page.locator("h2", has_text="信用承诺").locator("xpath=following-sibling::dl[1]")
    expect(commitment).to_contain_text("信用修复型")
    expect(commitment).to_contain_text("王建国")
    expect(commitment).to_contain_text(penalty.subject_code)
    expect(commitment).to_contain_text(penalty.department_name)  # 承诺受理单位: the record's department
    expect(page.locator("ul.evidence a", has_text="罚款缴纳凭证.pdf")).to_have_count(1)
    expect(page.locator("ol.case-events li")).to_have_count(1)
    screenshot(page, "cases-repair-case")

    page.goto("/me/cases")
    row = page.locator("table.cases tbody tr", has=page.locator(f'a[href="/cases/{case_id}"]'))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("信用修复申请")
    expect(row).to_contain_text("待审核")
    expect(row).to_contain_text(f"#{penalty.record_id}")


def test_an_executable_renamed_pdf_is_refused_and_nothing_is_stored(
    page: Page, live_server: LiveServer, database: Engine, taken: set[int], screenshot: Screenshot,
    tmp_path: Path,
) -> None:  # fmt: skip
    penalty = _published_penalty(live_server, database, taken)
    _set_minimum_end(database, penalty.record_id, date.today() - timedelta(days=3))
    _add_account(live_server, "browser-exe-firm", "subject", "--name", penalty.subject_name,
                 "--subject", penalty.subject_code)  # fmt: skip
    disguised = tmp_path / "缴款凭证.pdf"
    disguised.write_bytes(EXE)
    files_before, rows_before = _stored_files(live_server), _evidence_count(database)

    _sign_in(page, "browser-exe-firm")
    page.goto(f"/cases/new/repair?record={penalty.record_id}")
    _fill_repair_form(page, disguised)
    page.get_by_role("button", name="提交").click()

    alert = page.locator('[role="alert"]')
    expect(alert).to_contain_text("缴款凭证.pdf")
    expect(alert).to_contain_text("可执行程序")
    expect(page.locator("h1")).to_have_text("申请信用修复")  # the form again, what was typed kept
    expect(page.get_by_label("履行义务的声明")).to_have_value(
        "本公司已于上月缴清全部罚款，违法行为已整改完毕。"
    )
    expect(page.get_by_label("法定代表人/负责人")).to_have_value("王建国")
    screenshot(page, "cases-repair-refused")
    assert _evidence_count(database) == rows_before
    assert _stored_files(live_server) == files_before
    with database.connect() as db:
        assert (
            db.scalar(select(func.count()).select_from(Case).where(Case.record_id == penalty.record_id)) == 0
        )
    page.goto("/me/cases")
    expect(page.locator("main")).to_contain_text("尚未提出异议或信用修复申请")


def test_a_department_withdraws_a_record_after_an_objection(
    new_page: NewPage, live_server: LiveServer, database: Engine, taken: set[int], screenshot: Screenshot,
    tmp_path: Path,
) -> None:  # fmt: skip
    penalty = _published_penalty(live_server, database, taken)
    _add_account(live_server, "browser-objecting-firm", "subject", "--name", penalty.subject_name,
                 "--subject", penalty.subject_code)  # fmt: skip
    _add_account(live_server, "browser-centre", "operator", "--name", "浏览器信用中心")
    _add_account(live_server, "browser-source", "department", "--name", "浏览器核查员",
                 "--department", penalty.department_uscc)  # fmt: skip
    notice_of_revocation = tmp_path / "撤销决定书.pdf"
    notice_of_revocation.write_bytes(PDF)
    reason = "该处罚决定已被复议机关撤销，公示信息应予撤下。<script>alert(1)</script>"

    # The company objects from its own credit file.
    firm = new_page()
    _sign_in(firm, "browser-objecting-firm")
    expect(firm).to_have_url(f"{live_server.url}/me")
    _open_record(firm, penalty.record_id)
    firm.locator(f"details#record-{penalty.record_id}").get_by_role("link", name="提出异议").click()
    expect(firm.locator("h1")).to_have_text("提出异议")
    firm.get_by_label("异议理由").fill(reason)
    firm.get_by_label(re.compile("^证明材料")).set_input_files(str(notice_of_revocation))
    firm.get_by_role("button", name="提交").click()
    expect(firm).to_have_url(CASE_URL)
    case_id = int(CASE_URL.search(firm.url).group(1))  # type: ignore[union-attr]
    case_path = f"/cases/{case_id}"
    expect(firm.locator(".case-state")).to_have_text("待受理")
    expect(firm.locator("dl.case-summary")).to_contain_text(reason)  # hostile text shown as text
    expect(firm.locator("ul.evidence")).to_contain_text("撤销决定书.pdf")
    firm.goto("/me")
    expect(firm.locator(f"details#record-{penalty.record_id} .tag.objection-open")).to_have_text("异议处理中")

    # Anyone reading the public credit file sees the objection.
    public = new_page()
    public.goto(f"/subjects/{penalty.subject_code}")
    expect(public.locator(f"#record-{penalty.record_id} .tag.objection-open")).to_have_text("异议处理中")

    # The credit centre accepts it, then forwards it to the source department.
    centre = new_page()
    _sign_in(centre, "browser-centre")
    expect(centre).to_have_url(f"{live_server.url}/console")
    centre.locator("nav.console-nav").get_by_role("link", name="异议与修复").click()
    expect(centre).to_have_url(f"{live_server.url}/console/cases")
    # The demo's offline cases received days ago are past their deadline: flagged, and counted.
    expect(centre.locator("tr.overdue .tag.overdue").first).to_have_text("已逾期")
    expect(centre.locator("p.console-view .tag.overdue")).to_have_text(re.compile(r"^已逾期 \d+ 件$"))
    expect(centre.locator("p.filters a.active")).to_have_text("全部")
    screenshot(centre, "cases-queue-operator")
    row = centre.locator("table.cases tbody tr", has=centre.locator(f'a[href="{case_path}"]'))
    expect(row).to_contain_text("待受理")
    expect(row).to_contain_text(penalty.department_name)
    row.get_by_role("link", name=f"#{case_id}").click()
    expect(centre).to_have_url(f"{live_server.url}{case_path}")
    screenshot(centre, "cases-decision-form")
    offered = centre.locator("form.case-decision label.inline").all_inner_texts()
    assert [t.strip() for t in offered] == ["受理", "不予受理"]
    _decide(centre, "受理")
    expect(centre.locator(".case-state")).to_have_text("已受理")
    _decide(centre, "转交来源单位")
    expect(centre.locator(".case-state")).to_have_text("来源单位核查中")
    expect(centre.locator("form.case-decision")).to_have_count(1)  # an operator may also decide now

    # The source department finds it in its queue and withdraws the record.
    source = new_page()
    _sign_in(source, "browser-source")
    source.locator("nav.console-nav").get_by_role("link", name="异议与修复").click()
    row = source.locator("table.cases tbody tr", has=source.locator(f'a[href="{case_path}"]'))
    expect(row).to_contain_text("来源单位核查中")
    screenshot(source, "cases-queue")
    row.get_by_role("link", name=f"#{case_id}").click()
    decision = source.locator("form.case-decision")
    expect(decision.get_by_label("受理", exact=True)).to_have_count(0)  # an operator's step, not offered here
    _decide(source, "撤销记录", "经核查，该处罚决定已于复议中撤销，撤下公示。")
    expect(source.locator(".case-state")).to_have_text("已撤销记录")
    expect(source.locator("form.case-decision")).to_have_count(0)  # closed: nothing more to decide
    expect(source.locator("dl.case-summary")).to_contain_text("经核查，该处罚决定已于复议中撤销")
    expect(source.locator("ol.case-events li")).to_have_count(4)  # filed, accepted, forwarded, withdrawn
    screenshot(source, "cases-case")

    # The record leaves the public view; the company reads the case and its notices.
    public.goto(f"/subjects/{penalty.subject_code}")
    expect(public.locator(f"#record-{penalty.record_id}")).to_have_count(0)
    firm.goto(case_path)
    expect(firm.locator(".case-state")).to_have_text("已撤销记录")
    firm.goto("/notices")
    notices = firm.locator("ul.notices li")
    for state in ("待受理", "已受理", "来源单位核查中", "已撤销记录"):
        expect(notices.filter(has_text=f"异议 #{case_id}：{state}")).to_have_count(1)
    expect(firm.locator("h1 .tag.unread")).to_have_text(re.compile(r"^\d+ 条未读$"))
    for title in notices.locator("button.link").all():
        _readable(title)
    expect(notices.filter(has_text=f"异议 #{case_id}：已撤销记录").locator(".tag.unread")).to_have_text(
        "未读"
    )
    screenshot(firm, "cases-notices")
