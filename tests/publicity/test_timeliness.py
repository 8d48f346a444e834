"""Timeliness (及时率): on time within 7 working days of the decision across the 2026 Spring Festival
and National Day with their make-up Saturdays, arrival dates in Asia/Shanghai, deadlines beyond the
calendar reported as not judged; the API and the console page, each caller its own scope."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine

from evaluation.helpers import license_row
from factories import DEPT_NAME, DEPT_USCC, OTHER_DEPT_USCC, ingest, penalty_row, write_csv
from panshi.accounts import service as accounts
from panshi.accounts.schemas import Principal, Role
from panshi.api.app import create_app
from panshi.core.calendar import known_years
from panshi.core.db import unit_of_work
from panshi.core.errors import NotAuthorised, PanshiError
from panshi.publicity import service
from panshi.records.models import Record

TAX = "磐石市税务局"
BEFORE_CALENDAR = min(known_years()) - 1  # a year whose holidays the calendar does not hold


def _penalty(number: str, decided: str, *, tax: bool = False) -> dict[str, str]:
    own = {"数据来源单位": TAX, "数据来源单位统一社会信用代码": OTHER_DEPT_USCC, "处罚机关": TAX,
           "处罚机关统一社会信用代码": OTHER_DEPT_USCC} if tax else {}  # fmt: skip
    return penalty_row(
        None,
        **{
            "行政处罚决定书文号": number,
            "处罚决定日期": decided,
            "处罚有效期": "2099-12-31",
            "公示截止期": "",
            **own,
        },
    )


# decision number -> (decision date, arrival in UTC); the deadline (7 working days) by hand:
#   2026-02-13 (Fri): 14 Sat make-up, [15-23 春节], 24, 25, 26, 27, 28 Sat make-up, Mar 2 → 2026-03-02
#   2026-09-28 (Mon): 29, 30, [Oct 1-7 国庆], 8, 9, 10 Sat make-up, 12, 13 → 2026-10-13
ARRIVALS = {
    "A-1": ("2026-02-13", datetime(2026, 3, 2, 15, 59, tzinfo=UTC)),  # 23:59 in Shanghai on the deadline
    "A-2": ("2026-02-13", datetime(2026, 3, 2, 16, 0, tzinfo=UTC)),  # 00:00 on Mar 3 in Shanghai: late
    "A-3": ("2026-02-13", datetime(2026, 2, 24, 2, 0, tzinfo=UTC)),
    "A-4": ("2026-09-28", datetime(2026, 10, 13, 1, 0, tzinfo=UTC)),  # the last day: on time
    "A-5": ("2026-09-28", datetime(2026, 10, 14, 1, 0, tzinfo=UTC)),  # late
    "A-6": (f"{BEFORE_CALENDAR}-06-03", datetime(BEFORE_CALENDAR, 6, 4, 1, 0, tzinfo=UTC)),  # not judged
    "B-1": ("2026-02-13", datetime(2026, 3, 5, 1, 0, tzinfo=UTC)),  # late
    "B-2": ("2026-02-13", datetime(2026, 3, 6, 1, 0, tzinfo=UTC)),  # late
}


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> Iterator[dict[str, Any]]:
    with unit_of_work(write=True) as session:
        a, dept_token = accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        b, _ = accounts.add_department(session, name=TAX, uscc=OTHER_DEPT_USCC)
        tokens = {
            "operator": accounts.issue_token(session, role="operator"),
            "department": dept_token,
            "government": accounts.issue_token(session, role="government", department_id=b.id),
        }
        ids = {"a": a.id, "b": b.id}
    rows = [_penalty(n, decided, tax=n.startswith("B")) for n, (decided, _) in ARRIVALS.items()]
    assert ingest(write_csv(tmp_path / "p.csv", rows)).rejected == 0
    license = license_row(1, **{"许可决定日期": "2026-09-28", "有效期自": "2026-09-28"})
    assert ingest(write_csv(tmp_path / "l.csv", [license]), "admin_license").rejected == 0
    with unit_of_work(write=True) as session:
        for number, (_, arrived) in ARRIVALS.items():
            session.execute(
                update(Record)
                .where(Record.data["decision_number"].as_string() == number)
                .values(created_at=arrived)
            )
        session.execute(update(Record).where(Record.record_type == "admin_license")
                        .values(created_at=datetime(2026, 9, 30, 2, tzinfo=UTC)))  # fmt: skip
    with TestClient(create_app(), follow_redirects=False) as client:
        yield {"client": client, "tokens": tokens, **ids}


def _operator() -> Principal:
    return Principal(role=Role.operator, actor="test:operator")


def _figures(
    department_id: int | None = None, who: Principal | None = None, **months: str
) -> dict[tuple[str, str], Any]:
    with unit_of_work() as session:
        out = service.timeliness(session, who=who or _operator(), month_from=months.get("month_from", f"{BEFORE_CALENDAR}-01"),
                                 month_to=months.get("month_to", "2026-12"), department_id=department_id)  # fmt: skip
    assert out.working_days == [7]
    return {(r.department_name, r.month): r for r in out.rows}


def test_working_days_across_spring_festival_and_national_day(world: dict[str, Any]) -> None:
    rows = _figures()
    feb, oct_ = rows[(DEPT_NAME, "2026-02")], rows[(DEPT_NAME, "2026-09")]
    assert (feb.decided, feb.on_time, feb.late, feb.unknown) == (3, 2, 1, 0)
    assert feb.share == pytest.approx(2 / 3, abs=1e-4)
    assert (oct_.decided, oct_.on_time, oct_.late) == (3, 2, 1)  # the license arrived on time too
    tax = rows[(TAX, "2026-02")]
    assert (tax.on_time, tax.late, tax.share) == (0, 2, 0.0)


def test_a_deadline_beyond_the_calendar_is_not_judged(world: dict[str, Any]) -> None:
    june = _figures()[(DEPT_NAME, f"{BEFORE_CALENDAR}-06")]
    assert (june.decided, june.on_time, june.late, june.unknown, june.share) == (1, 0, 0, 1, None)


def test_scope_of_each_caller(world: dict[str, Any]) -> None:
    own = Principal(role=Role.department, actor="token:1", department_id=world["a"])
    assert {name for name, _ in _figures(who=own)} == {DEPT_NAME}
    with pytest.raises(NotAuthorised):
        _figures(department_id=world["b"], who=own)
    with pytest.raises(NotAuthorised):
        _figures(who=Principal(role=Role.government, actor="token:2", department_id=world["b"]))
    assert {name for name, _ in _figures(department_id=world["b"])} == {TAX}
    with pytest.raises(PanshiError, match="应为 YYYY-MM"):
        _figures(month_from="2026-13")
    with pytest.raises(PanshiError, match="不能晚于"):
        _figures(month_from="2026-10", month_to="2026-01")


def test_api(world: dict[str, Any]) -> None:
    client, tokens = world["client"], world["tokens"]

    def get(role: str, **params: str) -> Any:
        return client.get(
            "/api/v1/timeliness", params=params, headers={"Authorization": f"Bearer {tokens[role]}"}
        )

    answer = get("operator", **{"from": "2026-02", "to": "2026-02"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["month_from"], body["month_to"]) == ("2026-02", "2026-02")
    assert {(r["department_name"], r["on_time"], r["late"]) for r in body["rows"]} == {
        (DEPT_NAME, 2, 1),
        (TAX, 0, 2),
    }
    mine = get("department", **{"from": "2026-01", "to": "2026-12"}).json()
    assert {r["department_name"] for r in mine["rows"]} == {DEPT_NAME}
    assert get("department", department_id=str(world["b"])).status_code == 403
    assert get("government").status_code == 403
    bad = get("operator", **{"from": "2026-2"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.json()["message"]


def test_console_page_sorted_by_worst(world: dict[str, Any]) -> None:
    client, tokens = world["client"], world["tokens"]
    page = client.get("/console/timeliness", params={"from": "2026-01", "to": "2026-12", "sort": "worst"},
                      headers={"Authorization": f"Bearer {tokens['operator']}"})  # fmt: skip
    assert page.status_code == 200, page.text[:300]
    html = page.text
    assert "公示及时率" in html and "0.0%" in html and "66.7%" in html
    assert html.index(TAX) < html.index("66.7%")  # the worst first
    own = client.get("/console/timeliness", headers={"Authorization": f"Bearer {tokens['department']}"})
    assert own.status_code == 200 and TAX not in own.text.split("<table")[-1]
    bad = client.get(
        "/console/timeliness",
        params={"from": "2026-99"},
        headers={"Authorization": f"Bearer {tokens['operator']}"},
    )
    assert bad.status_code == 200 and "应为 YYYY-MM" in bad.text
