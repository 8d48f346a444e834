"""Operators search the query log in the console."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from console.helpers import SUBJECT_USCC, World, signed_in
from factories import OPERATOR_USER, ingest, make_uscc, penalty_row, write_csv
from panshi.access.service import credit_file
from panshi.accounts.schemas import Principal, Role
from panshi.audit import service as audit
from panshi.core.db import unit_of_work

Browser = Callable[..., TestClient]


def _rows(page: str) -> list[str]:
    return page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:] if "<tbody>" in page else []


@pytest.fixture
def queried(world: World, tmp_path: Path) -> World:
    """Three logged reads: the operator twice (two subjects), a government querier of department B once."""
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(2)]))
    government = Principal(role=Role.government, actor="user:gov-b", display_name="税务局审查员",
                           department_id=world.department_b)  # fmt: skip
    with unit_of_work(write=True) as session:
        credit_file(session, who=OPERATOR_USER, code=SUBJECT_USCC, purpose="数据质量核对", channel="web")
        credit_file(session, who=OPERATOR_USER, code=make_uscc(1002), purpose="异议处理核实", channel="api")
        credit_file(session, who=government, code=SUBJECT_USCC, purpose="招投标资格审查", channel="web")
    return world


def test_the_filters_narrow_the_log(queried: World, new_browser: Browser) -> None:
    operator = signed_in(new_browser, "op-user")
    everything = operator.get("/console/query-log")
    assert everything.status_code == 200 and len(_rows(everything.text)) == 3
    cases = [
        ({"purpose": "招投标"}, ["招投标资格审查"]),
        ({"actor": "user:gov-b"}, ["招投标资格审查"]),
        ({"department": str(queried.department_b)}, ["招投标资格审查"]),
        ({"subject": make_uscc(1002)}, ["异议处理核实"]),
        ({"subject": SUBJECT_USCC, "actor": OPERATOR_USER.actor}, ["数据质量核对"]),
        ({"from": "2000-01-01", "to": "2000-12-31"}, []),
    ]
    for params, purposes in cases:
        rows = _rows(operator.get("/console/query-log", params=params).text)
        assert [
            next(p for p in ("招投标资格审查", "异议处理核实", "数据质量核对") if p in r) for r in rows
        ] == purposes, params


def test_bad_filters_say_why(queried: World, new_browser: Browser) -> None:
    operator = signed_in(new_browser, "op-user")
    bad_date = operator.get("/console/query-log", params={"from": "2026-13-45"})
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in bad_date.text
    backwards = operator.get("/console/query-log", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 400 and "起始日期不能晚于截止日期" in backwards.text
    unknown = operator.get("/console/query-log", params={"subject": make_uscc(999)})
    assert unknown.status_code == 400 and "未找到" in unknown.text and not _rows(unknown.text)


def test_pages(queried: World, new_browser: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "PAGE_SIZE", 2)
    operator = signed_in(new_browser, "op-user")
    first = operator.get("/console/query-log", params={"purpose": "", "to": "2999-12-31"}).text
    assert len(_rows(first)) == 2 and "第 1 / 2 页" in first
    assert 'href="/console/query-log?to=2999-12-31&amp;page=2"' in first  # the filters travel along
    second = operator.get("/console/query-log", params={"to": "2999-12-31", "page": "2"}).text
    assert len(_rows(second)) == 1 and "上一页" in second and "第 2 / 2 页" in second
