"""National export, taking down (撤下): a `--since-last` export names the records withdrawn, repaired or
expired since the last one, by their key and the operation; they are no longer exported as data."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from factories import ingest, make_uscc, penalty_row, write_csv
from panshi.cli import app
from panshi.core.db import unit_of_work
from panshi.core.timeutil import today_shanghai
from panshi.exchange.export import removal_columns
from panshi.records import service as records
from panshi.records.models import Record

runner = CliRunner()


def _export(out: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["export", "national", "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    [manifest] = sorted(out.glob("manifest-*.json"))
    return json.loads(manifest.read_text("utf-8"))


def _csv(out: Path, manifest: dict, kind: str, record_type: str = "admin_penalty") -> list[list[str]]:  # type: ignore[type-arg]
    entry = next(f for f in manifest["files"] if f["kind"] == kind and f["record_type"] == record_type)
    path = out / entry["name"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _record_of(n: int) -> int:
    with unit_of_work() as session:
        ids = session.scalars(select(Record.id).where(Record.natural_key.contains(make_uscc(1000 + n)))).all()
    assert len(ids) == 1
    return ids[0]


def test_withdrawn_repaired_and_expired_records_are_taken_down_once(engine: Engine, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(n) for n in (1, 2, 3, 4)]))
    first = _export(tmp_path / "a", "--since-last")
    assert first["counts"]["admin_penalty"] == 4 and first["removed_counts"]["admin_penalty"] == 0
    header = _csv(tmp_path / "a", first, "removed")[0]
    assert header == [*(c.code for c in removal_columns("admin_penalty")), "CZLX", "CZRQ"]
    assert {"CF_WSH", "CF_XDR_MC", "CF_XDR_SHXYM", "CF_CFJGDM", "CF_JDRQ"} <= set(header)

    today = today_shanghai()
    with unit_of_work(write=True) as session:
        records.withdraw(session, record_id=_record_of(1), actor="operator:test", reason="异议核实后撤销")
        records.end_publicity(session, record_id=_record_of(2), on=today, reason="repaired", actor="operator:test",
                              note="信用修复")  # fmt: skip
        records.end_publicity(session, record_id=_record_of(3), on=today - timedelta(days=1), reason="expired",
                              actor="system:publicity", note="公示期满")  # fmt: skip
    second = _export(tmp_path / "b", "--since-last")
    assert second["counts"]["admin_penalty"] == 0  # a closing is a change, but not a record to send again
    removed = _csv(tmp_path / "b", second, "removed")
    rows = {r[header.index("CF_XDR_SHXYM")]: r for r in removed[1:]}
    assert second["removed_counts"]["admin_penalty"] == 3 == len(rows)
    assert rows[make_uscc(1001)][-2] == "撤销"
    assert rows[make_uscc(1002)][-2:] == ["信用修复", today.isoformat()]
    assert rows[make_uscc(1003)][-2:] == ["公示期满", (today - timedelta(days=1)).isoformat()]
    assert make_uscc(1004) not in rows

    third = _export(tmp_path / "c", "--since-last")
    assert third["removed_counts"]["admin_penalty"] == 0 and third["counts"]["admin_penalty"] == 0


def test_a_date_range_export_has_no_take_downs_and_skips_closed_records(
    engine: Engine, tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(2)]))
    today = today_shanghai()
    with unit_of_work(write=True) as session:
        records.end_publicity(session, record_id=_record_of(1), on=today, reason="repaired", actor="operator:test",
                              note="信用修复")  # fmt: skip
    manifest = _export(tmp_path / "a", "--from", str(today - timedelta(days=1)), "--to", str(today))
    assert manifest["counts"]["admin_penalty"] == 1 and manifest["removed_counts"] is None
    assert {f["kind"] for f in manifest["files"]} == {"records"}
