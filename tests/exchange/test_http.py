"""The exchange over HTTP: only registered peers, signing each request; push mode; the pull loop."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from exchange.conftest import CHILD, PARENT, Tiers
from exchange.test_flow import publish_all, state
from factories import ingest, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.exchange.auth import TIME_HEADER, signed_headers
from panshi.exchange.client import FEED_PATH
from panshi.exchange.nodes import init_node, own_signer
from panshi.records.models import Record


def test_only_a_registered_peer_signing_its_request_reads_the_feed(
    tiers: Tiers, tmp_path: Path, key_dir: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    client = tiers.client
    target = f"{FEED_PATH}?after=0&limit=10"
    assert client.get(target).status_code == 401
    assert client.get(target, headers={"Authorization": "Bearer ps_nothing"}).status_code == 401
    with unit_of_work(tiers.parent) as s:
        _, parent_signer = own_signer(s)
    good = signed_headers(parent_signer, PARENT, method="GET", target=target)
    answer = client.get(target, headers=good)
    assert answer.status_code == 200 and answer.json()["latest_seq"] == 1
    # Signed for another query, by another key, as an unregistered node, or with a clock 11 minutes off.
    assert client.get(f"{FEED_PATH}?after=0&limit=11", headers=good).status_code == 401
    stale = signed_headers(parent_signer, PARENT, method="GET", target=target) | {
        TIME_HEADER: str(int(time.time()) - 660)
    }
    assert client.get(target, headers=stale).status_code == 401
    assert (
        client.get(
            target, headers=signed_headers(parent_signer, "220000", method="GET", target=target)
        ).status_code
        == 403
    )
    # A child may not pull its parent's feed of records flowing up.
    with unit_of_work(tiers.child) as s:
        _, child_signer = own_signer(s)
    assert (
        client.get(
            target, headers=signed_headers(child_signer, PARENT, method="GET", target=target)
        ).status_code
        == 401
    )


def test_the_pull_loop_fetches_until_caught_up_and_the_lag_is_zero(
    tiers: Tiers, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from panshi.core.settings import get_settings

    monkeypatch.setenv("PANSHI_EXCHANGE_BATCH_CHANGES", "1")
    get_settings.cache_clear()
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(n) for n in range(1, 60)]))  # 59 batches: two pages
    result = tiers.pull()
    assert (result.applied_batches, result.latest_seq, result.lag) == (59, 59, 0)  # type: ignore[attr-defined]
    assert state(tiers.parent) == state(tiers.child)


def test_push_mode_applies_in_order_once(tiers: Tiers, tmp_path: Path) -> None:
    """The parent's HTTP receives the child's batches (here the app serves the parent's database)."""
    from fastapi.testclient import TestClient

    from panshi.api.app import create_app
    from panshi.core import db as core_db
    from panshi.exchange.schemas import PushRequest

    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(2)]))
    batches = publish_all(tiers.child)
    with unit_of_work(tiers.child) as s:
        _, child_signer = own_signer(s)
    body = PushRequest(batches=batches + batches).model_dump_json().encode()
    original = core_db.get_engine
    core_db.get_engine = lambda: tiers.parent  # type: ignore[assignment]
    try:
        with TestClient(create_app()) as parent_http:
            path = "/api/v1/exchange/batches"
            headers = signed_headers(child_signer, CHILD, method="POST", target=path, body=body)
            answer = parent_http.post(
                path, content=body, headers=headers | {"Content-Type": "application/json"}
            )
            assert answer.status_code == 200, answer.text
            assert [r["outcome"] for r in answer.json()["results"]] == ["applied", "replay"]
            assert answer.json()["applied_seq"] == 1
            assert (
                parent_http.post(path, content=body, headers={"Content-Type": "application/json"}).status_code
                == 401
            )
    finally:
        core_db.get_engine = original  # type: ignore[assignment]
    with unit_of_work(tiers.parent) as s:
        assert s.scalar(select(func.count()).select_from(Record)) == 2
    assert state(tiers.parent) == state(tiers.child)


def test_a_node_key_lost_is_said_plainly(tiers: Tiers, key_dir: Path) -> None:
    (key_dir / f"node-{CHILD}.key").unlink()
    with unit_of_work(tiers.child, write=True) as s:
        try:
            init_node(s, region=CHILD, name=None)
        except Exception as exc:  # noqa: BLE001 - the message is what is checked
            assert "--rotate" in str(exc)
        else:
            raise AssertionError("a lost key must be reported")
