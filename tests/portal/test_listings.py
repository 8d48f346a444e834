"""The 双公示 listing (/publicity), the department pages and the home page; autoescaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from factories import DEPT_NAME, DEPT_USCC, OTHER_DEPT_USCC, ingest, penalty_row, write_csv
from panshi.access import service as access_service
from panshi.api.web import templates
from portal.conftest import OTHER_DEPT_NAME
from portal.rows import license_row


def _numbers(html: str) -> list[str]:
    """The decision numbers of a listing's rows, in order."""
    return re.findall(r'<td><a href="/records/\d+">([^<]+)</a></td>', html)


def _tax(n: int, **overrides: str) -> dict[str, str]:
    """A penalty of the tax department."""
    return penalty_row(n, **{"处罚机关": OTHER_DEPT_NAME, "处罚机关统一社会信用代码": OTHER_DEPT_USCC,
                             "数据来源单位": OTHER_DEPT_NAME, "数据来源单位统一社会信用代码": OTHER_DEPT_USCC,
                             "行政处罚决定书文号": f"磐税罚〔2025〕{n}号", **overrides})  # fmt: skip


@pytest.fixture
def records(client: TestClient, tmp_path: Path) -> None:
    """Penalties of both departments on three dates, and a license."""
    ingest(write_csv(tmp_path / "p.csv", [
        penalty_row(1, **{"处罚决定日期": "2025-03-01"}), penalty_row(2, **{"处罚决定日期": "2025-05-01"}),
        _tax(3, **{"处罚决定日期": "2025-04-01"}),
    ]))  # fmt: skip
    ingest(write_csv(tmp_path / "l.csv", [license_row(4)]), "admin_license")


def test_the_listing_shows_every_record_in_publicity_newest_first(client: TestClient, records: None) -> None:
    html = client.get("/publicity").text
    assert "共 4 条" in html
    assert _numbers(html) == [
        "磐市监许〔2025〕4号",
        "磐市监处罚〔2025〕2号",
        "磐税罚〔2025〕3号",
        "磐市监处罚〔2025〕1号",
    ]
    assert '<td class="nowrap">2025-05-20</td>' in html
    assert re.search(r'<a href="/subjects/[0-9A-Z]{18}">磐石市测试2号商贸有限公司</a>', html)
    assert f">{OTHER_DEPT_NAME}</a></td>" in html and f">{DEPT_NAME}</a></td>" in html
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', html)
    assert ("admin_penalty", "行政处罚") in options and ("admin_license", "行政许可") in options


def test_filters_narrow_the_listing_and_stay_selected(
    client: TestClient, records: None, departments: dict[str, int]
) -> None:
    penalties = client.get("/publicity", params={"type": "admin_penalty"}).text
    assert "共 3 条" in penalties and not any("许" in n for n in _numbers(penalties))
    assert '<option value="admin_penalty" selected>' in penalties

    tax = client.get("/publicity", params={"department": departments["tax"]}).text
    assert _numbers(tax) == ["磐税罚〔2025〕3号"]
    assert f'<option value="{departments["tax"]}" selected>' in tax

    window = client.get("/publicity", params={"from": "2025-03-15", "to": "2025-05-01"}).text
    assert _numbers(window) == ["磐市监处罚〔2025〕2号", "磐税罚〔2025〕3号"]
    assert 'name="from" value="2025-03-15"' in window and 'name="to" value="2025-05-01"' in window

    blank = client.get("/publicity?type=&department=&from=&to=")  # the form submitted untouched
    assert blank.status_code == 200 and "共 4 条" in blank.text

    nothing = client.get("/publicity", params={"from": "2026-01-01"}).text
    assert "共 0 条" in nothing and "没有符合条件的公示信息" in nothing


def test_pages_keep_the_filters(client: TestClient, departments: dict[str, int], tmp_path: Path) -> None:
    rows = [penalty_row(i, **{"处罚决定日期": f"2025-05-{i:02d}"}) for i in range(1, 26)]
    ingest(write_csv(tmp_path / "p.csv", [*rows, _tax(30)]))
    market = departments["market"]
    params = {"type": "admin_penalty", "department": market, "from": "2025-05-01"}
    first = client.get("/publicity", params=params).text
    assert "共 25 条" in first and "第 1 / 2 页" in first and len(_numbers(first)) == 20
    query = f"type=admin_penalty&amp;department={market}&amp;from=2025-05-01"
    assert f'href="/publicity?{query}&amp;page=2" rel="next"' in first
    second = client.get("/publicity", params={**params, "page": 2}).text
    assert len(_numbers(second)) == 5 and set(_numbers(first)).isdisjoint(_numbers(second))
    assert f'href="/publicity?{query}&amp;page=1" rel="prev"' in second and 'rel="next"' not in second
    assert "磐税罚" not in first + second


