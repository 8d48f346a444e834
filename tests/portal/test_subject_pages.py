"""Credit files of many records, a page at a time: per type on the page, across types in the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from factories import ingest, make_uscc, penalty_row, write_csv
from portal.rows import license_row
from portal.test_subject import _section

USCC = make_uscc(1001)


@pytest.fixture
def many(client: TestClient, tmp_path: Path) -> TestClient:
    """One enterprise with 25 penalties (n = 1…25, the larger n decided later) and one license."""
    rows = [
        penalty_row(
            n,
            **{
                "行政相对人代码_1(统一社会信用代码)": USCC,
                "处罚决定日期": f"2025-0{1 + n // 10}-{1 + n % 10:02d}",
            },
        )
        for n in range(1, 26)
    ]
    ingest(write_csv(tmp_path / "p.csv", rows))
    ingest(write_csv(tmp_path / "l.csv", [license_row(1)]), "admin_license")
    return client


def _penalties(html: str) -> list[int]:
    """The penalties shown in the page's penalty section, by their n."""
    section = _section(html, "admin_penalty")
    return [n for n in range(1, 26) if f"磐市监处罚〔2025〕{n}号<" in section]


def test_each_section_pages_its_own_records_and_counts_them_all(many: TestClient) -> None:
    first = many.get(f"/subjects/{USCC}").text
    assert "行政处罚（25）" in first and "行政许可（1）" in first
    penalties = _section(first, "admin_penalty")
    assert "共 25 条，第 1 / 2 页" in penalties
    assert penalties.count('class="record card"') == 20
    assert 'href="?admin_penalty_page=2#admin_penalty" rel="next"' in penalties
    assert 'rel="prev"' not in penalties
    assert _section(first, "admin_license").count('class="record card"') == 1

    second = many.get(f"/subjects/{USCC}?admin_penalty_page=2").text
    penalties = _section(second, "admin_penalty")
    assert penalties.count('class="record card"') == 5 and "第 2 / 2 页" in penalties
    assert 'href="#admin_penalty" rel="prev"' in penalties and 'rel="next"' not in penalties
    assert set(_penalties(first)).isdisjoint(_penalties(second))
    assert len(set(_penalties(first)) | set(_penalties(second))) == 25
    # The other section keeps its page, and its links keep this one's.
    assert _section(second, "admin_license").count('class="record card"') == 1

    beyond = many.get(f"/subjects/{USCC}?admin_penalty_page=9").text
    assert "本页没有行政处罚信息（共 2 页）" in beyond
    assert 'href="?admin_penalty_page=2#admin_penalty" rel="prev"' in beyond


@pytest.mark.parametrize("page", ["0", "x", "-1", "1000000"])
def test_a_bad_section_page_is_refused(many: TestClient, page: str) -> None:
    response = many.get(f"/subjects/{USCC}?admin_penalty_page={page}")
    assert response.status_code == 422 and "页码" in response.text


def test_the_api_pages_records_across_types(many: TestClient) -> None:
    first = many.get(f"/api/v1/subjects/{USCC}").json()
    assert (first["records_total"], first["records_page"], first["records_page_size"]) == (26, 1, 50)
    assert len(first["records"]) == 26 and first["counts"] == {"行政处罚": 25, "行政许可": 1}
    pages = [
        many.get(f"/api/v1/subjects/{USCC}?records_page={p}&records_page_size=10").json()
        for p in (1, 2, 3, 4)
    ]
    assert [len(p["records"]) for p in pages] == [10, 10, 6, 0]
    assert {p["records_total"] for p in pages} == {26}
    ids = [r["id"] for p in pages for r in p["records"]]
    assert ids == [r["id"] for r in first["records"]]  # the same order, newest decision first
    assert many.get(f"/api/v1/subjects/{USCC}?records_page_size=500").status_code == 200
    assert many.get(f"/api/v1/subjects/{USCC}?records_page_size=501").status_code == 422
    assert many.get(f"/api/v1/subjects/{USCC}?records_page=0").status_code == 422
