"""The rules file, and deadlines in working days across the 2026 Spring Festival and National Day."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cases.helpers import auth
from panshi.cases import filing, workflow
from panshi.cases.rules import CaseRulesFault, load, parse, versions


def test_the_shipped_rules_load() -> None:
    rules = load()
    assert rules.version == versions()[-1]
    assert rules.deadline("objection", "submitted").days == 2  # type: ignore[union-attr]
    assert rules.deadline("objection", "with_department").days == 15  # type: ignore[union-attr]
    assert rules.repair.list_types["judgment_defaulter"].repairable is False
    assert rules.repair.record_types == ["admin_penalty"]


def test_a_fault_names_the_file_and_the_line() -> None:
    text = load_text().replace("    abnormal_operation:", "    no_such_list:")
    with pytest.raises(CaseRulesFault) as fault:
        parse(text, "cases-9.1.yaml")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "no_such_list:" in t)
    # The shared locator names the line of the entry's value (its first key, under the name).
    assert f"cases-9.1.yaml 第 {line + 1} 行" in fault.value.message and "no_such_list" in fault.value.message
    with pytest.raises(CaseRulesFault, match="cases-9.1.yaml 第 9 行 objection：.*deadlines"):
        parse(text.replace("    accepted:\n", "    accepted_typo:\n", 1), "cases-9.1.yaml")


def load_text() -> str:
    from importlib import resources

    return resources.files("panshi").joinpath("data/cases", f"cases-{versions()[-1]}.yaml").read_text("utf-8")


@pytest.mark.parametrize(
    ("kind", "state", "since", "due"),
    [
        # 春节 2026-02-15..23 off, Saturday 02-14 worked: a Friday filing is acknowledged by Tuesday 02-24.
        ("objection", "submitted", date(2026, 2, 13), date(2026, 2, 24)),
        ("repair", "submitted", date(2026, 2, 13), date(2026, 2, 27)),
        # 国庆 2026-10-01..07 off, Saturday 10-10 worked.
        ("objection", "with_department", date(2026, 9, 28), date(2026, 10, 23)),
        ("objection", "accepted", date(2026, 9, 30), date(2026, 10, 8)),
    ],
)
def test_deadlines_in_working_days(kind: str, state: str, since: date, due: date) -> None:
    assert workflow.deadline(kind, state, since) == (due, False)


def test_a_deadline_beyond_the_calendar_is_flagged_not_guessed() -> None:
    assert workflow.deadline("objection", "with_department", date(2099, 12, 1)) == (None, True)
    assert workflow.deadline("objection", "upheld", date(2026, 3, 2)) == (None, False)


def test_overdue_and_unknown_deadlines_are_flagged(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, tokens = world["client"], world["tokens"]
    monkeypatch.setattr(filing, "today_shanghai", lambda: date(2026, 2, 13))
    body = {"record_id": world["records"][1], "reason": "记录有误，请核查"}
    case = client.post("/api/v1/objections", json=body, headers=auth(tokens["subject"])).json()
    assert case["due_on"] == "2026-02-24" and not case["deadline_unknown"]
    monkeypatch.setattr(filing, "today_shanghai", lambda: date(2099, 12, 1))
    body = {"record_id": world["records"][2], "reason": "记录有误，请核查"}
    unknown = client.post("/api/v1/objections", json=body, headers=auth(tokens["operator"])).json()
    assert unknown["due_on"] is None and unknown["deadline_unknown"]
    queue = client.get("/api/v1/cases/queue", headers=auth(tokens["operator"])).json()["items"]
    assert [(i["id"], i["overdue"]) for i in queue] == [(case["id"], True), (unknown["id"], False)]
    from typer.testing import CliRunner

    from panshi.cli import app

    result = CliRunner().invoke(app, ["cases", "overdue", "--json"])
    assert result.exit_code == 0, result.output
    assert "2026-02-24" in result.output and "日历" not in result.output
    assert [c["id"] for c in __import__("json").loads(result.output)] == [case["id"], unknown["id"]]