def test_a_capped_count_says_more_than(
    client: TestClient, records: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access_service, "LISTING_COUNT_CAP", 3)
    html = client.get("/publicity").text
    assert "共 超过 3 条" in html and "共 4 条" not in html


def test_bad_filters_get_the_error_page_in_chinese(client: TestClient, records: None) -> None:
    bad_date = client.get("/publicity", params={"from": "2025-02-30"})
    assert bad_date.status_code == 422 and "text/html" in bad_date.headers["content-type"]
    assert "<h1>请求有误</h1>" in bad_date.text
    assert "起始日期“2025-02-30”不是有效日期" in bad_date.text
    assert "Input should" not in bad_date.text
    assert client.get("/publicity", params={"to": "明天"}).status_code == 422
    reversed_range = client.get("/publicity", params={"from": "2025-06-01", "to": "2025-01-01"})
    assert reversed_range.status_code == 400 and "起始日期不能晚于截止日期" in reversed_range.text
    for department in ("abc", "0", str(2**70)):  # not an id; beyond BIGINT: refused, not a database error
        refused = client.get("/publicity", params={"department": department})
        assert refused.status_code == 422 and "不是有效的编号" in refused.text, department
    assert client.get(f"/departments/{2**70}").status_code == 422
    unknown_type = client.get("/publicity", params={"type": "secret_list"})
    assert unknown_type.status_code == 404 and "<h1>未找到</h1>" in unknown_type.text


def test_departments_list_and_page(client: TestClient, departments: dict[str, int], tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(i) for i in range(1, 23)]))
    ingest(write_csv(tmp_path / "l.csv", [license_row(40)]), "admin_license")
    listing = client.get("/departments").text
    market = departments["market"]
    assert f'<a href="/departments/{market}">{DEPT_NAME}</a>' in listing
    assert f'<a href="/departments/{departments["tax"]}">{OTHER_DEPT_NAME}</a>' in listing
    assert f'<td class="code">{DEPT_USCC}</td>' in listing and "<td>磐石市</td>" in listing

    page = client.get(f"/departments/{market}").text
    assert f"<h1>{DEPT_NAME}</h1>" in page
    assert '<tr><td>行政处罚</td><td class="num">22</td></tr>' in page
    assert '<tr><td>行政许可</td><td class="num">1</td></tr>' in page
    assert "共 23 条" in page and len(_numbers(page)) == 20
    assert f'href="/departments/{market}?page=2" rel="next"' in page
    assert len(_numbers(client.get(f"/departments/{market}", params={"page": 2}).text)) == 3

    empty = client.get(f"/departments/{departments['tax']}").text
    assert "该单位尚未报送信用记录" in empty and "没有符合条件的公示信息" in empty


def test_home_shows_counts_latest_publicity_and_departments(
    client: TestClient, records: None, departments: dict[str, int]
) -> None:
    html = client.get("/").text
    assert 'action="/search"' in html
    assert "信用主体：<b>4</b>" in html and "信用记录：<b>4</b>" in html and "数据来源单位：<b>2</b>" in html
    assert _numbers(html)[0] == "磐市监许〔2025〕4号" and len(_numbers(html)) == 4
    assert f'<li><a href="/departments/{departments["tax"]}">{OTHER_DEPT_NAME}</a></li>' in html


def test_every_template_is_autoescaped_and_none_marks_data_safe() -> None:
    env = templates().env
    names = env.list_templates(extensions=["html"])
    assert "portal/subject.html" in names and "portal/_record.html" in names
    assert all(env.autoescape(name) if callable(env.autoescape) else env.autoescape for name in names)
    portal = [n for n in names if n.startswith("portal/")]
    for name in portal:
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        assert "|safe" not in source.replace(" ", "") and "autoescape false" not in source, name
