"""Lists recognised from an equal flow down (名单互认): 辽宁省's list entry, taken by 吉林省 from its
peer feed, reaches 吉林市 and 磐石市 through the down feeds, follows every change made at its home, and
never climbs back; a record homed inside a node's area never comes down to it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url

from conftest import PG_ADMIN_URL, _empty
from exchange.conftest import direct_fetch, serving
from exchange.test_case_requests import case_of, decide, objection_at
from factories import ingest, make_uscc, write_csv
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.cases.schemas import DecisionIn
from panshi.cases.workflow import BadDecision
from panshi.core import db as core_db
from panshi.core import migrate
from panshi.core.db import unit_of_work
from panshi.exchange import feed, homes
from panshi.exchange.client import PullResult, pull_from
from panshi.exchange.models import ExchangeMessage
from panshi.exchange.nodes import add_peer, init_node, own_node, peer
from panshi.records import service as records
from panshi.records.models import Record
from sanctions.helpers import check_body, company, entry_row, today

LIAONING, JILIN, CITY, COUNTY = "210000", "220000", "220200", "220284"
LIAONING_COURT = {"认定单位": "辽宁省高级人民法院", "认定单位统一社会信用代码": make_uscc(31, prefix="11210000"),
                  "数据来源单位": "辽宁省高级人民法院", "数据来源单位统一社会信用代码": make_uscc(31, prefix="11210000")}  # fmt: skip


@pytest.fixture(scope="session")
def more_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Engine]]:
    directory = tmp_path_factory.mktemp("more")
    engines = tuple(core_db.make_engine(f"sqlite:///{directory / f'{n}.sqlite3'}") for n in ("a", "b"))
    for engine in engines:
        migrate.upgrade(engine)
    yield engines  # type: ignore[misc]  # two, made just above
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="session")
def more_postgres(pg_url: str) -> Iterator[tuple[Engine, Engine]]:
    names = [f"panshi_more_{os.getpid()}_{uuid.uuid4().hex[:6]}" for _ in range(2)]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engines = tuple(
        core_db.make_engine(make_url(pg_url).set(database=n).render_as_string(hide_password=False))
        for n in names
    )
    for engine in engines:
        migrate.upgrade(engine)
    yield engines  # type: ignore[misc]  # two, made just above
    for engine in engines:
        engine.dispose()
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def nodes(engine: Engine, parent_engine: Engine, request: pytest.FixtureRequest) -> dict[str, Engine]:
    """Four nodes of one engine kind, set up and registered: 辽宁省 ↔ 吉林省 (equals), 吉林省 → 吉林市 →
    磐石市 (parent → child); 磐石市 is the platform's database."""
    more: tuple[Engine, Engine] = request.getfixturevalue(
        "more_postgres" if engine.dialect.name == "postgresql" else "more_sqlite"
    )
    for extra in more:
        _empty(extra)
    found = {LIAONING: more[0], JILIN: more[1], CITY: parent_engine, COUNTY: engine}
    keys = {}
    for region, node in found.items():
        with unit_of_work(node, write=True) as s:
            keys[region] = init_node(s, region=region, name=f"{region} 公共信用信息平台").node.public_key
    for region, other, relation in (
        (LIAONING, JILIN, "peer"), (JILIN, LIAONING, "peer"), (JILIN, CITY, "child"), (CITY, JILIN, "parent"),
        (CITY, COUNTY, "child"), (COUNTY, CITY, "parent"),
    ):  # fmt: skip
        with unit_of_work(found[region], write=True) as s:
            add_peer(s, region=other, relation=relation, url="http://testserver", public_key=keys[other])
    return found


def _pull(nodes: dict[str, Engine], reader: str, origin: str) -> PullResult:
    result = pull_from(origin, fetch=direct_fetch(nodes[origin], reader=reader), engine=nodes[reader])
    assert result.refused == [], result.refused
    return result


