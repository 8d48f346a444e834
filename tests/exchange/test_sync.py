"""Sync by itself: a round with every enabled peer (pull, and push where the link says so), idempotent;
and lists flowing down: a list entry made at the city is found by a check at the county."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from exchange.conftest import CHILD, PARENT, Tiers, direct_fetch, link, serving
from exchange.test_flow import publish_all, state
from factories import ingest, make_uscc, penalty_row, write_csv
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings
from panshi.exchange import sync as sync_module
from panshi.exchange.client import pull_from
from panshi.exchange.homes import passes_down, refusal
from panshi.exchange.nodes import add_peer, own_node, peer
from panshi.exchange.tasks import sync_round, task
from panshi.records.models import Record
from sanctions.helpers import check_body, company, entry_row

CITY_COURT = {"认定单位": "吉林市中级人民法院", "认定单位统一社会信用代码": make_uscc(21, prefix="11220200"),
              "数据来源单位": "吉林市中级人民法院", "数据来源单位统一社会信用代码": make_uscc(21, prefix="11220200")}  # fmt: skip


def _via(monkeypatch: pytest.MonkeyPatch, client: TestClient) -> None:
    """Every peer is reached through `client` (an app in this process)."""
    monkeypatch.setattr(sync_module, "peer_client", lambda region, engine=None: nullcontext(client))


def _count(engine: Engine, record_type: str | None = None) -> int:
    query = select(func.count()).select_from(Record)
    if record_type:
        query = query.where(Record.record_type == record_type)
    with unit_of_work(engine) as s:
        return s.scalar(query) or 0


def test_a_round_pulls_each_child_until_caught_up_and_again_changes_nothing(
    tiers: Tiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _via(monkeypatch, tiers.client)
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(n) for n in range(1, 5)]))
    [done] = sync_module.sync_peers(engine=tiers.parent)
    assert done.pulled is not None and (done.pulled.new, done.pulled.lag, done.error) == (4, 0, None)
    assert state(tiers.parent) == state(tiers.child)
    assert "220284 +1 in" in sync_module.summary([done])
    [again] = sync_module.sync_peers(engine=tiers.parent)
    assert again.pulled is not None and again.pulled.applied_batches == 0
    assert state(tiers.parent) == state(tiers.child)


def test_an_unreachable_peer_is_reported_and_the_next_round_catches_up(
    tiers: Tiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    with unit_of_work(tiers.parent, write=True) as s:  # nothing listens there
        peer(s, CHILD).base_url = "http://127.0.0.1:9"
    [down] = sync_module.sync_peers(engine=tiers.parent)
    assert down.failed and "无法连接" in (down.error or "") and _count(tiers.parent) == 0
    _via(monkeypatch, tiers.client)
    [up] = sync_module.sync_peers(engine=tiers.parent)
    assert not up.failed and state(tiers.parent) == state(tiers.child)


def test_the_task_waits_for_the_node_and_follows_its_setting(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sync_round().startswith("nothing to do")
    assert task().every_seconds == 10
    monkeypatch.setenv("PANSHI_EXCHANGE_SYNC_SECONDS", "0")
    get_settings.cache_clear()
    assert task().every_seconds == 0


def test_push_mode_delivers_the_feed_to_a_parent_that_cannot_reach_us(
    engine: Engine, parent_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    link(engine, parent_engine)
    with unit_of_work(engine, write=True) as s:
        parent_key = peer(s, PARENT).public_key
        add_peer(
            s, region=PARENT, relation="parent", url="http://testserver", public_key=parent_key, link="push"
        )
    with unit_of_work(parent_engine, write=True) as s:
        p = peer(s, CHILD)
        add_peer(
            s, region=CHILD, relation="child", url=p.base_url or "", public_key=p.public_key, link="wait"
        )
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(n) for n in range(1, 4)]))
    assert sync_module.sync_peers(engine=parent_engine) == []  # the city waits for the county
    with serving(parent_engine), TestClient(create_app()) as city_http:
        _via(monkeypatch, city_http)
        [done] = sync_module.sync_peers(engine=engine)
        assert done.pushed is not None and (done.pushed.new, done.pushed.lag) == (3, 0), done
        assert state(parent_engine) == state(engine)
        [again] = sync_module.sync_peers(engine=engine)
        assert again.pushed is not None and again.pushed.applied_batches == 0


def test_a_list_entry_made_at_the_city_flows_down_and_the_county_check_finds_it(
    tiers: Tiers, tmp_path: Path
) -> None:
    with serving(tiers.parent):
        listed = ingest(write_csv(tmp_path / "l.csv", [entry_row(1, **CITY_COURT)]), "list_entry")
        penalised = ingest(write_csv(tmp_path / "p.csv", [penalty_row(5)]))
    assert (listed.accepted, penalised.accepted) == (1, 1)
    result = pull_from(PARENT, fetch=direct_fetch(tiers.parent, reader=CHILD), engine=tiers.child)
    assert (result.new, result.refused) == (1, [])
    assert (
        _count(tiers.child, "list_entry") == 1 and _count(tiers.child) == 1
    )  # the city's penalty stays there
    with unit_of_work(tiers.child) as s:
        assert s.scalar(select(Record.home_region)) == PARENT
    with unit_of_work(tiers.child, write=True) as s:
        finance, _ = accounts.add_department(s, name="磐石市财政局", uscc=make_uscc(13, prefix="11220284"))
        token = accounts.issue_token(s, role="government", department_id=finance.id)
    answer = tiers.client.post(
        "/api/v1/checks", json=check_body(company(1)[1]), headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201, answer.text
    assert [h["list_type"] for h in answer.json()["answer"]["lists"]] == ["judgment_defaulter"]
    assert answer.json()["answer"]["black_listed"]
    # It does not climb back: the county's up feed has nothing to send the city.
    assert publish_all(tiers.child) == []
    again = pull_from(PARENT, fetch=direct_fetch(tiers.parent, reader=CHILD), engine=tiers.child)
    assert again.applied_batches == 0


def test_the_home_rules(engine: Engine, parent_engine: Engine) -> None:
    link(engine, parent_engine)
    with unit_of_work(engine) as s:
        county, city = own_node(s), peer(s, PARENT)
    with unit_of_work(parent_engine) as s:
        city_self, county_child = own_node(s), peer(s, CHILD)
    # A down feed carries its own and what is homed outside its area, never what came up from below.
    assert [passes_down("220200", "city", h) for h in ("220200", "220000", "210000", "220284")] == [
        True, True, True, False,
    ]  # fmt: skip
    # From the parent: only kinds that flow down, homed at or above it.
    assert refusal(county, city, home=PARENT, record_type="list_entry") is None
    assert refusal(county, city, home="220000", record_type="list_entry") is None
    assert refusal(county, city, home=PARENT, record_type="admin_penalty")
    assert refusal(county, city, home="220281", record_type="list_entry")  # a sister county's
    assert refusal(county, city, home=CHILD, record_type="list_entry")  # our own
    # From a child: only what is homed in its area, whatever the kind.
    assert refusal(city_self, county_child, home=CHILD, record_type="admin_penalty") is None
    assert refusal(city_self, county_child, home=CHILD, record_type="list_entry") is None
    assert refusal(city_self, county_child, home="220281", record_type="admin_penalty")
    assert refusal(city_self, county_child, home=PARENT, record_type="list_entry")
