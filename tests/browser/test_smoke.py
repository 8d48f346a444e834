"""Smoke: the home page and the API docs render in a real browser, from the platform alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, Request, expect


def _record_hosts(page: Page) -> list[str]:
    """Collect every URL the page requests that is not served by 127.0.0.1 (the platform is offline)."""
    foreign: list[str] = []

    def check(request: Request) -> None:
        url = urlsplit(request.url)
        if url.scheme not in ("data", "blob") and url.hostname != "127.0.0.1":
            foreign.append(request.url)

    page.on("request", check)
    return foreign


def test_home_page_shows_the_counts(page: Page, screenshot: Callable[[Page, str], Path]) -> None:
    foreign = _record_hosts(page)
    response = page.goto("/")
    assert response is not None and response.ok
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_text("磐石").first).to_be_visible()
    subjects = page.get_by_text(re.compile(r"信用主体\D{0,8}[1-9][\d,]*")).first
    expect(subjects).to_be_visible()
    path = screenshot(page, "home")
    assert path.stat().st_size > 0
    assert foreign == []


def test_api_docs_render_offline(page: Page, screenshot: Callable[[Page, str], Path]) -> None:
    foreign = _record_hosts(page)
    page.goto("/docs")
    # Swagger UI builds the page from the whole OpenAPI schema (~200 operations): on a loaded 2-core
    # machine that takes longer than expect()'s default 5 s.
    heading = page.get_by_role("heading", name=re.compile("磐石 Panshi 公共信用信息平台 API"))
    expect(heading).to_be_visible(timeout=30_000)
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)  # Swagger UI rendered the operations
    page.wait_for_load_state("networkidle")
    screenshot(page, "docs")
    assert foreign == []
