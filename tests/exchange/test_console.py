"""The console's exchange page: each peer's lag and the log, for operators; hostile text shown as text."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from console.helpers import PASSWORD, sign_in
from exchange.conftest import CHILD, PARENT, Tiers
from factories import ingest, penalty_row, write_csv
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.core.db import unit_of_work
from panshi.core.timeutil import utcnow
from panshi.exchange import repository
from panshi.exchange.models import ExchangeLog


def _operator(client: TestClient) -> None:
    with unit_of_work(write=True) as s:
        accounts.add_user(s, username="op-user", password=PASSWORD, role="operator", display_name="运营")
    assert sign_in(client, "op-user").status_code in (200, 303)


def test_the_page_says_how_to_start_before_the_node_is_set_up(engine: Engine) -> None:
    with TestClient(create_app()) as client:
        assert client.get("/console/exchange", follow_redirects=False).status_code in (302, 303)
        _operator(client)
        page = client.get("/console/exchange")
    assert page.status_code == 200 and "panshi node init" in page.text


def test_the_page_shows_each_peers_lag_and_the_log(tiers: Tiers, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    tiers.pull()  # the county served its feed to the city: `served` rows in the county's log
    with unit_of_work(write=True) as s:
        repository.add_log(s, ExchangeLog(batch_id="220000:down:9", peer_region="220000", direction="in", seq=9,
                                          changes=0, applied=0, hash=None, at=utcnow(), outcome="refused",
                                          error="<script>alert(1)</script>"))  # fmt: skip
        cursor = repository.cursors(s)  # none yet at the county: it has not pulled from the city
        assert PARENT not in cursor
    client = tiers.client
    _operator(client)
    page = client.get("/console/exchange")
    assert page.status_code == 200
    assert "磐石市公共信用信息平台" in page.text and PARENT in page.text and "已提供" in page.text
    assert f"{CHILD}:1" in page.text and "拒收" in page.text
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    only = client.get("/console/exchange?peer=220000")
    assert f"{CHILD}:1" not in only.text and "220000:down:9" in only.text
    assert client.get("/console/exchange?peer=abc").status_code in (400, 422)
