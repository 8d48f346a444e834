"""`panshi publicity run` and `recompute` through the CLI: JSON counts, idempotent, a clear refusal."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from factories import ingest, penalty_row, write_csv
from panshi.cli import app

runner = CliRunner()


def test_run_and_recompute(engine: Engine, tmp_path: Path) -> None:
    rows = [
        penalty_row(1, 处罚决定日期="2023-06-01", 公示截止期=""),
        penalty_row(2, 处罚决定日期="2025-06-01"),
    ]
    assert ingest(write_csv(tmp_path / "p.csv", rows)).rejected == 0
    first = runner.invoke(app, ["publicity", "run", "--on", "2026-06-02", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"on": "2026-06-02", "expired": 1, "remaining": 0}
    again = runner.invoke(app, ["publicity", "run", "--on", "2026-06-02"])
    assert again.exit_code == 0 and "0 条记录公示期届满" in again.stdout
    recompute = runner.invoke(app, ["publicity", "recompute", "--rule", "*", "--json"])
    assert recompute.exit_code == 0, recompute.output
    # the expired record is closed (not examined); the open one is already as the rules say
    assert json.loads(recompute.stdout) == {"rule": "*", "examined": 1, "changed": 0, "relabelled": 0}
    bad = runner.invoke(app, ["publicity", "run", "--on", "2026-13-01"])
    assert bad.exit_code == 1 and "应为 YYYY-MM-DD" in bad.output
