"""The console's front page for each role."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from console.helpers import OTHER_DEPT_NAME, World, signed_in
from factories import DEPT_NAME, DEPT_USCC, OTHER_DEPT_USCC, ingest, penalty_row, write_csv
from panshi.ingest.service import Submitter

Browser = Callable[..., TestClient]


def test_each_role_gets_its_dashboard(world: World, new_browser: Browser, tmp_path: Path) -> None:
    bad = penalty_row(2, **{"处罚决定日期": "2026-02-30"})
    a = Submitter(
        channel="api", actor="user:dept-a", department_id=world.department_a, department_uscc=DEPT_USCC
    )
    ingest(write_csv(tmp_path / "a.csv", [penalty_row(1), bad, penalty_row(3), penalty_row(4)]), submitter=a)
    other = {"处罚机关": OTHER_DEPT_NAME, "数据来源单位": OTHER_DEPT_NAME, "处罚机关统一社会信用代码": OTHER_DEPT_USCC,
             "数据来源单位统一社会信用代码": OTHER_DEPT_USCC}  # fmt: skip
    b = Submitter(channel="api", actor="user:dept-b", department_id=world.department_b,
                  department_uscc=OTHER_DEPT_USCC)  # fmt: skip
    ingest(write_csv(tmp_path / "b.csv", [penalty_row(5, **other)]), submitter=b)

    operator = signed_in(new_browser, "op-user").get("/console").text
    quality = operator.split("数据质量")[1].split("最近批次")[0]
    assert DEPT_NAME in quality and OTHER_DEPT_NAME in quality
    assert "25.00%" in quality  # department A: 1 of 4 rows rejected
    assert "a.csv" in operator and "b.csv" in operator
    assert 'href="/console/query-log"' in operator and 'href="/console/accounts"' in operator

    department = signed_in(new_browser, "dept-a").get("/console").text
    quality = department.split("数据质量")[1].split("最近批次")[0]
    assert DEPT_NAME in quality and OTHER_DEPT_NAME not in quality
    assert 'href="/console/upload"' in department and 'href="/console/accounts"' not in department

    government = signed_in(new_browser, "gov-b").get("/console").text
    assert "数据质量" not in government and "a.csv" not in government
    assert 'name="purpose"' in government and 'href="/console/upload"' not in government
