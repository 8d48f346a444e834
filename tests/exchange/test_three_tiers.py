"""Three real nodes — county 磐石市, city 吉林市, province 吉林省 — as three `panshi serve` processes with
their own databases and keys, syncing by themselves: records climb, a correction follows, the
province's black list comes down to the county's checks, and the city killed mid-sync catches up
with nothing lost or doubled. Every wait is on a condition, with a timeout."""

from __future__ import annotations

import csv
import io
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from conftest import PG_ADMIN_URL, _pg_reachable
from exchange.test_case_requests import case_of, decide, objection_at, record_id_of
from exchange.test_flow import state
from exchange.test_sync import CITY_COURT
from factories import DEPT_NAME, DEPT_USCC, make_uscc, penalty_row
from panshi.accounts import service as accounts
from panshi.cases.schemas import DecisionIn
from panshi.core import db as core_db
from panshi.core.db import unit_of_work
from panshi.exchange import tiers
from panshi.records import service as records_service
from panshi.records.models import Record
from sanctions.helpers import check_body, company, entry_row

WAIT_S = 40.0
PROVINCE_COURT = {
    k: v.replace("吉林市中级", "吉林省高级") for k, v in CITY_COURT.items() if "信用代码" not in k
} | {
    "认定单位统一社会信用代码": make_uscc(31, prefix="11220000"),
    "数据来源单位统一社会信用代码": make_uscc(31, prefix="11220000"),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str] | None]:
    """SQLite files in each node's directory, or three PostgreSQL databases made and dropped here."""
    if request.param == "sqlite":
        yield None
        return
    problem = _pg_reachable()
    if problem:
        pytest.skip(f"PostgreSQL not reachable ({problem})")
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    names = {t.key: f"panshi_tier_{t.key}_{uuid.uuid4().hex[:6]}" for t in tiers.TIERS}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {
            k: make_url(PG_ADMIN_URL).set(database=n).render_as_string(hide_password=False)
            for k, n in names.items()
        }
    finally:
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Three:
    def __init__(self, root: Path, database_urls: dict[str, str] | None) -> None:
        ports = {t.key: _free_port() for t in tiers.TIERS}
        self.nodes = tiers.plan(root, ports=ports, database_urls=database_urls, PANSHI_EXCHANGE_SYNC_SECONDS="0.3",
                                PANSHI_EXCHANGE_BATCH_CHANGES="25")  # fmt: skip
        tiers.link_all(self.nodes)
        self.tokens: dict[str, str] = {}
        for key, node in self.nodes.items():
            with tiers.as_node(node) as engine, unit_of_work(engine, write=True) as s:
                if key == "province":  # departments submit their own records
                    court = PROVINCE_COURT
                    _, self.tokens[key] = accounts.add_department(
                        s, name=court["数据来源单位"], uscc=court["数据来源单位统一社会信用代码"]
                    )
                if key == "county":
                    _, self.tokens[key] = accounts.add_department(s, name=DEPT_NAME, uscc=DEPT_USCC)
                    finance, _ = accounts.add_department(
                        s, name="磐石市财政局", uscc=make_uscc(13, prefix="11220284")
                    )
                    self.tokens["checker"] = accounts.issue_token(
                        s, role="government", department_id=finance.id
                    )
        self.engines = {k: core_db.make_engine(n.database_url) for k, n in self.nodes.items()}
        self.processes: dict[str, Any] = {}

    def start_all(self) -> None:
        for key, node in self.nodes.items():  # one at a time: those started are stopped if one fails
            self.processes[key] = tiers.start(node)

    def submit(self, key: str, record_type: str, rows: list[dict[str, str]]) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.nodes[key].url}/api/v1/batches", data={"type": record_type},
            files={"file": ("rows.csv", _csv(rows), "text/csv")},
            headers={"Authorization": f"Bearer {self.tokens[key]}"}, timeout=60,
        )  # fmt: skip
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def count(self, key: str, record_type: str = "admin_penalty") -> int:
        with unit_of_work(self.engines[key]) as s:
            query = select(func.count()).select_from(Record).where(Record.record_type == record_type)
            return s.scalar(query) or 0

    def converged(self) -> bool:
        county = state(self.engines["county"])
        return state(self.engines["city"]) == county and state(self.engines["province"]) == county

    def wait(self, condition: Any, what: str) -> None:
        tiers.wait_until(condition, timeout=WAIT_S, what=what, every=0.2)

    def close(self) -> None:
        for process in self.processes.values():
            tiers.stop(process)
        for engine in self.engines.values():
            engine.dispose()


