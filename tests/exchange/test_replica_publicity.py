"""A replica's publicity window is closed at its home, not by the receiver's own publicity job: the
job skips replicas, and the home's closing arrives by exchange, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from exchange.conftest import Tiers
from factories import ingest, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.publicity import service as publicity
from panshi.records.models import Record, RecordHistory

LATER = date(2040, 1, 1)  # every window in the file has ended by then


def _state(engine: object) -> tuple[list[str | None], int]:
    with unit_of_work(engine) as s:  # type: ignore[arg-type]
        closed = list(s.scalars(select(Record.publicity_closed_reason).order_by(Record.id)))
        ended = select(func.count()).where(RecordHistory.event == "publicity_ended")
        return closed, s.scalar(ended) or 0


def test_the_publicity_job_leaves_replicas_to_their_home(tiers: Tiers, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(2)]))
    tiers.pull()
    with unit_of_work(tiers.parent, write=True) as s:
        assert publicity.count_expired(s, on=LATER) == 0
        assert publicity.end_expired(s, on=LATER, limit=100) == 0  # replicas: not the city's to close
    assert _state(tiers.parent) == ([None, None], 0)
    with unit_of_work(tiers.child, write=True) as s:
        assert publicity.end_expired(s, on=LATER, limit=100) == 2  # the county closes its own
    tiers.pull()
    assert _state(tiers.parent) == (["expired", "expired"], 2)  # the home's events, once each
    assert _state(tiers.child) == (["expired", "expired"], 2)
