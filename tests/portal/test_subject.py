"""The credit file page (/subjects/{code}) and the record page (/records/{id})."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from factories import (
    DEPT_NAME,
    ingest,
    make_resident_id,
    make_uscc,
    penalty_row,
    person_penalty_row,
    write_csv,
)
from panshi.accounts import service as accounts
from panshi.api.web import SESSION_COOKIE
from panshi.core.db import unit_of_work
from portal.rows import license_row

USCC = make_uscc(1001)  # the subject of penalty_row(1) and license_row(1)
MASKED_ID = re.compile(r"\d{4}\*+\d{3}[\dX]")


def _section(html: str, key: str) -> str:
    """One section of a credit file page (admin_license, admin_penalty)."""
    match = re.search(rf'<section id="{key}".*?</section>', html, re.S)
    assert match, f"no section {key}"
    return match.group(0)


def test_the_file_shows_basic_data_then_licenses_and_penalties_apart(
    client: TestClient, departments: dict[str, int], tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1, **{"行政相对人代码_3(组织机构代码)": USCC[8:17]})]))
    ingest(write_csv(tmp_path / "l.csv", [license_row(1)]), "admin_license")
    response = client.get(f"/subjects/{USCC}")
    assert response.status_code == 200
    html = response.text
    assert "<title>磐石市测试1号商贸有限公司 · 信用档案" in html
    assert f'<dt>统一社会信用代码</dt><dd class="code">{USCC}</dd>' in html
    assert f'<dt>组织机构代码</dt><dd class="code">{USCC[8:17]}</dd>' in html
    assert "<dt>所在地区</dt><dd>磐石市（220284）</dd>" in html

    penalties, licenses = _section(html, "admin_penalty"), _section(html, "admin_license")
    assert "磐市监处罚〔2025〕1号" in penalties and "磐市监处罚" not in licenses
    assert "磐市监许〔2025〕1号" in licenses and "磐市监许" not in penalties
    assert "共 1 条" in penalties and "共 1 条" in licenses
    for section in (penalties, licenses):  # each record names its source department, linked
        assert f'<a href="/departments/{departments["market"]}">{DEPT_NAME}</a>' in section
    assert "决定日期：2025-06-01" in penalties and "公示期：2025-06-01 至 2028-06-01" in penalties
    assert "<dt>违法事实</dt>" in penalties and "<dd>当事人销售不符合国家标准的电线电缆</dd>" in penalties
    assert "<dt>行政相对人代码_1（统一社会信用代码）</dt>" in penalties
    assert "决定日期：2025-05-20" in licenses and "<dd>长期（2099-12-31）</dd>" in licenses
    assert "<dd>有效（1）</dd>" in licenses


def test_a_record_past_its_publicity_end_is_not_public(client: TestClient, tmp_path: Path) -> None:
    ended = {"行政相对人代码_1(统一社会信用代码)": USCC, "处罚决定日期": "2022-01-10", "处罚有效期": "2022-06-01",
             "公示截止期": "2023-01-10"}  # fmt: skip
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(2, **ended)]))
    html = client.get(f"/subjects/{USCC}").text
    assert "磐市监处罚〔2025〕1号" in html
    assert "磐市监处罚〔2025〕2号" not in html and "2022-01-10" not in html
    assert "共 1 条" in _section(html, "admin_penalty")
    assert "磐市监处罚〔2025〕2号" not in client.get("/publicity").text
    record_ids = [int(i) for i in re.findall(r'href="/records/(\d+)"', html)]
    assert len(record_ids) == 1
    assert client.get(f"/records/{record_ids[0]}").status_code == 200
    hidden = next(i for i in (1, 2) if i not in record_ids)
    response = client.get(f"/records/{hidden}")
    assert response.status_code == 404 and "<h1>未找到</h1>" in response.text


def test_a_natural_persons_page_masks_the_id_number_everywhere(client: TestClient, tmp_path: Path) -> None:
    id_number = make_resident_id(3)
    ingest(write_csv(tmp_path / "p.csv", [person_penalty_row(3)]))
    listing = client.get("/publicity").text
    link = re.search(r'<a href="(/subjects/[0-9a-f]{32})">(张\*+)</a>', listing)
    assert link, "the person's entry links an opaque code and shows a masked name"
    page = client.get(link.group(1))
    assert page.status_code == 200 and page.headers["X-Robots-Tag"] == "noindex"
    masked = re.search(r'<dt>身份证号码</dt><dd class="code">([^<]+)</dd>', page.text)
    assert masked and MASKED_ID.fullmatch(masked.group(1))
    assert masked.group(1) == id_number[:4] + "*" * 10 + id_number[-4:]
    record_id = re.search(r'href="/records/(\d+)"', page.text)
    assert record_id
    record = client.get(f"/records/{record_id.group(1)}").text
    for html in (listing, page.text, record):
        assert id_number not in html and "张三" not in html
    assert "<title>张* · 信用档案" in page.text
    refused = client.get(f"/subjects/{id_number}")  # the public cannot look a person up by ID number
    assert refused.status_code == 404 and id_number not in refused.text


def test_hostile_text_is_shown_as_text(client: TestClient, tmp_path: Path) -> None:
    name = "磐石市<b>粗体</b>商贸有限公司' OR 1=1 --"
    facts = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1, **{"行政相对人名称": name, "违法事实": facts})]))
    pages = [
        client.get(f"/subjects/{USCC}").text,
        client.get("/search", params={"q": "粗体"}).text,
        client.get("/publicity").text,
        client.get("/").text,
    ]
    record_id = re.search(r'href="/records/(\d+)"', pages[0])
    assert record_id
    pages.append(client.get(f"/records/{record_id.group(1)}").text)
    for html in pages:
        assert "<script>" not in html and "<b>粗体" not in html and "<img" not in html
        assert "磐石市&lt;b&gt;粗体&lt;/b&gt;商贸有限公司&#39; OR 1=1 --" in html
    for html in (pages[0], pages[-1]):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in html


def test_unknown_codes_and_ids_get_the_404_page(client: TestClient) -> None:
    for path in (f"/subjects/{make_uscc(4242)}", "/subjects/nothing-like-a-code", "/records/999999",
                 "/departments/999999"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert "<h1>未找到</h1>" in response.text and 'lang="zh-CN"' in response.text
    assert client.get(f"/records/{2**70}").status_code == 422  # beyond any BIGINT id: refused, not a 500


def test_a_signed_in_operator_is_offered_the_console_for_more(client: TestClient, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    public = client.get(f"/subjects/{USCC}")
    assert "/console/subjects/" not in public.text and "Cache-Control" not in public.headers
    with unit_of_work(write=True) as session:
        accounts.add_user(session, username="op1", password="a-long-password", role="operator",
                          display_name="信用中心值班员")  # fmt: skip
        cookie = accounts.sign_in(session, username="op1", password="a-long-password")
    client.cookies.set(SESSION_COOKIE, cookie)
    response = client.get(f"/subjects/{USCC}")
    html = response.text
    assert f'<a href="/console/subjects/{USCC}">' in html
    assert "您以平台运营人员身份登录" in html
    assert "信用中心值班员" in html  # the header knows who is signed in
    assert "证件类型" not in html  # still the public view: more needs a stated purpose, in the console
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_record_page_links_its_subject_and_department(
    client: TestClient, departments: dict[str, int], tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    record_id = re.search(r'href="/records/(\d+)"', client.get(f"/subjects/{USCC}").text)
    assert record_id
    html = client.get(f"/records/{record_id.group(1)}").text
    assert "<h1>行政处罚信息</h1>" in html
    assert f'<a href="/subjects/{USCC}">磐石市测试1号商贸有限公司</a>' in html
    assert f'<a href="/departments/{departments["market"]}">{DEPT_NAME}</a>' in html
    assert "磐市监处罚〔2025〕1号" in html
