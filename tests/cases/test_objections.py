"""Objections over HTTP: who may file, the 异议处理中 mark everywhere, the outcomes on the record."""

from __future__ import annotations

from typing import Any

from cases.helpers import auth, record, upload
from factories import make_uscc


def _file(world: dict[str, Any], who: str = "subject", n: int = 1, **more: Any) -> Any:
    body = {"record_id": world["records"][n], "reason": "该处罚已被行政复议决定撤销，记录有误。", **more}
    return world["client"].post("/api/v1/objections", json=body, headers=auth(world["tokens"][who]))


def _step(world: dict[str, Any], case_id: int, action: str, who: str = "operator", **more: Any) -> Any:
    body = {"action": action, "reason": more.pop("reason", "经核查处理"), **more}
    return world["client"].post(
        f"/api/v1/cases/{case_id}/decision", json=body, headers=auth(world["tokens"][who])
    )


def test_a_subject_objects_and_the_record_is_marked_everywhere(world: dict[str, Any]) -> None:
    client, rid = world["client"], world["records"][1]
    assert client.get(f"/api/v1/records/{rid}").json()["objection_open"] is False
    evidence = upload(client, world["tokens"]["subject"]).json()
    filed = _file(world, evidence_ids=[evidence["id"]])
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert case["state"] == "submitted" and case["open"] and case["due_on"] is not None
    assert [e["action"] for e in case["events"]] == ["file"]
    assert [f["id"] for f in case["evidence"]] == [evidence["id"]]
    # The public record, the public subject page and the 双公示 listing all say so.
    assert client.get(f"/api/v1/records/{rid}").json()["objection_open"] is True
    assert "异议处理中" in client.get(f"/subjects/{make_uscc(1001)}").text
    assert "异议处理中" in client.get(f"/records/{rid}").text
    listing = client.get("/api/v1/publicity").json()["items"]
    assert {i["record"]["id"]: i["record"]["objection_open"] for i in listing} == {
        rid: True, world["records"][2]: False,
    }  # fmt: skip
    assert "异议处理中" in client.get("/publicity").text
    # One open objection per record.
    again = _file(world)
    assert again.status_code == 409 and f"#{case['id']}" in again.json()["message"]


def test_a_stranger_is_refused_and_an_unseen_record_is_not_found(world: dict[str, Any]) -> None:
    refused = _file(world, who="stranger", n=1)
    assert refused.status_code == 403
    assert "本主体" in refused.json()["message"]
    missing = world["client"].post("/api/v1/objections", json={"record_id": 999999, "reason": "记录有误有误"},
                                   headers=auth(world["tokens"]["subject"]))  # fmt: skip
    assert missing.status_code == 404
    assert world["client"].post("/api/v1/objections", json={"record_id": 1, "reason": "x"}).status_code == 401
    assert _file(world, who="department").status_code == 403
    assert _file(world, who="government").status_code == 403


def test_withdrawal_takes_the_record_out_of_every_view_but_the_full_history(world: dict[str, Any]) -> None:
    client, rid, tokens = world["client"], world["records"][1], world["tokens"]
    case = _file(world).json()
    assert _step(world, case["id"], "forward").status_code == 409  # not before it is accepted
    assert _step(world, case["id"], "accept", who="department").status_code == 403  # operators accept
    assert _step(world, case["id"], "accept", reason="").json()["state"] == "accepted"
    assert _step(world, case["id"], "forward").json()["state"] == "with_department"
    other = _step(world, case["id"], "withdraw", who="other_department")
    assert other.status_code == 404  # another department does not even see the case
    done = _step(world, case["id"], "withdraw", who="department", reason="经核查，处罚决定已被撤销")
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "withdrawn" and not done.json()["open"]
    assert [e["to_state"] for e in done.json()["events"]] == [
        "submitted",
        "accepted",
        "with_department",
        "withdrawn",
    ]
    # Gone from the public, the subject's own and government views; a closed case refuses everything.
    assert client.get(f"/api/v1/records/{rid}").status_code == 404
    assert client.get(f"/api/v1/subjects/{make_uscc(1001)}").json()["records"] == []
    own = client.get("/api/v1/me", headers=auth(tokens["subject"])).json()
    assert own is None or all(r["id"] != rid for r in own["records"])
    gov = client.get(f"/api/v1/subjects/{make_uscc(1001)}", params={"purpose": "政府采购资格审查"},
                     headers=auth(tokens["government"])).json()  # fmt: skip
    assert gov["records"] == []
    assert all(i["record"]["id"] != rid for i in client.get("/api/v1/publicity").json()["items"])
    # The full view (不公开 granted) keeps it, with its history.
    full = client.get(
        f"/api/v1/records/{rid}", params={"purpose": "异议复核"}, headers=auth(tokens["operator"])
    )
    assert full.status_code == 200
    assert full.json()["status"] == "withdrawn" and full.json()["objection_open"] is False
    assert [h["event"] for h in full.json()["history"]][-2:] == ["withdrawn", "withdrawn"]
    closed = _step(world, case["id"], "uphold")
    assert closed.status_code == 409 and "已办结" in closed.json()["message"]


