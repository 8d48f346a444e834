"""Two nodes: ingest at the county, its feed applied at the city once and only once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from exchange.conftest import CHILD, PARENT, Tiers
from factories import full_file, ingest, make_uscc, penalty_row, person_penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.exchange import feed
from panshi.exchange.apply import receive_batch
from panshi.exchange.models import ExchangeLog
from panshi.exchange.schemas import WireBatch
from panshi.records import service as records_service
from panshi.records.models import Record, RecordHistory


def state(engine: Engine) -> list[tuple[Any, ...]]:
    """What must be the same at every tier: each record's key, home, version, status and data, and its
    history events in order."""
    with unit_of_work(engine) as s:
        rows = s.execute(
            select(Record.record_type, Record.natural_key, Record.version, Record.status, Record.content_hash,
                   Record.data, Record.publicity_end).order_by(Record.record_type, Record.natural_key)
        ).all()  # fmt: skip
        events = s.execute(
            select(Record.natural_key, RecordHistory.version, RecordHistory.event)
            .join(Record, Record.id == RecordHistory.record_id)
            .order_by(Record.natural_key, RecordHistory.id)
        ).all()
    return [tuple(r[:5]) + (json.dumps(r[5], sort_keys=True), r[6]) for r in rows] + [
        tuple(e) for e in events
    ]


def publish_all(engine: Engine) -> list[WireBatch]:
    with unit_of_work(engine, write=True) as s:
        horizon = feed.feed_horizon(s)
    with unit_of_work(engine, write=True) as s:
        feed.publish(s, upto=horizon, max_batches=1000)
    with unit_of_work(engine) as s:
        return feed.feed_page(s, after=0, limit=100).batches


def receive(engine: Engine, wire: WireBatch, sender: str = CHILD) -> str:
    with unit_of_work(engine, write=True) as s:
        return receive_batch(s, wire, sender=sender).outcome


def log_outcomes(engine: Engine) -> list[tuple[str, str]]:
    with unit_of_work(engine) as s:
        return [(e.batch_id, e.outcome) for e in s.scalars(select(ExchangeLog).order_by(ExchangeLog.id))]


def test_ingest_at_the_county_arrives_at_the_city_with_provenance(tiers: Tiers, tmp_path: Path) -> None:
    rows = [penalty_row(n) for n in range(1, 6)] + [person_penalty_row(7)]
    ingest(write_csv(tmp_path / "p.csv", rows))
    result = tiers.pull()
    assert result.applied_batches >= 1 and result.lag == 0  # type: ignore[attr-defined]
    assert state(tiers.parent) == state(tiers.child)
    with unit_of_work(tiers.parent) as s:
        homes = set(s.scalars(select(Record.home_region)))
        assert homes == {CHILD}
    # The city's operators read the full file with the provenance of the county's batch.
    from panshi.core import db as core_db

    with unit_of_work(tiers.parent) as s:
        code = make_uscc(1001)
        assert s.scalar(select(func.count()).select_from(Record)) == 6
    original = core_db.get_engine
    try:
        core_db.get_engine = lambda: tiers.parent  # type: ignore[assignment]
        with unit_of_work(tiers.parent) as s:
            view = full_file(s, code)
    finally:
        core_db.get_engine = original  # type: ignore[assignment]
    assert view.records and view.records[0].provenance is not None
    # Again: nothing new, nothing doubled.
    again = tiers.pull()
    assert again.applied_batches == 0  # type: ignore[attr-defined]
    assert state(tiers.parent) == state(tiers.child)


def test_a_correction_at_the_county_follows(tiers: Tiers, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(2)]))
    tiers.pull()
    ingest(write_csv(tmp_path / "p2.csv", [penalty_row(1, **{"处罚内容": "更正后的处罚内容"})]))
    with unit_of_work(tiers.child, write=True) as s:
        record_id = s.scalar(
            select(Record.id).where(Record.data["penalty_content"].as_string() == "更正后的处罚内容")
        )
        assert record_id is not None
        records_service.amend(s, record_id=record_id, record_type="admin_penalty", changes={"remarks": "经核实更正"},
                              actor="test", reason="核实更正")  # fmt: skip
    tiers.pull()
    assert state(tiers.parent) == state(tiers.child)
    with unit_of_work(tiers.parent) as s:
        corrected = s.scalar(select(Record).where(Record.data["remarks"].as_string() == "经核实更正"))
        assert corrected is not None and corrected.version == 3
        events = s.scalars(
            select(RecordHistory.event)
            .where(RecordHistory.record_id == corrected.id)
            .order_by(RecordHistory.id)
        )
        assert list(events) == ["created", "updated", "amended"]


def test_replay_is_a_no_op_and_a_gap_is_refused_with_the_missing_range(
    tiers: Tiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANSHI_EXCHANGE_BATCH_CHANGES", "2")
    from panshi.core.settings import get_settings

    get_settings.cache_clear()
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(n) for n in range(1, 7)]))
    batches = publish_all(tiers.child)
    assert [b.seq for b in batches] == [1, 2, 3]
    with unit_of_work(tiers.parent, write=True) as s:
        gap = receive_batch(s, batches[2], sender=CHILD)
    assert (gap.outcome, gap.missing_from, gap.missing_to) == ("gap", 1, 2)
    assert receive(tiers.parent, batches[0]) == "applied"
    assert receive(tiers.parent, batches[0]) == "replay"
    assert receive(tiers.parent, batches[1]) == "applied"
    assert receive(tiers.parent, batches[2]) == "applied"
    assert state(tiers.parent) == state(tiers.child)
    outcomes = [o for _, o in log_outcomes(tiers.parent)]
    assert outcomes == ["gap", "applied", "replay", "applied", "applied"]


def test_a_tampered_batch_or_an_unknown_node_is_refused_and_logged(tiers: Tiers, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    [batch] = publish_all(tiers.child)
    body = batch.body.replace("磐石市测试1号", "磐石市测试9号", 1)
    assert body != batch.body
    assert receive(tiers.parent, batch.model_copy(update={"body": body})) == "refused"
    forged = batch.model_copy(update={"body": body, "hash": feed.body_hash(body.encode())})
    assert receive(tiers.parent, forged) == "refused"  # the hash matches, the signature does not
    assert receive(tiers.parent, batch.model_copy(update={"origin": "220281"}), sender="220281") == "refused"
    with unit_of_work(tiers.parent) as s:
        assert s.scalar(select(func.count()).select_from(Record)) == 0
        errors = [e.error or "" for e in s.scalars(select(ExchangeLog).order_by(ExchangeLog.id))]
    assert "摘要不符" in errors[0] and "签名无效" in errors[1] and "未登记" in errors[2]
    assert receive(tiers.parent, batch) == "applied"


def test_a_crash_mid_apply_leaves_nothing_and_the_retry_applies_once(
    tiers: Tiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(n) for n in range(1, 4)]))
    [batch] = publish_all(tiers.child)
    from panshi.records import repository as records_repository

    real = records_repository._register_batches

    def crash(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise OSError("the city's disk vanished")

    monkeypatch.setattr(records_repository, "_register_batches", crash)
    with pytest.raises(OSError):
        receive(tiers.parent, batch)
    with unit_of_work(tiers.parent) as s:
        for table in ("records", "record_history", "subjects", "batches", "exchange_cursors"):
            assert s.scalar(text(f"SELECT COUNT(*) FROM {table}")) == 0, table
    monkeypatch.setattr(records_repository, "_register_batches", real)
    assert receive(tiers.parent, batch) == "applied"
    assert receive(tiers.parent, batch) == "replay"
    assert state(tiers.parent) == state(tiers.child)


def test_a_record_homed_elsewhere_is_refused(tiers: Tiers, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    with unit_of_work(tiers.child, write=True) as s:  # as if the county had a record of 蛟河市 (not its own)
        s.execute(text("UPDATE records SET home_region = '220281'"))
    assert publish_all(tiers.child) == []  # not the county's to publish
    with unit_of_work(tiers.child, write=True) as s:
        s.execute(text(f"UPDATE records SET home_region = '{PARENT}'"))
    assert publish_all(tiers.child) == []
    # A county that publishes it anyway (its feed built by hand) is refused by the city.
    with unit_of_work(tiers.child, write=True) as s:  # (homes never change: the feed's mark must go too)
        s.execute(text("UPDATE records SET home_region = NULL"))
        s.execute(text("DELETE FROM exchange_feed_marks"))
    [batch] = publish_all(tiers.child)
    body = json.loads(batch.body)
    body["records"][0]["home_region"] = "220281"
    from panshi.exchange.nodes import own_signer

    raw = feed.canonical_json(body)
    with unit_of_work(tiers.child) as s:
        _, signer = own_signer(s)
    forged = batch.model_copy(
        update={"body": raw.decode(), "hash": feed.body_hash(raw), "signature": signer.sign(raw)}
    )
    assert receive(tiers.parent, forged) == "refused"
    with unit_of_work(tiers.parent) as s:
        assert s.scalar(select(func.count()).select_from(Record)) == 0
    assert "其他节点" in (log_outcomes(tiers.parent) and _last_error(tiers.parent))


def _last_error(engine: Engine) -> str:
    with unit_of_work(engine) as s:
        return s.scalar(select(ExchangeLog.error).order_by(ExchangeLog.id.desc()).limit(1)) or ""
