"""The fast paths of publishing and applying keep what the feed means: documents read and stored exactly
(floats, integers beyond 64 bits), a value the store cannot take refused whole, staging reused within
one transaction, and a backlog published as a puller takes it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text, update

from exchange.conftest import CHILD, Tiers
from exchange.test_flow import log_outcomes, publish_all, receive, state
from factories import ingest, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.exchange import feed
from panshi.exchange.apply import receive_batch
from panshi.exchange.nodes import own_signer
from panshi.exchange.schemas import WireBatch
from panshi.records.models import Record


def _forged(child: Any, batch: WireBatch, change: Any) -> WireBatch:
    """`batch` with its body changed by `change` and signed again by the child (a peer's own bug)."""
    body = json.loads(batch.body)
    change(body)
    raw = feed.canonical_json(body)
    with unit_of_work(child) as s:
        _, signer = own_signer(s)
    return batch.model_copy(
        update={"body": raw.decode(), "hash": feed.body_hash(raw), "signature": signer.sign(raw)}
    )


def test_documents_with_floats_and_long_integers_arrive_exactly(tiers: Tiers, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(n) for n in range(1, 4)]))
    document = {"罚款金额": 1e-05, "序号": 123456789012345678901234567890, "名称": "磐石", "比例": 0.1}
    with unit_of_work(tiers.child, write=True) as s:
        first = s.scalar(select(func.min(Record.id)))
        s.execute(update(Record).where(Record.id == first).values(data=document))
    [batch] = publish_all(tiers.child)
    assert b'"\xe5\xba\x8f\xe5\x8f\xb7":123456789012345678901234567890' in batch.body.encode()  # 序号
    assert receive(tiers.parent, batch) == "applied"
    assert state(tiers.parent) == state(tiers.child)
    with unit_of_work(tiers.parent) as s:
        [stored] = [d for d in s.scalars(select(Record.data)) if "名称" in d]
    assert stored == document and isinstance(stored["序号"], int)


def test_a_value_the_store_cannot_take_refuses_the_whole_batch(tiers: Tiers, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(n) for n in range(1, 4)]))
    [batch] = publish_all(tiers.child)

    def bad_date(body: dict[str, Any]) -> None:
        body["records"][-1]["decision_date"] = "2026-02-30"

    def too_long(body: dict[str, Any]) -> None:
        body["records"][0]["status"] = "x" * 100

    changes = (
        [bad_date, too_long] if tiers.parent.dialect.name == "postgresql" else [bad_date]
    )  # SQLite: any length
    for change in changes:
        assert receive(tiers.parent, _forged(tiers.child, batch, change)) == "refused"
        with unit_of_work(tiers.parent) as s:
            for table in ("records", "record_history", "subjects", "batches"):
                assert s.scalar(text(f"SELECT COUNT(*) FROM {table}")) == 0, table
    assert [o for _, o in log_outcomes(tiers.parent)] == ["refused"] * len(changes)
    assert receive(tiers.parent, batch) == "applied"  # the genuine batch is taken afterwards
    assert state(tiers.parent) == state(tiers.child)


def test_batches_applied_in_one_transaction_do_not_see_each_others_staging(
    tiers: Tiers, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("PANSHI_EXCHANGE_BATCH_CHANGES", "2")
    from panshi.core.settings import get_settings

    get_settings.cache_clear()
    ingest(write_csv(tmp_path / "a.csv", [penalty_row(n) for n in range(1, 6)]))
    ingest(write_csv(tmp_path / "b.csv", [penalty_row(2, **{"处罚内容": "更正"})]))
    batches = publish_all(tiers.child)
    assert len(batches) == 3
    with unit_of_work(tiers.parent, write=True) as s:
        outcomes = [receive_batch(s, b, sender=CHILD) for b in batches]
    assert [(o.outcome, o.new, o.updated) for o in outcomes] == [
        ("applied", 2, 0),
        ("applied", 2, 0),
        ("applied", 1, 1),
    ]
    assert state(tiers.parent) == state(tiers.child)


def test_a_puller_ahead_has_each_request_publish_what_it_took(
    tiers: Tiers, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("PANSHI_EXCHANGE_BATCH_CHANGES", "1")
    from panshi.core.settings import get_settings

    get_settings.cache_clear()
    monkeypatch.setattr(feed, "PUBLISH_CHANGES", 4)
    ingest(write_csv(tmp_path / "a.csv", [penalty_row(n) for n in range(1, 11)]))
    assert feed.publish_pending("up", engine=tiers.child, ahead_of=0) == 4  # 1–4
    assert feed.publish_pending("up", engine=tiers.child, ahead_of=0) == 0  # 4 ahead of 0 already
    assert feed.publish_pending("up", engine=tiers.child, ahead_of=3) == 3  # 5–7: 4 ahead of 3
    assert feed.publish_pending("up", engine=tiers.child) == 3  # 8–10: the rest, without a puller
    with unit_of_work(tiers.child) as s:
        assert [b.seq for b in feed.feed_page(s, after=0, limit=100).batches] == list(range(1, 11))
