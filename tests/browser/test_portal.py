"""The public portal in a real browser on the demo county: search, credit files, 双公示, departments."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import LiveServer

MASKED_ID = re.compile(r"\d{4}\*+\d{3}[\dX]")
USCC = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{18}$")
OPAQUE = re.compile(r"^[0-9a-f]{32}$")
Screenshot = Callable[[Page, str], Path]


def _api(server: LiveServer, path: str, *, token: str | None = None, **params: Any) -> Any:
    """GET a JSON endpoint of the live server."""
    query = urllib.parse.urlencode(params)
    request = urllib.request.Request(f"{server.url}{path}{'?' + query if query else ''}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _partial_name(server: LiveServer) -> tuple[str, str, str]:
    """(partial name, code, full name) of a demo company that the partial name finds on the first page."""
    listing = _api(server, "/api/v1/publicity", type="admin_penalty")
    for item in listing["items"]:
        name, code = item["subject_name"], item["subject_code"]
        if not USCC.match(code):
            continue
        core = re.sub(r"^(吉林省|磐石市|吉林市)", "", name)[:4]  # the trade name and the start of the trade
        hits = _api(server, "/api/v1/search", q=core)["hits"]
        if len(core) >= 3 and core != name and any(h["code"] == code for h in hits):
            return core, code, name
    pytest.fail("no demo company is found by a part of its name on the first page of results")


def _person_on_publicity(server: LiveServer) -> tuple[int, str]:
    """(page, opaque code) of a natural person's penalty in the 双公示 listing filtered for penalties."""
    for page in range(1, 51):
        listing = _api(server, "/api/v1/publicity", type="admin_penalty", page=page)
        for item in listing["items"]:
            if OPAQUE.match(item["subject_code"]):
                return page, item["subject_code"]
        if page >= listing["pages"]:
            break
    pytest.fail("the demo county has no natural person's penalty in publicity")


def test_search_by_part_of_a_name_then_open_the_credit_file(
    page: Page, live_server: LiveServer, screenshot: Screenshot
) -> None:
    partial, code, name = _partial_name(live_server)
    page.goto("/")
    page.get_by_label("查询内容").fill(partial)
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"/search\?q="))
    result = page.locator(f'a.hit-name[href="/subjects/{code}"]')
    expect(result).to_have_text(name)
    screenshot(page, "portal-search")

    result.click()
    expect(page).to_have_url(f"{live_server.url}/subjects/{code}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.locator("dl.fields dd.code").first).to_have_text(code)
    penalties = page.locator("section#admin_penalty")
    expect(penalties.get_by_role("heading", level=2)).to_contain_text("行政处罚信息")
    expect(penalties.locator("article.record").first).to_be_visible()
    expect(penalties.locator("article.record .record-meta").first).to_contain_text("来源单位")
    expect(page.locator("section#admin_license")).to_be_visible()
    screenshot(page, "portal-subject")

    penalties.locator("article.record .record-meta a[href^='/departments/']").first.click()
    expect(page).to_have_url(re.compile(r"/departments/\d+$"))
    expect(page.get_by_role("heading", name="报送记录数")).to_be_visible()
    expect(page.locator("table.counts-table")).to_contain_text("行政处罚")
    screenshot(page, "portal-department")


def test_a_natural_persons_page_from_the_publicity_listing_is_masked(
    page: Page, live_server: LiveServer, screenshot: Screenshot
) -> None:
    listing_page, code = _person_on_publicity(live_server)
    page.goto("/publicity")
    page.get_by_label("类别").select_option(label="行政处罚")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"/publicity\?type=admin_penalty"))
    expect(page.locator("p.result-summary")).to_contain_text(re.compile(r"共 (超过 )?[1-9][\d,]* 条"))
    expect(page.locator("table.publicity tbody tr td:nth-child(2)").first).to_have_text("行政处罚")
    screenshot(page, "portal-publicity")
    if listing_page > 1:  # the filters travel in the pager's links
        page.goto(f"/publicity?type=admin_penalty&page={listing_page}")
        expect(page.locator("nav.pager")).to_contain_text(f"第 {listing_page} /")

    link = page.locator(f'table.publicity a[href="/subjects/{code}"]').first
    expect(link).to_have_text(re.compile(r"^.\*+$"))  # a person's name, masked (张*)
    link.click()
    expect(page).to_have_url(f"{live_server.url}/subjects/{code}")
    expect(page.locator("h1 .tag")).to_have_text("自然人")
    id_number = page.locator("dt:text-is('身份证号码') + dd")
    expect(id_number).to_have_text(MASKED_ID)
    screenshot(page, "portal-person")

    token = (live_server.cwd / "var" / "demo" / "operator-token.txt").read_text().strip()
    full = _api(live_server, f"/api/v1/subjects/{code}", token=token, purpose="浏览器测试核对脱敏")
    assert full["subject"]["id_number"] and not MASKED_ID.fullmatch(full["subject"]["id_number"])
    assert full["subject"]["id_number"] not in page.content()
    assert full["subject"]["name"] not in page.content()


def test_departments_list_links_each_department(page: Page, screenshot: Screenshot) -> None:
    page.goto("/departments")
    links = page.locator("table a[href^='/departments/']")
    expect(links.first).to_be_visible()
    assert links.count() >= 5  # the demo county's departments
    screenshot(page, "portal-departments")
