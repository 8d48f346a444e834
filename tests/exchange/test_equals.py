"""Equals (平级, e.g. the 东北四省 cooperation) exchange only the record types both sides agreed to share."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from exchange.conftest import direct_fetch, serving
from exchange.test_sync import CITY_COURT
from factories import ingest, make_uscc, penalty_row, write_csv
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings
from panshi.exchange import feed
from panshi.exchange.client import pull_from
from panshi.exchange.homes import feed_read_by, feed_taken_from
from panshi.exchange.nodes import add_peer, init_node
from panshi.records.models import Record
from sanctions.helpers import check_body, company, entry_row

JILIN, LIAONING = "220000", "210000"


def _share(monkeypatch: pytest.MonkeyPatch, kinds: str) -> None:
    monkeypatch.setenv("PANSHI_EXCHANGE_EQUAL_KINDS", kinds)
    get_settings.cache_clear()


def _equals(jilin: Engine, liaoning: Engine) -> None:
    with unit_of_work(jilin, write=True) as s:
        jilin_key = init_node(s, region=JILIN, name="吉林省公共信用信息平台").node.public_key
    with unit_of_work(liaoning, write=True) as s:
        liaoning_key = init_node(s, region=LIAONING, name="辽宁省公共信用信息平台").node.public_key
        add_peer(s, region=JILIN, relation="peer", url="http://testserver", public_key=jilin_key)
    with unit_of_work(jilin, write=True) as s:
        add_peer(s, region=LIAONING, relation="peer", url="http://testserver", public_key=liaoning_key)


def _counts(engine: Engine) -> dict[str, int]:
    with unit_of_work(engine) as s:
        rows = s.execute(select(Record.record_type, func.count()).group_by(Record.record_type)).all()
    return {t: n for t, n in rows}


def test_an_equal_receives_only_the_agreed_kinds_and_refuses_others(
    engine: Engine, parent_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (feed_read_by("peer"), feed_taken_from("peer")) == ("peer", "peer")
    _share(monkeypatch, "admin_license,list_entry")
    _equals(engine, parent_engine)
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(n) for n in range(1, 4)]))
    assert ingest(write_csv(tmp_path / "l.csv", [entry_row(1, **CITY_COURT)]), "list_entry").accepted == 1
    result = pull_from(JILIN, fetch=direct_fetch(engine, reader=LIAONING), engine=parent_engine)
    assert (result.new, result.refused) == (1, [])
    assert _counts(parent_engine) == {"list_entry": 1}  # the penalties were not agreed: they stay home
    with unit_of_work(parent_engine) as s:
        assert s.scalar(select(Record.home_region)) == JILIN
    # Mutual recognition: a check at 辽宁 answers with 吉林's list entry.
    with serving(parent_engine), TestClient(create_app()) as liaoning_http:
        with unit_of_work(parent_engine, write=True) as s:
            finance, _ = accounts.add_department(
                s, name="辽宁省财政厅", uscc=make_uscc(13, prefix="11210000")
            )
            token = accounts.issue_token(s, role="government", department_id=finance.id)
        answer = liaoning_http.post(
            "/api/v1/checks", json=check_body(company(1)[1]), headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 201, answer.text
    assert [h["list_type"] for h in answer.json()["answer"]["lists"]] == ["judgment_defaulter"]
    # A sender whose agreement says more than ours: its batch is refused, nothing of it applied.
    _share(monkeypatch, "admin_penalty,admin_license,list_entry")
    feed.publish_pending("peer", engine=engine)
    ingest(write_csv(tmp_path / "p2.csv", [penalty_row(9)]))
    feed.publish_pending("peer", engine=engine)
    _share(monkeypatch, "admin_license,list_entry")
    refused = pull_from(JILIN, fetch=direct_fetch(engine, reader=LIAONING), engine=parent_engine)
    assert refused.refused and "未约定共享的记录类型 admin_penalty" in refused.refused[0]
    assert _counts(parent_engine) == {"list_entry": 1}
