"""Concurrent submissions and a process killed mid-batch."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from factories import ingest, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.ingest.models import Batch
from panshi.records.models import Record, RecordHistory


def test_two_batches_at_once_over_the_same_records_end_consistent(engine: Engine, tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", [penalty_row(i) for i in range(1, 301)])
    b = write_csv(tmp_path / "b.csv", [penalty_row(i, **{"罚款金额(万元)": "5"}) for i in range(150, 451)])
    results, failures = [], []

    def run(path: Path) -> None:
        try:
            results.append(ingest(path))
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    assert sum(r.accepted for r in results) == 450  # every key created exactly once
    assert sum(r.updated for r in results) in (0, 151)  # overlap updated iff b came second
    with unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 450
        versions = session.scalar(select(func.sum(Record.version)))
        assert session.scalar(select(func.count()).select_from(RecordHistory)) == versions


def _kill_when_busy(proc: subprocess.Popen[bytes], engine: Engine, db_file: Path | None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"ingest ended (exit {proc.returncode}) before it could be killed: "
                                 f"{proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")  # fmt: skip
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                busy = conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND query ILIKE '%stg_%' AND pid <> pg_backend_pid()")).scalar()  # fmt: skip
        else:  # the ingest holds SQLite's write lock from its BEGIN IMMEDIATE to its commit
            assert db_file is not None
            probe = sqlite3.connect(db_file, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                busy = False
            except sqlite3.OperationalError:
                busy = True
            finally:
                probe.close()
        if busy:
            time.sleep(0.3)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return
        time.sleep(0.05)
    raise AssertionError("ingest never started")


def test_killed_mid_batch_leaves_nothing_and_rerun_completes(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", [penalty_row(i) for i in range(1, 60_001)])
    env = os.environ | {"PANSHI_INGEST_CHUNK_ROWS": "500"}
    cmd = [sys.executable, "-m", "panshi.cli", "ingest", str(path), "--type", "admin_penalty", "--json"]
    url = engine.url
    db_file = Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _kill_when_busy(proc, engine, db_file)
    assert proc.returncode == -signal.SIGKILL
    with unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 0
        assert session.scalar(select(func.count()).select_from(Record)) == 0
    result = ingest(path)
    assert (result.received, result.accepted, result.rejected) == (60_000, 60_000, 0)