def _down_the_tiers(nodes: dict[str, Engine]) -> list[int]:
    """Each tier pulls from the one it reads (吉林省 from its equal, then down): records new or updated."""
    pulls = [_pull(nodes, JILIN, LIAONING), _pull(nodes, CITY, JILIN), _pull(nodes, COUNTY, CITY)]
    return [p.new + p.updated for p in pulls]


def _entries(engine: Engine) -> list[tuple[str | None, int, object]]:
    with unit_of_work(engine) as s:
        rows = s.execute(
            select(Record.home_region, Record.version, Record.data)
            .where(Record.record_type == "list_entry")
            .order_by(Record.id)
        )
        return [(home, version, data.get("end_date")) for home, version, data in rows]


def _listed_at_liaoning(tmp_path: Path, nodes: dict[str, Engine], name: str, **changes: str) -> None:
    with serving(nodes[LIAONING]):
        result = ingest(write_csv(tmp_path / name, [entry_row(1, **LIAONING_COURT, **changes)]), "list_entry")
    assert result.accepted + result.updated == 1, result


def _county_token(nodes: dict[str, Engine]) -> str:
    with unit_of_work(nodes[COUNTY], write=True) as s:
        finance, _ = accounts.add_department(s, name="磐石市财政局", uscc=make_uscc(13, prefix="11220284"))
        return accounts.issue_token(s, role="government", department_id=finance.id)


