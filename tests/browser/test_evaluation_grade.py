"""The public credit file shows the subject's grade (信用等级) where the model makes it public."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import LiveServer


def _enterprise_code(server: LiveServer) -> str:
    """The USCC of a demo enterprise (91…: graded by the public enterprise model) in the 双公示 listing."""
    with urllib.request.urlopen(f"{server.url}/api/v1/publicity?type=admin_penalty", timeout=10) as response:
        listing = json.load(response)
    for item in listing["items"]:
        if item["subject_code"].startswith("91"):
            return str(item["subject_code"])
    pytest.fail("no demo enterprise in the first page of the 双公示 listing")


def test_the_public_subject_page_shows_its_grade(page: Page, live_server: LiveServer) -> None:
    code = _enterprise_code(live_server)
    page.goto(f"/subjects/{code}")
    grade = page.locator("section#grade")
    expect(grade.get_by_role("heading", level=2)).to_have_text("信用等级")
    expect(grade.locator("b.grade")).to_have_text(re.compile(r"^[ABCD] [优良中差]$"))
    expect(grade).to_contain_text("enterprise-2026.2")
    expect(grade).not_to_contain_text("得分")  # the public sees the grade, not the score
