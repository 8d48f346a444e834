"""The console in a real browser on the demo county: a department uploads a file with bad rows, a
government querier reads a file with a purpose, the subject sees that query, an operator reads the log."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import LiveServer
from factories import make_uscc, penalty_row, write_csv

Screenshot = Callable[[Page, str], Path]
PASSWORD = "browser-test-password"
USCC = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{18}$")


def _api(server: LiveServer, path: str) -> Any:
    with urllib.request.urlopen(f"{server.url}{path}", timeout=10) as response:
        return json.load(response)


def _department(server: LiveServer, word: str) -> dict[str, Any]:
    """A demo department whose name contains `word`."""
    return next(d for d in _api(server, "/api/v1/departments") if word in d["name"])


def _add_account(server: LiveServer, username: str, role: str, *options: str) -> None:
    """`panshi account add` against the server's database, the password on standard input."""
    command = Path(sys.executable).with_name("panshi")
    result = subprocess.run(
        [str(command), "account", "add", "--username", username, "--role", role, *options, "--password-stdin"],
        input=PASSWORD + "\n", env=server.env, cwd=server.cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def _sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_department_uploads_a_file_and_reads_its_errors(
    page: Page, live_server: LiveServer, screenshot: Screenshot, tmp_path: Path
) -> None:
    market = _department(live_server, "市场监督管理局")
    tax = _department(live_server, "税务局")
    _add_account(
        live_server, "browser-dept", "department", "--name", "浏览器报送员", "--department", market["uscc"]
    )
    own = {"处罚机关": market["name"], "处罚机关统一社会信用代码": market["uscc"],
           "数据来源单位": market["name"], "数据来源单位统一社会信用代码": market["uscc"]}  # fmt: skip
    rows = [
        penalty_row(9001, **own),
        penalty_row(9002, **{**own, "处罚决定日期": "2026-02-30"}),
        penalty_row(9003, **{**own, "数据来源单位统一社会信用代码": tax["uscc"]}),
        penalty_row(9004, **{**own, "行政相对人代码_1(统一社会信用代码)": make_uscc(10004)[:-1] + "0"}),
        penalty_row(9005, **own),
    ]
    path = write_csv(tmp_path / "市场监管处罚.csv", rows, encoding="gbk")

    page.goto("/console/upload")  # not signed in: the sign-in page, then back here
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fconsole%2Fupload$"))
    page.get_by_label("用户名").fill("browser-dept")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/console/upload")
    expect(page.locator(".console-who")).to_contain_text(market["name"])

    page.get_by_label("信息类别").select_option("admin_penalty")
    page.get_by_label("文件").set_input_files(str(path))
    screenshot(page, "console-upload")
    page.get_by_role("button", name="上传并校验").click()
    expect(page).to_have_url(re.compile(r"/console/batches/[0-9a-f]{32}$"))
    expect(page.locator("ul.console-counts")).to_contain_text("收到 5 行")
    expect(page.locator("ul.console-counts")).to_contain_text("新增 2")
    expect(page.locator("ul.console-counts")).to_contain_text("拒收 3 行")

    table = page.locator("table.console-errors tbody tr")
    expect(table).to_have_count(3)
    cells = [table.nth(i).locator("td").all_inner_texts() for i in range(3)]
    assert [c[0] for c in cells] == ["2", "3", "4"]
    assert cells[0][1] == "处罚决定日期" and cells[0][3] == "bad_date" and "2026-02-30" in cells[0][4]
    assert cells[1][3] == "not_own_department"
    path_png = screenshot(page, "console-batch")
    assert path_png.stat().st_size > 10_000

    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告（CSV）").click()
    report = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(report)))
    assert lines[0][0].startswith("行号") and {"2", "3", "4"} <= {line[0] for line in lines[1:]}

    page.goto("/console")
    expect(page.locator("table.console-table").first).to_contain_text(market["name"])
    screenshot(page, "console-dashboard-department")


def test_a_subject_sees_who_queried_it(page: Page, live_server: LiveServer, screenshot: Screenshot) -> None:
    listing = _api(live_server, "/api/v1/publicity?type=admin_penalty")
    code, name = next(
        (i["subject_code"], i["subject_name"]) for i in listing["items"] if USCC.match(i["subject_code"])
    )
    housing = _department(live_server, "住房和城乡建设局")
    _add_account(
        live_server, "browser-gov", "government", "--name", "浏览器审查员", "--department", housing["uscc"]
    )
    _add_account(live_server, "browser-firm", "subject", "--name", name, "--subject", code)
    purpose = "浏览器测试：招投标资格审查"

    _sign_in(page, "browser-gov")
    expect(page).to_have_url(f"{live_server.url}/console")
    page.get_by_label("主体代码").fill(code)
    page.get_by_label("查询事由").fill(purpose)
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(rf"/console/subjects/{code}\?purpose="))
    expect(page.locator("h1")).to_contain_text(name)
    expect(page.locator(".console-logged")).to_have_text("本次查询已登记")
    expect(page.locator("details[open] .console-level").first).to_be_visible()  # each field's level
    assert page.locator(".console-level-government").count() > 0  # 政务共享 fields, for a government querier
    assert page.locator(".console-level-private").count() == 0  # but nothing 不公开
    screenshot(page, "console-subject")
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()

    _sign_in(page, "browser-firm")
    expect(page).to_have_url(f"{live_server.url}/me")
    expect(page.locator("h1").first).to_have_text("我的信用档案")
    expect(page.locator("main")).to_contain_text(name)
    mine = page.locator("tr", has_text=purpose)
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(housing["name"])
    expect(mine).to_contain_text("浏览器审查员")
    screenshot(page, "console-me")


def test_the_demo_operator_reads_the_query_log_and_accounts(
    page: Page, live_server: LiveServer, screenshot: Screenshot
) -> None:
    accounts = (live_server.cwd / "var" / "demo" / "accounts.txt").read_text(encoding="utf-8")
    passwords = dict(line.split("\t")[:2] for line in accounts.splitlines() if not line.startswith("#"))
    assert {"demo-operator", "demo-dept", "demo-gov", "demo-subject"} <= set(passwords)

    _sign_in(page, "demo-operator", passwords["demo-operator"])
    expect(page).to_have_url(f"{live_server.url}/console")
    expect(page.locator("table.console-table").first).to_contain_text("磐石市市场监督管理局")
    screenshot(page, "console-dashboard-operator")

    page.get_by_role("link", name="查询登记").click()
    expect(page.locator("table.console-table")).to_contain_text(
        "建设工程招标投标资格审查"
    )  # the demo's own query
    screenshot(page, "console-query-log")

    page.get_by_role("link", name="账号与令牌").click()
    expect(page.locator("main")).to_contain_text("demo-subject")
    screenshot(page, "console-accounts")


@pytest.mark.parametrize("path", ["/console", "/console/accounts", "/me"])
def test_console_pages_need_a_sign_in(page: Page, live_server: LiveServer, path: str) -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
