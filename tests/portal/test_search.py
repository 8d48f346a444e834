"""The search page (/search): partial and tolerant names, any code, pagination, limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from factories import ingest, make_resident_id, make_uscc, penalty_row, person_penalty_row, write_csv
from panshi.core.settings import get_settings
from panshi.identifiers import reg_no_check_digit

HONGDA = "磐石市宏达农业发展有限公司"
REG_NO_BODY = "22028400000001"
REG_NO = REG_NO_BODY + reg_no_check_digit(REG_NO_BODY)


def _hits(html: str) -> list[str]:
    """The names of the hits on a result page, in order."""
    return re.findall(r'class="hit-name" href="/subjects/[^"]+">([^<]+)</a>', html)


@pytest.fixture
def subjects(client: TestClient, tmp_path: Path) -> None:
    rows = [
        penalty_row(1, **{"行政相对人名称": HONGDA}),
        penalty_row(
            2, **{"行政相对人名称": "磐石市宏图建材有限公司", "行政相对人代码_2(工商注册号)": REG_NO}
        ),
        person_penalty_row(3),
    ]
    assert ingest(write_csv(tmp_path / "p.csv", rows)).accepted == 3


def test_a_partial_name_finds_the_company_and_links_its_file(client: TestClient, subjects: None) -> None:
    response = client.get("/search", params={"q": "宏达农业"})
    assert response.status_code == 200
    assert _hits(response.text) == [HONGDA]
    assert f'href="/subjects/{make_uscc(1001)}"' in response.text
    assert 'value="宏达农业"' in response.text  # the form keeps the query


def test_a_name_with_a_missing_character_still_finds_it(client: TestClient, subjects: None) -> None:
    assert _hits(client.get("/search", params={"q": "磐石宏达农业"}).text)[0] == HONGDA


def test_any_code_finds_the_subject(client: TestClient, subjects: None) -> None:
    uscc = make_uscc(1002)
    for code in (uscc, uscc.lower(), uscc[8:17], REG_NO):  # USCC, its organisation code, an old 工商注册号
        html = client.get("/search", params={"q": code}).text
        assert _hits(html) == ["磐石市宏图建材有限公司"], code
        assert "代码匹配" in html


def test_natural_persons_are_not_found_by_name_or_id_number(client: TestClient, subjects: None) -> None:
    for q in ("张三", make_resident_id(3)):
        html = client.get("/search", params={"q": q}).text
        assert _hits(html) == [] and "未找到与" in html, q


def test_no_results_says_so(client: TestClient, subjects: None) -> None:
    html = client.get("/search", params={"q": "长白山旅游"}).text
    assert _hits(html) == []
    assert "未找到与“长白山旅游”相关的信用主体" in html


def test_an_empty_query_shows_the_form_and_the_tips(client: TestClient, subjects: None) -> None:
    for params in ({}, {"q": "   "}):
        response = client.get("/search", params=params)
        assert response.status_code == 200
        assert 'name="q"' in response.text and "查询方式" in response.text
        assert "未找到" not in response.text and _hits(response.text) == []


def test_results_are_paginated(client: TestClient, tmp_path: Path) -> None:
    rows = [penalty_row(i, **{"行政相对人名称": f"磐石市宏达{i:02d}号商贸有限公司"}) for i in range(1, 26)]
    assert ingest(write_csv(tmp_path / "p.csv", rows)).accepted == 25
    first = client.get("/search", params={"q": "宏达"}).text
    second = client.get("/search", params={"q": "宏达", "page": 2}).text
    assert len(_hits(first)) == 20 and len(_hits(second)) == 5
    assert '<ol class="hits" start="21">' in second  # ranks continue across pages
    assert set(_hits(first)).isdisjoint(_hits(second))
    assert 'href="/search?q=%E5%AE%8F%E8%BE%BE&amp;page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    assert 'href="/search?q=%E5%AE%8F%E8%BE%BE&amp;page=1" rel="prev"' in second
    assert 'rel="next"' not in second


def test_a_query_over_100_characters_is_refused(client: TestClient) -> None:
    for q in ("q" * 10_000, "宏" * 101):  # 10,000 characters (ASCII: URLs have a length limit), and 101
        response = client.get("/search", params={"q": q})
        assert response.status_code == 400
        assert "text/html" in response.headers["content-type"]
        assert "<h1>请求有误</h1>" in response.text and "查询内容过长" in response.text
    assert client.get("/search", params={"q": "宏" * 100}).status_code == 200


def test_public_searches_are_rate_limited_with_the_json_api(
    client: TestClient, subjects: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANSHI_SEARCH_RATE_LIMIT", "3/minute")
    get_settings.cache_clear()
    for _ in range(5):
        assert client.get("/search").status_code == 200  # showing the empty form is not a search
    assert client.get("/search", params={"q": "宏达"}).status_code == 200
    assert client.get("/api/v1/search", params={"q": "宏达"}).status_code == 200  # one shared budget
    assert client.get("/search", params={"q": "宏图"}).status_code == 200
    refused = client.get("/search", params={"q": "宏达农业"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "<h1>请求过于频繁</h1>" in refused.text and "秒后再试" in refused.text
    assert client.get("/api/v1/search", params={"q": "宏达"}).status_code == 429
