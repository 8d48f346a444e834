"""The console's subject lookup: no data without a purpose; with one, the full file, logged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select

from console.helpers import SUBJECT_USCC, World, follow, post_form, signed_in
from factories import ingest, make_resident_id, penalty_row, person_penalty_row, write_csv
from panshi.audit.models import QueryLogEntry
from panshi.core.db import unit_of_work

Browser = Callable[..., TestClient]
ID_NUMBER = make_resident_id(7)  # person_penalty_row(7)'s subject


def _log() -> list[QueryLogEntry]:
    with unit_of_work() as session:
        return list(session.scalars(select(QueryLogEntry).order_by(QueryLogEntry.id)))


def test_without_a_purpose_the_page_asks_for_one_and_shows_nothing(
    world: World, new_browser: Browser, tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [person_penalty_row(7)]))
    operator = signed_in(new_browser, "op-user")
    for params in ({}, {"purpose": "  "}):
        page = operator.get(f"/console/subjects/{ID_NUMBER}", params=params)
        assert page.status_code == 200 and 'name="purpose"' in page.text and "请填写查询事由" in page.text
        assert "张三" not in page.text and "磐市监处罚" not in page.text and "信用记录" not in page.text
    refused = post_form(
        operator, "/console/subjects", {"code": ID_NUMBER, "purpose": ""}, form_page="/console"
    )
    assert refused.status_code == 400 and "请填写查询事由" in refused.text and "张三" not in refused.text
    assert _log() == []


def test_with_a_purpose_the_full_file_is_shown_and_logged(
    world: World, new_browser: Browser, tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [person_penalty_row(7)]))
    operator = signed_in(new_browser, "op-user")
    found = post_form(
        operator,
        "/console/subjects",
        {"code": ID_NUMBER, "purpose": "行政处罚信息核对"},
        form_page="/console",
    )
    target = urlsplit(found.headers["location"])
    assert ID_NUMBER not in found.headers["location"]  # the ID number never travels in a URL
    assert parse_qs(target.query) == {"purpose": ["行政处罚信息核对"]}

    page = follow(operator, found)
    assert page.status_code == 200
    text = page.text
    assert ID_NUMBER in text and "张三" in text and "本次查询已登记" in text
    assert "磐市监处罚〔2025〕7号" in text and "当事人销售不符合国家标准的电线电缆" in text
    for level in ("社会公开", "授权查询"):
        assert level in text  # each field carries its disclosure level
    assert "来源信息" in text and "变更历史" in text  # provenance and history of the full view

    (entry,) = _log()
    assert (entry.actor, entry.purpose, entry.channel) == ("user:op-user", "行政处罚信息核对", "web")

    # Reading the same page again is another read: logged again.
    operator.get(found.headers["location"])
    assert len(_log()) == 2


def test_each_role_sees_its_levels(world: World, new_browser: Browser, tmp_path: Path) -> None:
    row = penalty_row(
        1, **{"证件类型": "营业执照", "证件号码": "X-123", "法定代表人证件号码": make_resident_id(3)}
    )
    ingest(write_csv(tmp_path / "p.csv", [row]))
    url = f"/console/subjects/{SUBJECT_USCC}"
    government = signed_in(new_browser, "gov-b").get(url, params={"purpose": "招投标资格审查"})
    assert (
        government.status_code == 200
        and "政务共享" in government.text
        and make_resident_id(3) in government.text
    )
    assert "来源信息" not in government.text  # provenance is for the full view only
    other_department = signed_in(new_browser, "dept-b").get(url, params={"purpose": "复核"})
    assert other_department.status_code == 200 and "X-123" not in other_department.text
    source_department = signed_in(new_browser, "dept-a").get(url, params={"purpose": "本单位数据复核"})
    assert "X-123" in source_department.text and "来源信息" in source_department.text
    assert [e.actor for e in _log()] == ["user:gov-b", "user:dept-a"]  # a public-only view is not logged


def test_lookup_errors(world: World, new_browser: Browser, tmp_path: Path) -> None:
    operator = signed_in(new_browser, "op-user")
    missing = post_form(
        operator, "/console/subjects", {"code": SUBJECT_USCC, "purpose": "数据核对"}, form_page="/console"
    )
    assert missing.status_code == 404 and "未找到" in missing.text
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    short = operator.get(f"/console/subjects/{SUBJECT_USCC}", params={"purpose": "x"})
    assert short.status_code == 400 and "查询事由须为" in short.text and "磐市监处罚" not in short.text
    assert _log() == []
