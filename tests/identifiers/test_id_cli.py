from __future__ import annotations

import json

from typer.testing import CliRunner

from panshi.identifiers.cli import app

runner = CliRunner()


def test_all_valid_exits_zero_and_prints_a_table() -> None:
    result = runner.invoke(app, ["check", "91110000600037341L", "６０００３７３４－１"])
    assert result.exit_code == 0, result.output
    assert "91110000600037341L" in result.output
    assert "600037341" in result.output
    assert "统一社会信用代码" in result.output and "组织机构代码" in result.output


def test_any_invalid_exits_one() -> None:
    result = runner.invoke(app, ["check", "91110000600037341L", "91110000600037341K"])
    assert result.exit_code == 1
    assert "错误：" in result.output


def test_warnings_alone_do_not_fail() -> None:
    result = runner.invoke(app, ["check", "--json", "999999"])
    assert result.exit_code == 0
    [entry] = json.loads(result.output)
    assert entry["valid"] is True
    assert [w["code"] for w in entry["warnings"]] == ["unknown_region"]


def test_json_output() -> None:
    result = runner.invoke(app, ["check", "--json", " ９１１１００００６０００３７３４１Ｋ", "abc"])
    assert result.exit_code == 1
    entries = json.loads(result.output)
    assert [e["kind"] for e in entries] == ["uscc", "unknown"]
    first = entries[0]
    assert first["input"] == " ９１１１００００６０００３７３４１Ｋ"
    assert first["normal"] == "91110000600037341K"
    assert first["kind_label"] == "统一社会信用代码"
    assert first["valid"] is False
    assert first["errors"] == [
        {"code": "bad_check_char", "message": "统一社会信用代码第18位校验码应为L，实为K"}
    ]
    assert entries[1]["errors"][0]["code"] == "unrecognised_format"


def test_no_values_shows_usage() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code != 0
