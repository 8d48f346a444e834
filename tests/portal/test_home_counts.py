"""The home page's record count: exact for small stores, PostgreSQL's estimate (said as 约) for large ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from factories import ingest, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.records import service as records


def test_small_stores_are_counted_exactly(engine: Engine, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(2), penalty_row(3)]))
    with unit_of_work() as session:
        assert records.count_records_for_display(session) == (3, False)


def test_large_postgresql_stores_use_the_estimate(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no row estimate: it always counts")
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(i) for i in range(1, 6)]))
    with engine.begin() as conn:
        conn.execute(text("ANALYZE records"))
    monkeypatch.setattr(records, "EXACT_COUNT_LIMIT", 5)
    with unit_of_work() as session:
        assert records.count_records_for_display(session) == (0, True)  # 5 rows, rounded to ten thousand