@pytest.fixture
def three(tmp_path: Path, database_urls: dict[str, str] | None) -> Iterator[Three]:
    nodes = Three(tmp_path / "tiers", database_urls)
    try:
        nodes.start_all()
        yield nodes
    finally:
        nodes.close()


def test_three_tiers_climb_correct_list_down_and_survive_a_killed_city(three: Three) -> None:
    # Ingest at the county climbs to the city and the province.
    assert three.submit("county", "admin_penalty", [penalty_row(n) for n in range(1, 41)])["accepted"] == 40
    three.wait(lambda: three.count("province") == 40, "40 条处罚记录到达省级")
    three.wait(three.converged, "三级一致")
    with unit_of_work(three.engines["province"]) as s:
        assert set(s.scalars(select(Record.home_region))) == {"220284"}

    # A correction at the county follows: a resubmitted row (updated) and an amendment (amended).
    three.submit("county", "admin_penalty", [penalty_row(1, **{"处罚内容": "更正后的处罚内容"})])
    with unit_of_work(three.engines["county"], write=True) as s:
        record_id = s.scalar(
            select(Record.id).where(Record.data["penalty_content"].as_string() == "更正后的处罚内容")
        )
        assert record_id is not None
        records_service.amend(s, record_id=record_id, record_type="admin_penalty", changes={"remarks": "经核实更正"},
                              actor="test", reason="核实更正")  # fmt: skip
    three.wait(lambda: three.count("province") == 40 and three.converged(), "更正到达市级、省级")
    with unit_of_work(three.engines["province"]) as s:
        corrected = s.scalar(select(Record).where(Record.data["remarks"].as_string() == "经核实更正"))
        assert corrected is not None and corrected.version == 3

    # A black-list entry made at the province comes down to the county, whose check finds it.
    assert three.submit("province", "list_entry", [entry_row(1, **PROVINCE_COURT)])["accepted"] == 1
    three.wait(lambda: three.count("county", "list_entry") == 1, "省级名单下发到县级")
    answer = httpx.post(
        f"{three.nodes['county'].url}/api/v1/checks", json=check_body(company(1)[1]),
        headers={"Authorization": f"Bearer {three.tokens['checker']}"}, timeout=30,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert answer.json()["answer"]["black_listed"]
    assert [h["list_type"] for h in answer.json()["answer"]["lists"]] == ["judgment_defaulter"]
    three.wait(three.converged, "名单在三级一致")

    # An objection decided at the province about a county record travels down through the city as a
    # request; the county corrects its record, and the change and the answer climb back.
    case_id = objection_at(
        three.engines["province"], record_id_of(three.engines["province"], "admin_penalty")
    )
    fix = DecisionIn(action="correct", reason="核实后更正备注", corrections={"remarks": "省级异议核实更正"})
    assert decide(three.engines["province"], case_id, fix) == "at_home"
    three.wait(
        lambda: case_of(three.engines["province"], case_id).state == "corrected", "县级办理后省级异议办结"
    )
    three.wait(three.converged, "更正在三级一致")
    with unit_of_work(three.engines["county"]) as s:
        assert (
            s.scalar(select(func.count()).where(Record.data["remarks"].as_string() == "省级异议核实更正"))
            == 1
        )

    # The city is killed (SIGKILL) while it applies a long backlog, then restarted: totals match exactly.
    assert (
        three.submit("county", "admin_penalty", [penalty_row(n) for n in range(41, 1041)])["accepted"] == 1000
    )
    three.wait(lambda: three.count("city") > 40, "市级开始接收")
    tiers.stop(three.processes["city"], kill=True)
    at_kill = three.count("city")
    three.processes["city"] = tiers.start(three.nodes["city"])
    three.wait(lambda: three.count("province") == 1040, "重启后省级收齐 1040 条")
    three.wait(three.converged, "重启后三级一致")
    assert 40 < at_kill < 1040, f"the city was not killed mid-sync ({at_kill} of 1040)"
    for key in ("county", "city", "province"):
        assert three.count(key) == 1040 and three.count(key, "list_entry") == 1, key
    with unit_of_work(three.engines["city"]) as s:
        duplicates = s.execute(
            text(
                "SELECT record_id, version, event FROM record_history GROUP BY record_id, version, event HAVING COUNT(*) > 1"
            )
        ).all()
    assert duplicates == []