def _lists_at_county(token: str) -> list[str]:
    """The list types a check at 磐石市 (the platform's database) answers with for company 1."""
    with TestClient(create_app()) as county_http:
        answer = county_http.post(
            "/api/v1/checks", json=check_body(company(1)[1]), headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 201, answer.text
    return [h["list_type"] for h in answer.json()["answer"]["lists"]]


def test_an_equals_list_entry_recognised_at_the_province_reaches_the_county_and_follows_its_home(
    nodes: dict[str, Engine], tmp_path: Path
) -> None:
    token = _county_token(nodes)
    _listed_at_liaoning(tmp_path, nodes, "l1.csv")
    assert _down_the_tiers(nodes) == [1, 1, 1]
    for region in (JILIN, CITY, COUNTY):  # each tier holds it homed at 辽宁省, as its replica
        assert _entries(nodes[region]) == [(LIAONING, 1, None)], region
    assert _lists_at_county(token) == ["judgment_defaulter"]
    # Extended at its home: the new version follows all the way down.
    later = (today() + timedelta(days=730)).isoformat()
    _listed_at_liaoning(tmp_path, nodes, "l2.csv", 移出日期=later)
    assert _down_the_tiers(nodes) == [1, 1, 1]
    assert _entries(nodes[COUNTY]) == [(LIAONING, 2, later)]
    assert _lists_at_county(token) == ["judgment_defaulter"]
    # Removed early at its home: the county's checks stop answering with it.
    yesterday = (today() - timedelta(days=1)).isoformat()
    _listed_at_liaoning(tmp_path, nodes, "l3.csv", 移出日期=yesterday)
    assert _down_the_tiers(nodes) == [1, 1, 1]
    assert _entries(nodes[COUNTY]) == [(LIAONING, 3, yesterday)]
    assert _lists_at_county(token) == []
    # Nothing loops back: no up feed carries it, nor 吉林省's peer feed back to its home.
    for reader, origin in ((CITY, COUNTY), (JILIN, CITY), (LIAONING, JILIN)):
        again = _pull(nodes, reader, origin)
        assert (again.applied_batches, again.new, again.updated) == (0, 0, 0), (reader, origin)
    assert _entries(nodes[LIAONING]) == [(None, 3, yesterday)]


def test_a_record_homed_inside_a_nodes_area_never_comes_down_to_it(
    nodes: dict[str, Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(nodes[COUNTY]):  # the county's own entry climbs to the city
        assert ingest(write_csv(tmp_path / "c.csv", [entry_row(2)]), "list_entry").accepted == 1
    assert _pull(nodes, CITY, COUNTY).new == 1
    # ... and the city's down feed never carries it back.
    assert _pull(nodes, COUNTY, CITY).applied_batches == 0
    # A parent that sends such a record down all the same (its feed rule broken) has its batch refused.
    with serving(nodes[COUNTY]):
        assert ingest(write_csv(tmp_path / "c2.csv", [entry_row(3)]), "list_entry").accepted == 1
    assert _pull(nodes, CITY, COUNTY).new == 1
    with monkeypatch.context() as broken:

        def everything(session: Any, **query: Any) -> Any:  # every list entry, its area's included
            return records.changes_after(session, **(query | {"area_prefix": ""}))

        broken.setattr(homes.records, "changes_passing_down", everything)
        assert feed.publish_pending("down", engine=nodes[CITY]) == 1
    refused = pull_from(CITY, fetch=direct_fetch(nodes[CITY], reader=COUNTY), engine=nodes[COUNTY])
    assert refused.new == 0 and refused.refused and "归属本辖区（220284）" in refused.refused[0]
    assert _entries(nodes[COUNTY]) == [(None, 1, None), (None, 1, None)]  # its own two, unchanged


def test_what_a_node_takes_from_its_parent(nodes: dict[str, Engine]) -> None:
    with unit_of_work(nodes[COUNTY]) as s:
        county, city = own_node(s), peer(s, CITY)
    with unit_of_work(nodes[CITY]) as s:
        city_self, province = own_node(s), peer(s, JILIN)
    # What the parent's down feed carries: its own, above it, an equal's (at any level of the equal).
    for home in (CITY, JILIN, LIAONING, "210200"):
        assert homes.refusal(county, city, home=home, record_type="list_entry") is None, home
    # Not a kind that flows down; a sister county's (not the city's to pass); our own; in our area.
    assert homes.refusal(county, city, home=LIAONING, record_type="admin_penalty")
    assert homes.refusal(county, city, home="220281", record_type="list_entry")
    assert homes.refusal(county, city, home=COUNTY, record_type="list_entry")
    assert homes.refusal(city_self, province, home=COUNTY, record_type="list_entry")
    # The one rule both follow: what a node's down feed carries.
    assert homes.passes_down(CITY, "city", CITY) and homes.passes_down(CITY, "city", JILIN)
    assert homes.passes_down(CITY, "city", LIAONING) and homes.passes_down(CITY, "city", "210200")
    assert not homes.passes_down(CITY, "city", COUNTY) and not homes.passes_down(JILIN, "province", CITY)


def test_a_decision_about_an_equals_entry_is_refused_where_no_request_can_reach_its_home(
    nodes: dict[str, Engine], tmp_path: Path
) -> None:
    _listed_at_liaoning(tmp_path, nodes, "l1.csv")
    assert _down_the_tiers(nodes) == [1, 1, 1]
    with unit_of_work(nodes[COUNTY]) as s:
        entry = s.scalar(select(Record.id).where(Record.record_type == "list_entry"))
    case_id = objection_at(nodes[COUNTY], entry)
    before = case_of(nodes[COUNTY], case_id).state
    with pytest.raises(
        BadDecision, match="归属 210000 的平台"
    ):  # no feed leads to 辽宁省: never stuck at_home
        decide(nodes[COUNTY], case_id, DecisionIn(action="withdraw", reason="认定已被撤销"))
    assert case_of(nodes[COUNTY], case_id).state == before  # may still be refused (驳回) with the reason
    assert (
        decide(nodes[COUNTY], case_id, DecisionIn(action="uphold", reason="请向辽宁省平台提出")) != "at_home"
    )
    with unit_of_work(nodes[COUNTY]) as s:
        assert s.scalar(select(func.count()).select_from(ExchangeMessage)) == 0