def test_a_correction_is_a_new_version_and_upheld_changes_nothing(world: dict[str, Any]) -> None:
    rid = world["records"][1]
    case = _file(world).json()
    _step(world, case["id"], "accept")
    _step(world, case["id"], "forward")
    bad = _step(world, case["id"], "correct", who="department", corrections={"no_such_field": "1"})
    assert bad.status_code == 400 and "no_such_field" in bad.json()["message"]
    assert record(rid).version == 1  # nothing half-written
    fixed = _step(world, case["id"], "correct", who="department", corrections={"fine_amount": "0.5"})
    assert fixed.status_code == 200, fixed.text
    after = record(rid)
    assert after.version == 2 and after.data["fine_amount"] in ("0.5", 0.5) and after.status == "active"
    case2 = _file(world).json()  # the first one closed: a new one may be filed
    _step(world, case2["id"], "accept")
    _step(world, case2["id"], "forward")
    assert _step(world, case2["id"], "uphold", who="department").json()["state"] == "upheld"
    assert record(rid).version == 2


def test_refusal_needs_a_reason_and_closes_the_case(world: dict[str, Any]) -> None:
    case = _file(world).json()
    no_reason = _step(world, case["id"], "refuse", reason="")
    assert no_reason.status_code == 422
    refused = _step(world, case["id"], "refuse", reason="异议理由与记录无关")
    assert refused.json()["state"] == "refused" and refused.json()["decision_reason"] == "异议理由与记录无关"
    assert world["client"].get(f"/api/v1/records/{world['records'][1]}").json()["objection_open"] is False


def test_each_caller_sees_only_its_own_cases(world: dict[str, Any]) -> None:
    client, tokens = world["client"], world["tokens"]
    case = _file(world).json()
    _file(world, who="operator", n=2)
    assert client.get(f"/api/v1/cases/{case['id']}", headers=auth(tokens["stranger"])).status_code == 404
    assert (
        client.get(f"/api/v1/cases/{case['id']}", headers=auth(tokens["other_department"])).status_code == 404
    )
    assert client.get(f"/api/v1/cases/{case['id']}", headers=auth(tokens["government"])).status_code == 403
    assert client.get("/api/v1/cases", headers=auth(tokens["subject"])).json()["total"] == 1
    assert client.get("/api/v1/cases", headers=auth(tokens["stranger"])).json()["total"] == 1
    queue = client.get("/api/v1/cases/queue", headers=auth(tokens["department"])).json()
    assert queue["total"] == 2 and all(not i["overdue"] for i in queue["items"])
    dues = [i["due_on"] for i in queue["items"]]
    assert dues == sorted(dues)


def test_an_application_received_offline_runs_its_deadline_from_the_day_it_was_received(world) -> None:
    """The credit centre registers an objection received at its window 10 days ago: the
    acknowledgement deadline (2 working days) has passed, so the case is overdue at once; a
    subject cannot backdate, nor can anyone date it in the future or long ago."""
    from datetime import timedelta

    from panshi.core.calendar import working_calendar
    from panshi.core.timeutil import today_shanghai

    client, tokens, record_id = world["client"], world["tokens"], world["records"][1]
    received = today_shanghai() - timedelta(days=10)
    body = {
        "record_id": record_id,
        "reason": "决定书送达地址有误，本公司未收到。",
        "received_on": received.isoformat(),
    }
    assert client.post("/api/v1/objections", json=body, headers=auth(tokens["subject"])).status_code == 409
    future = {**body, "received_on": (today_shanghai() + timedelta(days=1)).isoformat()}
    assert client.post("/api/v1/objections", json=future, headers=auth(tokens["operator"])).status_code == 409
    ancient = {**body, "received_on": (today_shanghai() - timedelta(days=60)).isoformat()}
    assert (
        client.post("/api/v1/objections", json=ancient, headers=auth(tokens["operator"])).status_code == 409
    )
    filed = client.post("/api/v1/objections", json=body, headers=auth(tokens["operator"]))
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert case["state_since"] == case["received_on"] == received.isoformat()
    assert case["due_on"] == working_calendar().add_working_days(received, 2).isoformat()
    assert case["overdue"] is True
    assert "线下受理" in case["events"][0]["reason"]
