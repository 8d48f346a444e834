"""Checks (核查): by code and by name, receipts that verify, the batch form, feedback, and refusals."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update
from typer.testing import CliRunner

from factories import ingest, make_uscc, penalty_row, write_csv
from panshi.cli import app as cli
from panshi.core.db import unit_of_work
from panshi.sanctions.models import Check
from sanctions.helpers import (
    TAX,
    TAX_USCC,
    auth,
    check_body,
    company,
    count_checks,
    entry_row,
    load_rows,
    person_entry_row,
    today,
)


def _listed(tmp_path: Path) -> None:
    """Company 1: 失信被执行人 and 重大税收违法; company 2: A级纳税人 only; company 3: no list, one penalty."""
    tax = {
        "认定单位": TAX,
        "认定单位统一社会信用代码": TAX_USCC,
        "认定依据": "《重大税收违法失信主体信息公布管理办法》",
    }
    rows = [entry_row(1), entry_row(1, "major_tax_violation", **tax), entry_row(2, "A级纳税人", **tax)]
    assert load_rows(tmp_path, rows).accepted == 3
    assert ingest(write_csv(tmp_path / "p.csv", [penalty_row(3)])).accepted == 1


def test_check_by_code_answers_lists_measures_and_a_receipt(world: dict[str, Any], tmp_path: Path) -> None:
    _listed(tmp_path)
    client, tokens = world["client"], world["tokens"]
    response = client.post("/api/v1/checks", json=check_body(company(1)[1]), headers=auth(tokens["finance"]))
    assert response.status_code == 201, response.text
    answer, receipt = response.json()["answer"], response.json()["receipt"]
    assert answer["subject"]["name"] == company(1)[0] and answer["resolution"]["by"] == "code"
    assert {h["list_type"] for h in answer["lists"]} == {"judgment_defaulter", "major_tax_violation"}
    assert answer["black_listed"] and not answer["red_listed"]
    assert [m["code"] for m in answer["measures"]] == ["P01"]
    assert set(answer["measures"][0]["because_of"]) == {"judgment_defaulter", "major_tax_violation"}
    assert answer["caller"]["department_name"] == "磐石市财政局"
    assert receipt["check_id"] == answer["check_id"] and receipt["data_version"].startswith("records:")

    # The receipt verifies later, for the calling department and operators only.
    stored = client.get(f"/api/v1/checks/{receipt['check_id']}", params={"answer_sha256": receipt["answer_sha256"]},
                        headers=auth(tokens["finance"])).json()  # fmt: skip
    assert stored["verification"]["verified"] and stored["verification"]["caller_hash_matches"]
    assert stored["answer"] == answer and stored["receipt"]["signature"] == receipt["signature"]
    assert client.get(f"/api/v1/checks/{receipt['check_id']}", headers=auth(tokens["tax"])).status_code == 404
    assert (
        client.get(f"/api/v1/checks/{receipt['check_id']}", headers=auth(tokens["operator"])).status_code
        == 200
    )
    wrong = client.get(f"/api/v1/checks/{receipt['check_id']}", params={"answer_sha256": "0" * 64},
                       headers=auth(tokens["finance"])).json()  # fmt: skip
    assert wrong["verification"]["caller_hash_matches"] is False and not wrong["verification"]["verified"]

    clean = client.post(
        "/api/v1/checks", json=check_body(company(3)[1], "招标投标"), headers=auth(tokens["tax"])
    )
    assert (
        clean.status_code == 201
        and clean.json()["answer"]["lists"] == []
        and clean.json()["answer"]["measures"] == []
    )
    assert clean.json()["answer"]["scenario"] == {"code": "bidding", "name": "招标投标"}


def test_tampered_answer_fails_verification(world: dict[str, Any], tmp_path: Path) -> None:
    _listed(tmp_path)
    client, tokens = world["client"], world["tokens"]
    receipt = client.post(
        "/api/v1/checks", json=check_body(company(1)[1]), headers=auth(tokens["finance"])
    ).json()["receipt"]
    with unit_of_work(write=True) as session:
        check = session.get(Check, receipt["check_id"])
        assert check is not None
        document = json.loads(check.answer)
        document["lists"], document["measures"], document["on_lists"] = [], [], False  # "was never listed"
        check.answer = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    verification = client.get(
        f"/api/v1/checks/{receipt['check_id']}", headers=auth(tokens["finance"])
    ).json()["verification"]
    assert not verification["answer_hash_matches"] and not verification["verified"]
    # Re-hashing the forged answer does not help: the receipt's signature covers the hash.
    with unit_of_work(write=True) as session:
        check = session.get(Check, receipt["check_id"])
        assert check is not None
        import hashlib

        session.execute(update(Check).where(Check.id == check.id)
                        .values(answer_sha256=hashlib.sha256(check.answer.encode()).hexdigest()))  # fmt: skip
    verification = client.get(
        f"/api/v1/checks/{receipt['check_id']}", headers=auth(tokens["finance"])
    ).json()["verification"]
    assert (
        verification["answer_hash_matches"]
        and not verification["signature_valid"]
        and not verification["verified"]
    )


def test_check_by_name_resolves_only_an_unambiguous_exact_name(world: dict[str, Any], tmp_path: Path) -> None:
    _listed(tmp_path)
    twin = penalty_row(9, **{"行政相对人名称": company(2)[0], "行政相对人代码_1(统一社会信用代码)": make_uscc(7777),
                             "行政处罚决定书文号": "磐市监处罚〔2025〕9999号"})  # same name, another company  # fmt: skip
    client, tokens = world["client"], world["tokens"]
    by_name = client.post("/api/v1/checks", json=check_body(company(1)[0]), headers=auth(tokens["finance"]))
    assert by_name.status_code == 201, by_name.text
    assert by_name.json()["answer"]["resolution"]["by"] == "name"
    assert by_name.json()["answer"]["subject"]["uscc"] == company(1)[1]

    partial = client.post("/api/v1/checks", json=check_body("测试1号商贸"), headers=auth(tokens["finance"]))
    assert partial.status_code == 409 and partial.json()["error"] == "ambiguous_subject"
    candidates = partial.json()["candidates"]
    assert candidates[0]["name"] == company(1)[0] and candidates[0]["why"] and candidates[0]["score"] > 0

    ingest(write_csv(tmp_path / "twin.csv", [twin]))
    twins = client.post("/api/v1/checks", json=check_body(company(2)[0]), headers=auth(tokens["finance"]))
    assert twins.status_code == 409 and "有 2 个信用主体名称都是" in twins.json()["message"]
    assert {c["uscc"] for c in twins.json()["candidates"]} == {company(2)[1], make_uscc(7777)}

    nothing = client.post(
        "/api/v1/checks", json=check_body("长白山不存在实业有限公司"), headers=auth(tokens["finance"])
    )
    assert nothing.status_code == 404 and nothing.json()["error"] == "subject_not_found"
    assert count_checks() == 1  # only the resolved check is logged


def test_bad_requests_are_refused_and_leave_no_trace(world: dict[str, Any], tmp_path: Path) -> None:
    _listed(tmp_path)
    client, token = world["client"], world["tokens"]["finance"]
    uscc = company(1)[1]
    bad_digit = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    cases = [
        (check_body(uscc, "party"), 422, "unknown_scenario", "政府采购"),
        (check_body(bad_digit), 422, "bad_subject_code", "校验"),
        (check_body(make_uscc(424242)), 404, "subject_not_found", make_uscc(424242)),
        (check_body(uscc, purpose="  x "), 422, "bad_purpose", "核查事由"),
    ]
    for body, status, code, words in cases:
        response = client.post("/api/v1/checks", json=body, headers=auth(token))
        assert (response.status_code, response.json()["error"]) == (status, code), response.text
        assert words in response.json()["message"]
    assert client.post("/api/v1/checks", json={"subject": uscc}, headers=auth(token)).status_code == 422
    assert count_checks() == 0


def test_person_checked_by_id_number_is_masked_in_the_answer(world: dict[str, Any], tmp_path: Path) -> None:
    row = person_entry_row(5)
    load_rows(tmp_path, [row])
    response = world["client"].post("/api/v1/checks", json=check_body(row["证件号码"], "高消费及出行"),
                                    headers=auth(world["tokens"]["court"]))  # fmt: skip
    answer = response.json()["answer"]
    assert response.status_code == 201 and [m["code"] for m in answer["measures"]] == ["P09"]
    assert "*" in answer["subject"]["id_number"] and row["证件号码"] not in response.text


def test_incentives_are_withheld_while_on_a_black_list(world: dict[str, Any], tmp_path: Path) -> None:
    tax = {"认定单位": TAX, "认定单位统一社会信用代码": TAX_USCC}
    load_rows(
        tmp_path, [entry_row(1, "tax_grade_a", **tax), entry_row(2, "tax_grade_a", **tax), entry_row(2)]
    )
    client, token = world["client"], world["tokens"]["finance"]
    red = client.post(
        "/api/v1/checks", json=check_body(company(1)[1], "行政许可"), headers=auth(token)
    ).json()["answer"]
    assert (
        [m["code"] for m in red["measures"]] == ["R01"] and red["red_listed"] and not red["withheld_measures"]
    )
    both = client.post(
        "/api/v1/checks", json=check_body(company(2)[1], "行政许可"), headers=auth(token)
    ).json()["answer"]
    assert [m["code"] for m in both["measures"]] == ["P03"]
    assert [w["code"] for w in both["withheld_measures"]] == ["R01"] and "失信被执行人" in both[
        "withheld_measures"
    ][0]["why"]


def test_a_list_change_is_seen_by_the_next_check(world: dict[str, Any], tmp_path: Path) -> None:
    _listed(tmp_path)
    client, tokens = world["client"], world["tokens"]
    first = client.post(
        "/api/v1/checks", json=check_body(company(1)[1]), headers=auth(tokens["finance"])
    ).json()
    for hit in first["answer"]["lists"]:
        removed = client.post(f"/api/v1/lists/entries/{hit['record_id']}/remove", json={"reason": "已履行义务"},
                              headers=auth(tokens["operator"]))  # fmt: skip
        assert removed.status_code == 200
    second = client.post(
        "/api/v1/checks", json=check_body(company(1)[1]), headers=auth(tokens["finance"])
    ).json()
    assert second["answer"]["lists"] == [] and second["answer"]["measures"] == []
    assert int(second["receipt"]["data_version"].split(":")[1]) > int(
        first["receipt"]["data_version"].split(":")[1]
    )
    load_rows(tmp_path, [entry_row(3, **{"列入日期": today().isoformat()})], name="new.csv")
    third = client.post(
        "/api/v1/checks", json=check_body(company(3)[1]), headers=auth(tokens["finance"])
    ).json()
    assert [h["list_type"] for h in third["answer"]["lists"]] == ["judgment_defaulter"]


def test_batch_checks_each_subject_and_refuses_more_than_a_thousand(
    world: dict[str, Any], tmp_path: Path
) -> None:
    _listed(tmp_path)
    client, token = world["client"], world["tokens"]["finance"]
    body = {"subjects": [company(1)[1], company(3)[1], "x" * 3 + "不存在的公司", company(2)[0]],
            "scenario": "政府采购", "purpose": "供应商资格批量审查", "case_reference": "CG-2026-08"}  # fmt: skip
    response = client.post("/api/v1/checks/batch", json=body, headers=auth(token))
    assert response.status_code == 200, response.text
    out = response.json()
    assert (out["received"], out["checked"], out["on_lists"], out["failed"]) == (4, 3, 2, 1)
    assert out["items"][2]["error"] == "subject_not_found" and out["items"][2]["check"] is None
    assert out["items"][0]["check"]["answer"]["lists"] and out["items"][1]["check"]["answer"]["lists"] == []
    assert count_checks() == 3

    too_many = client.post(
        "/api/v1/checks/batch", json=body | {"subjects": [company(1)[1]] * 1001}, headers=auth(token)
    )
    assert too_many.status_code == 422 and too_many.json()["error"] == "batch_too_large"
    assert "最多 1000 个" in too_many.json()["message"] and "1001" in too_many.json()["message"]
    exactly = client.post(
        "/api/v1/checks/batch", json=body | {"subjects": [company(1)[1]] * 1000}, headers=auth(token)
    )
    assert exactly.status_code == 200 and exactly.json()["checked"] == 1000
    unknown = client.post("/api/v1/checks/batch", json=body | {"scenario": "赛马"}, headers=auth(token))
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_scenario"
    assert count_checks() == 1003


def test_feedback_once_per_check_by_the_calling_department(world: dict[str, Any], tmp_path: Path) -> None:
    _listed(tmp_path)
    client, tokens = world["client"], world["tokens"]
    check_id = client.post("/api/v1/checks", json=check_body(company(1)[1]),
                           headers=auth(tokens["finance"])).json()["answer"]["check_id"]  # fmt: skip
    url = f"/api/v1/checks/{check_id}/feedback"
    body = {"measures_applied": ["P01"], "outcome": "applied", "note": "取消其本项目投标资格"}
    assert client.post(url, json=body, headers=auth(tokens["tax"])).status_code == 403  # another department
    bad = client.post(url, json=body | {"measures_applied": ["P09"]}, headers=auth(tokens["finance"]))
    assert bad.status_code == 422 and "P09" in bad.json()["message"]
    first = client.post(url, json=body, headers=auth(tokens["finance"]))
    assert first.status_code == 201 and first.json()["created"] is True
    repeat = client.post(url, json=body, headers=auth(tokens["finance"]))
    assert (
        repeat.status_code == 200
        and repeat.json()["created"] is False
        and repeat.json()["at"] == first.json()["at"]
    )
    different = client.post(url, json=body | {"outcome": "not_applied", "measures_applied": []},
                            headers=auth(tokens["finance"]))  # fmt: skip
    assert different.status_code == 409 and different.json()["error"] == "feedback_conflict"
    assert (
        client.post("/api/v1/checks/nope/feedback", json=body, headers=auth(tokens["finance"])).status_code
        == 404
    )
    record = client.get(f"/api/v1/checks/{check_id}", headers=auth(tokens["finance"])).json()
    assert record["feedback"]["measures_applied"] == ["P01"] and record["verification"]["verified"]

    # Statistics by measure, department and month; checks without feedback.
    other = client.post("/api/v1/checks", json=check_body(company(1)[1]), headers=auth(tokens["tax"])).json()
    stats = client.get("/api/v1/checks/stats", headers=auth(tokens["operator"])).json()
    p01 = next(m for m in stats["by_measure"] if m["code"] == "P01")
    assert (p01["returned"], p01["applied"]) == (2, 1)
    finance = next(d for d in stats["by_department"] if d["key"] == "磐石市财政局")
    assert (finance["checks"], finance["with_feedback"], finance["measures_applied"]) == (1, 1, 1)
    assert sum(m["checks"] for m in stats["by_month"]) == 2
    pending = client.get("/api/v1/checks/pending-feedback", headers=auth(tokens["operator"])).json()
    assert [c["check_id"] for c in pending["items"]] == [other["answer"]["check_id"]]
    for path in (
        "/console/sanctions",
        "/console/sanctions/stats",
        "/console/sanctions/pending",
        f"/console/sanctions/checks/{check_id}",
        "/console/sanctions/entries",
        "/console/sanctions/catalog",
    ):
        page = client.get(path, headers=auth(tokens["operator"]))
        assert page.status_code == 200 and "联合奖惩" in page.text, path  # fmt: skip
    assert (
        "取消评优评先资格" in client.get("/console/sanctions/catalog", headers=auth(tokens["operator"])).text
    )


def test_callers_without_a_token_or_of_the_wrong_role_are_refused(
    world: dict[str, Any], tmp_path: Path
) -> None:
    _listed(tmp_path)
    client, tokens = world["client"], world["tokens"]
    body = check_body(company(1)[1])
    assert client.post("/api/v1/checks", json=body).status_code == 401
    assert client.post("/api/v1/checks", json=body, headers=auth("ps_not-a-token")).status_code == 401
    assert client.post("/api/v1/checks", json=body, headers=auth(tokens["subject"])).status_code == 403
    assert client.post("/api/v1/checks/batch", json={**body, "subjects": [company(1)[1]]}).status_code == 401
    for path in ("/api/v1/checks/stats", "/api/v1/checks/pending-feedback", "/api/v1/lists/entries"):
        assert client.get(path, headers=auth(tokens["finance"])).status_code == 403
        assert client.get(path).status_code == 401
    assert client.get("/console/sanctions/entries", headers=auth(tokens["court"])).status_code == 403
    assert count_checks() == 0


def test_console_extends_and_removes_with_a_form(world: dict[str, Any], tmp_path: Path) -> None:
    load_rows(tmp_path, [entry_row(1)])
    client, operator = world["client"], auth(world["tokens"]["operator"])
    listed = client.get("/api/v1/lists/entries", headers=operator).json()["items"][0]
    page = client.get(f"/console/sanctions/entries/{listed['record_id']}", headers=operator)
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    later = (today() + timedelta(days=1000)).isoformat()
    done = client.post(f"/console/sanctions/entries/{listed['record_id']}/extend", headers=operator,
                       data={"end_date": later, "reason": "延长一年"}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and "done=extended" in done.headers["location"]
    refused = client.post(f"/console/sanctions/entries/{listed['record_id']}/remove", headers=operator,
                          data={"reason": "x"}, follow_redirects=False)  # fmt: skip
    assert refused.status_code == 303 and "error=" in refused.headers["location"]
    client.post(f"/console/sanctions/entries/{listed['record_id']}/remove", headers=operator,
                data={"reason": "认定单位撤销认定"})  # fmt: skip
    after = client.get(f"/console/sanctions/entries/{listed['record_id']}", headers=operator).text
    assert "已移出" in after and "认定单位撤销认定" in after and "延长一年" in after


def test_cli_check_and_catalogs(world: dict[str, Any], tmp_path: Path) -> None:
    _listed(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["check", company(1)[1], "--scenario", "政府采购", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["answer"]["measures"][0]["code"] == "P01" and out["answer"]["caller"]["role"] == "operator"
    table = runner.invoke(cli, ["check", company(1)[1], "--scenario", "government_procurement"])
    assert table.exit_code == 0 and "P01" in table.output and "回执" in table.output
    refused = runner.invoke(cli, ["check", company(1)[1], "--scenario", "horse racing"])
    assert refused.exit_code == 1
    types = runner.invoke(cli, ["lists", "types", "--json"])
    assert types.exit_code == 0 and "judgment_defaulter" in {t["code"] for t in json.loads(types.output)}
    measures = runner.invoke(cli, ["lists", "measures", "--scenario", "高消费及出行", "--json"])
    assert [m["code"] for m in json.loads(measures.output)] == ["P09"]
    assert count_checks() == 2


def test_a_check_answers_with_the_subjects_current_grade(world: dict[str, Any], tmp_path: Path) -> None:
    _listed(tmp_path)
    client, tokens = world["client"], world["tokens"]
    ungraded = client.post("/api/v1/checks", json=check_body(company(1)[1]), headers=auth(tokens["finance"]))
    assert ungraded.json()["answer"]["grade"] is None  # not evaluated yet: said, not guessed

    from panshi.evaluation.runs import run

    run(actor="test")
    graded = client.post("/api/v1/checks", json=check_body(company(1)[1]), headers=auth(tokens["finance"]))
    clean = client.post("/api/v1/checks", json=check_body(company(2)[1]), headers=auth(tokens["finance"]))
    black, red = graded.json()["answer"]["grade"], clean.json()["answer"]["grade"]
    assert black["model"].startswith("enterprise-") and black["grade"] in "ABCD"
    assert black["grade"] > red["grade"]  # on two black lists: a worse letter than an A级纳税人
    receipt = graded.json()["receipt"]
    stored = client.get(f"/api/v1/checks/{receipt['check_id']}", params={"answer_sha256": receipt["answer_sha256"]},
                        headers=auth(tokens["finance"])).json()  # fmt: skip
    assert stored["verification"]["verified"] and stored["answer"]["grade"] == black  # the hash covers it


def test_a_subject_sees_which_systems_checked_it(world: dict[str, Any], tmp_path: Path) -> None:
    """Checks are in the subject's own view (被核查记录), like reads of its file; nobody else's."""
    _listed(tmp_path)
    client, tokens = world["client"], world["tokens"]
    for code in (company(1)[1], company(2)[1]):
        assert (
            client.post("/api/v1/checks", json=check_body(code), headers=auth(tokens["finance"])).status_code
            == 201
        )
    mine = client.get("/api/v1/me/checks", headers=auth(tokens["subject"]))
    assert mine.status_code == 200, mine.text
    page = mine.json()
    assert page["total"] == 1
    assert page["items"][0]["department_name"] == "磐石市财政局"
    assert page["items"][0]["purpose"] == "政府采购供应商资格审查"
    assert page["items"][0]["scenario_name"] == "政府采购"
    assert client.get("/api/v1/me/checks", headers=auth(tokens["finance"])).status_code == 403
