"""Credit repair over HTTP: eligibility named condition by condition, the commitment, the outcome."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cases.helpers import auth, record, repair_body, set_minimum_end, upload
from factories import DEPT_NAME, DEPT_USCC, make_uscc
from panshi.cases.models import Case, Commitment
from panshi.core.db import unit_of_work
from panshi.core.timeutil import today_shanghai
from sanctions.helpers import entry_row, load_rows


def _apply(world: dict[str, Any], body: dict[str, Any], who: str = "subject") -> Any:
    return world["client"].post("/api/v1/repairs", json=body, headers=auth(world["tokens"][who]))


def _cases() -> int:
    with unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def test_before_the_minimum_period_the_refusal_names_the_date(world: dict[str, Any]) -> None:
    rid, today = world["records"][1], today_shanghai()
    minimum = today + timedelta(days=20)
    set_minimum_end(rid, minimum)
    evidence = upload(world["client"], world["tokens"]["subject"]).json()
    refused = _apply(world, repair_body(rid, [evidence["id"]]))
    assert refused.status_code == 422
    assert f"最短公示期至 {minimum.isoformat()} 届满，届满后方可申请" in refused.json()["message"]
    set_minimum_end(rid, today)  # the last day of the minimum is not yet past
    assert _apply(world, repair_body(rid, [evidence["id"]])).status_code == 422
    assert _cases() == 0


def test_every_unmet_condition_is_named(world: dict[str, Any]) -> None:
    rid = world["records"][1]
    set_minimum_end(rid, today_shanghai() - timedelta(days=1))
    body = repair_body(rid, [], declaration="已缴")
    body["commitment"] = {"content": "会改", "valid_until": today_shanghai().isoformat()}
    message = _apply(world, body).json()["message"]
    for condition in ("声明", "证明材料", "法定代表人", "承诺内容", "承诺有效期"):
        assert condition in message
    assert _cases() == 0


def test_an_unknown_minimum_is_refused_not_guessed(world: dict[str, Any]) -> None:
    rid = world["records"][1]
    set_minimum_end(rid, None)
    evidence = upload(world["client"], world["tokens"]["subject"]).json()
    refused = _apply(world, repair_body(rid, [evidence["id"]]))
    assert refused.status_code == 409 and refused.json()["error"] == "minimum_unknown"


def test_an_approved_repair_ends_publicity_and_keeps_the_history(world: dict[str, Any]) -> None:
    client, rid, tokens = world["client"], world["records"][1], world["tokens"]
    set_minimum_end(rid, today_shanghai() - timedelta(days=1))
    evidence = upload(client, tokens["subject"]).json()
    stranger = _apply(world, repair_body(world["records"][1], [evidence["id"]]), who="stranger")
    assert stranger.status_code == 403
    filed = _apply(world, repair_body(rid, [evidence["id"]]))
    assert filed.status_code == 201, filed.text
    case = filed.json()
    c = case["commitment"]
    assert c["commitment_type"] == "信用修复型" and c["subject_code"] == make_uscc(1001)
    assert c["acceptor"] == DEPT_NAME and c["acceptor_code"] == DEPT_USCC and len(c["code"]) == 20
    assert case["due_on"] is not None and case["waiting_for"]
    assert _apply(world, repair_body(rid, [evidence["id"]])).status_code == 409  # one open repair
    # Nobody but the source department or operators decides.
    step = {"action": "approve", "reason": "已履行义务，准予修复"}
    assert client.post(f"/api/v1/cases/{case['id']}/decision", json=step,
                       headers=auth(tokens["other_department"])).status_code == 404  # fmt: skip
    approved = client.post(
        f"/api/v1/cases/{case['id']}/decision", json=step, headers=auth(tokens["department"])
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    assert client.get(f"/api/v1/records/{rid}").status_code == 404
    after = record(rid)
    assert after.publicity_closed_reason == "repaired" and after.publicity_closed_on == today_shanghai()
    full = client.get(
        f"/api/v1/records/{rid}", params={"purpose": "修复复核"}, headers=auth(tokens["operator"])
    )
    assert "repaired" in [h["event"] for h in full.json()["history"]]
    with unit_of_work() as session:  # the commitment is kept with the closed case
        assert session.scalar(select(func.count()).select_from(Commitment)) == 1
    again = client.post(f"/api/v1/cases/{case['id']}/decision", json=step, headers=auth(tokens["operator"]))
    assert again.status_code == 409 and "准予修复" in again.json()["message"]


def test_list_entries_follow_their_list_rules(world: dict[str, Any], tmp_path: Path) -> None:
    client, tokens = world["client"], world["tokens"]
    market = {"认定单位": DEPT_NAME, "认定单位统一社会信用代码": DEPT_USCC, "数据来源单位": DEPT_NAME,
              "数据来源单位统一社会信用代码": DEPT_USCC}  # fmt: skip
    load_rows(tmp_path, [entry_row(1, "judgment_defaulter"), entry_row(1, "abnormal_operation", **market,
                                                                           认定文书号="磐市监异〔2026〕1号")])  # fmt: skip
    with unit_of_work() as session:
        from panshi.records.models import Record

        ids = dict(session.execute(select(Record.data["list_type"].as_string(), Record.id)
                                   .where(Record.record_type == "list_entry")).all())  # fmt: skip
    evidence = upload(client, tokens["subject"]).json()
    court = _apply(world, repair_body(ids["judgment_defaulter"], [evidence["id"]]))
    assert court.status_code == 409 and "人民法院" in court.json()["message"]
    # An objection to the entry shows in a check answer, under the receipt's hash.
    check = {"subject": make_uscc(1001), "scenario": "government_procurement", "purpose": "政府采购资格审查",
             "case_reference": "CG-1"}  # fmt: skip
    objection = client.post("/api/v1/objections", headers=auth(tokens["subject"]),
                            json={"record_id": ids["abnormal_operation"], "reason": "已补报年度报告，应当移出"})  # fmt: skip
    answer = client.post("/api/v1/checks", json=check, headers=auth(tokens["government"])).json()
    marks = {h["list_type"]: h["objection_open"] for h in answer["answer"]["lists"]}
    assert marks == {"judgment_defaulter": False, "abnormal_operation": True}
    verified = client.get(
        f"/api/v1/checks/{answer['answer']['check_id']}", headers=auth(tokens["government"])
    )
    assert verified.json()["verification"]["verified"] is True
    blocked = _apply(world, repair_body(ids["abnormal_operation"], [evidence["id"]]))
    assert blocked.status_code == 422 and f"#{objection.json()['id']}" in blocked.json()["message"]
    client.post(f"/api/v1/cases/{objection.json()['id']}/decision", json={"action": "refuse", "reason": "理由不成立"},
                headers=auth(tokens["operator"]))  # fmt: skip
    filed = _apply(world, repair_body(ids["abnormal_operation"], [evidence["id"]]))
    assert filed.status_code == 201, filed.text
    client.post(f"/api/v1/cases/{filed.json()['id']}/decision", json={"action": "approve", "reason": "已改正"},
                headers=auth(tokens["department"]))  # fmt: skip
    assert record(ids["abnormal_operation"]).status == "removed"
    answer = client.post("/api/v1/checks", json=check, headers=auth(tokens["government"])).json()
    assert [h["list_type"] for h in answer["answer"]["lists"]] == ["judgment_defaulter"]
