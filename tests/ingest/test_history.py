"""Each new record gets exactly one `created` history row, made by the server from the records just
copied: its id, version 1, the batch, its content hash, the actor and the batch's time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from factories import OPERATOR, ingest, penalty_row, write_json
from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings
from panshi.ingest import repository
from panshi.ingest.models import Batch
from panshi.records.models import Record, RecordHistory


@pytest.fixture
def chunks_of_two(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PANSHI_INGEST_CHUNK_ROWS", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _utc(at: datetime) -> datetime:
    """SQLite gives some times back without their zone: they are UTC."""
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _history_of_batch(batch_id: str) -> tuple[list[Record], list[RecordHistory], Batch]:
    with unit_of_work() as session:
        records = list(session.scalars(select(Record).where(Record.batch_id == batch_id).order_by(Record.id)))
        history = list(
            session.scalars(
                select(RecordHistory).where(RecordHistory.batch_id == batch_id).order_by(RecordHistory.id)
            )
        )
        batch = session.get(Batch, batch_id)
        assert batch is not None
        session.expunge_all()
    return records, history, batch


def test_one_created_row_per_new_record(engine: Engine, tmp_path: Path, chunks_of_two: None) -> None:
    result = ingest(write_json(tmp_path / "p.ndjson", [penalty_row(n) for n in range(1, 6)], ndjson=True))
    records, history, batch = _history_of_batch(result.batch_id)
    assert len(records) == 5
    assert [(h.record_id, h.version, h.event, h.content_hash) for h in history] == [
        (r.id, 1, "created", r.content_hash) for r in records
    ]
    assert {h.actor for h in history} == {OPERATOR.actor}
    assert {_utc(h.at) for h in history} == {_utc(batch.received_at)}


def test_records_of_another_batch_between_the_ids_get_no_history(
    engine: Engine, tmp_path: Path, chunks_of_two: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids need not be contiguous (another session may take some): a record of another batch whose id
    falls among a chunk's is not given a history row of this batch."""
    ingest(write_json(tmp_path / "a.ndjson", [penalty_row(1)], ndjson=True))
    with unit_of_work() as session:
        other = session.scalars(select(Record)).one()
        other_id, other_batch = other.id, other.batch_id
    taken = repository.allocate_record_ids

    def with_a_gap(session: Session, count: int) -> pl.Series:
        ids = taken(session, count + 1)
        gap = int(ids[1])  # the second id goes to a record of the other batch, copied from the first
        columns = [c.name for c in Record.__table__.columns if c.name != "id"]
        copied = ", ".join(
            "natural_key || '-gap-' || CAST(:gap AS TEXT)" if c == "natural_key" else c for c in columns
        )
        session.execute(
            text(
                f"INSERT INTO records (id, {', '.join(columns)}) SELECT :gap, {copied} FROM records WHERE id = :other"
            ),
            {"gap": gap, "other": other_id},
        )
        return pl.concat([ids[:1], ids[2:]])

    monkeypatch.setattr(repository, "allocate_record_ids", with_a_gap)
    result = ingest(write_json(tmp_path / "b.ndjson", [penalty_row(n) for n in range(2, 6)], ndjson=True))
    records, history, _ = _history_of_batch(result.batch_id)
    assert len(records) == 4 and [h.record_id for h in history] == [r.id for r in records]
    with unit_of_work() as session:
        gap_records = session.scalars(select(Record.id).where(Record.batch_id == other_batch)).all()
        assert len(gap_records) == 3  # the first batch's record and one in each chunk's gap
        gap_history = session.scalars(
            select(RecordHistory.batch_id).where(RecordHistory.record_id.in_(gap_records))
        ).all()
        assert gap_history == [other_batch]  # only the original record's own `created` row
