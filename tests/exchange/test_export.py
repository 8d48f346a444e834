"""National 双公示 export: national column codes in catalog order, incremental, manifest hashes."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from factories import ingest, make_resident_id, penalty_row, person_penalty_row, write_csv
from panshi.catalog.service import get_record_type
from panshi.cli import app
from panshi.core.timeutil import today_shanghai

runner = CliRunner()


def _export(out: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["export", "national", "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    [manifest] = sorted(out.glob("manifest-*.json"))[-1:]
    return json.loads(manifest.read_text("utf-8"))


def test_csv_carries_the_national_codes_in_catalog_order_and_the_manifest_hashes_match(
    engine: Engine, tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(2), person_penalty_row(3)]))
    out = tmp_path / "out"
    manifest = _export(out, "--since-last")
    assert manifest["counts"] == {"admin_penalty": 3, "admin_license": 0}
    assert manifest["catalog_version"] and manifest["node"] == "220284"
    for f in manifest["files"]:
        data = (out / f["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"]
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel in China expects
    penalty_file = out / next(f["name"] for f in manifest["files"] if f["record_type"] == "admin_penalty")
    with penalty_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [f.code for f in get_record_type("admin_penalty").fields]
    assert rows[0][0] == "CF_XDR_MC" and len(rows) == 4
    id_column = rows[0].index("CF_XDR_ZJHM")
    person = next(r for r in rows[1:] if r[id_column])
    assert person[id_column] != make_resident_id(3) and "*" in person[id_column]  # 授权查询: masked
    assert not list(out.glob("*.part"))


def test_since_last_exports_only_what_changed_and_xlsx_opens(engine: Engine, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(2)]))
    first = _export(tmp_path / "a", "--since-last")
    assert first["counts"]["admin_penalty"] == 2
    again = _export(tmp_path / "b", "--since-last")
    assert again["counts"] == {"admin_penalty": 0, "admin_license": 0}
    assert again["history_range"]["after"] == first["history_range"]["upto"]
    ingest(write_csv(tmp_path / "q.csv", [penalty_row(2, **{"处罚内容": "更正"}), penalty_row(3)]))
    third = _export(tmp_path / "c", "--since-last", "--format", "xlsx")
    assert third["counts"]["admin_penalty"] == 2
    name = next(f["name"] for f in third["files"] if f["record_type"] == "admin_penalty")
    sheet = load_workbook(tmp_path / "c" / name, read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "CF_XDR_MC" and len(rows) == 3


def test_a_date_range_and_bad_options(engine: Engine, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    today = today_shanghai()
    inside = _export(tmp_path / "a", "--from", str(today - timedelta(days=1)), "--to", str(today))
    assert inside["counts"]["admin_penalty"] == 1 and inside["mode"] == "range"
    before = _export(tmp_path / "b", "--from", "2020-01-01", "--to", str(today - timedelta(days=1)))
    assert before["counts"]["admin_penalty"] == 0
    for bad in (["--since-last", "--from", "2020-01-01", "--to", "2020-02-01"], [], ["--from", "2020-01-01"],
                ["--since-last", "--format", "pdf"], ["--from", "2020-13-01", "--to", "2020-12-01"]):  # fmt: skip
        result = runner.invoke(app, ["export", "national", "-o", str(tmp_path / "x"), *bad])
        assert result.exit_code == 1, (bad, result.output)
