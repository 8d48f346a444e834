"""The `panshi` command: ingest with --json and exit codes, departments, subjects, demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from factories import DEPT_USCC, make_uscc, penalty_row, write_csv
from panshi.cli import app
from panshi.core.db import unit_of_work
from panshi.records.models import Record

runner = CliRunner()


def test_ingest_json_reports_every_count_and_error(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv", [penalty_row(1), penalty_row(2, **{"处罚决定日期": "2026-02-30"})], encoding="gbk"
    )
    result = runner.invoke(app, ["ingest", str(path), "--type", "admin_penalty", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    expected = {"batch_id", "type", "received", "accepted", "updated", "unchanged", "rejected", "errors"}
    assert expected <= set(body)
    assert (body["received"], body["accepted"], body["rejected"]) == (2, 1, 1)
    assert {"row", "field", "code", "message"} <= set(body["errors"][0])

    report = runner.invoke(app, ["batch", "errors", body["batch_id"]])
    assert report.exit_code == 0 and "2026-02-30" in report.stdout


@pytest.mark.parametrize("case", ["unknown_type", "missing_file", "unreadable"])
def test_ingest_exits_2_when_the_file_cannot_be_processed(engine: Engine, tmp_path: Path, case: str) -> None:
    path = write_csv(tmp_path / "p.csv", [penalty_row(1)])
    record_type = "admin_penalty"
    if case == "unknown_type":
        record_type = "no_such_type"
    elif case == "missing_file":
        path = tmp_path / "absent.csv"
    else:
        path.write_bytes(b"\x81\x30\xff\xff\x00\x00 not a csv at all")
    result = runner.invoke(app, ["ingest", str(path), "--type", record_type, "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["message"]
    with unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 0


def test_department_add_prints_a_token_once(engine: Engine) -> None:
    result = runner.invoke(app, ["department", "add", "--name", "磐石市市场监督管理局", "--code", DEPT_USCC])
    assert result.exit_code == 0
    assert result.stdout.strip().startswith("ps_")
    bad = runner.invoke(app, ["department", "add", "--name", "x", "--code", DEPT_USCC[:-1] + "0"])
    assert bad.exit_code == 2


def test_subject_show(engine: Engine, tmp_path: Path) -> None:
    runner.invoke(
        app, ["ingest", str(write_csv(tmp_path / "p.csv", [penalty_row(5)])), "--type", "admin_penalty"]
    )
    code = make_uscc(1005)
    shown = runner.invoke(app, ["subject", "show", code, "--json"])
    assert shown.exit_code == 0
    fields = {f["name"]: f["value"] for f in json.loads(shown.stdout)["records"][0]["fields"]}
    assert fields["decision_number"] == "磐市监处罚〔2025〕5号"
    assert runner.invoke(app, ["subject", "show", make_uscc(99999)]).exit_code == 1


def test_id_check_json() -> None:
    result = runner.invoke(app, ["id", "check", make_uscc(3), "22028419800101123X", "--json"])
    body = json.loads(result.stdout)
    assert [item["kind"] for item in body] == ["uscc", "resident_id"]
    assert body[0]["valid"] is True and body[1]["valid"] is False
    assert result.exit_code == 1


def test_demo_loads_a_small_county(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["demo", "--no-serve", "--subjects", "200", "--records", "600"])
    assert result.exit_code == 0, result.output
    with unit_of_work() as session:
        by_type = dict(
            session.execute(select(Record.record_type, func.count()).group_by(Record.record_type)).all()
        )
        stored = by_type["admin_penalty"] + by_type["admin_license"]
        assert 570 <= stored <= 600  # about 1% are realistic bad rows, sent back
        assert by_type["list_entry"] > 0 and by_type["credit_commitment"] > 0
        departments = session.scalar(select(func.count(func.distinct(Record.department_id))))
        assert departments >= 8
    assert (tmp_path / "var/demo/operator-token.txt").read_text().startswith("ps_")
