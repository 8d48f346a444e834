"""List entries: through the same ingest as records (file and API, row-level errors), in force to the day,
extended and removed early with history, and the public lists."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from factories import write_csv
from panshi.core.db import unit_of_work
from panshi.core.timeutil import add_months
from panshi.sanctions import entries
from panshi.sanctions.catalog import load
from sanctions.helpers import (
    COURT_USCC,
    TAX,
    TAX_USCC,
    auth,
    company,
    entry_row,
    load_rows,
    person_entry_row,
    today,
)


def _in_force(n: int) -> list[str]:
    from panshi.subjects.service import find_subject

    with unit_of_work() as session:
        subject = find_subject(session, company(n)[1])
        found, _version = entries.entries_in_force(session, [subject.id], on=today(), catalog=load())
    return [e.list_type.code for e in found.get(subject.id, [])]


def test_bad_rows_come_back_with_row_field_and_reason(engine: Engine, tmp_path: Path) -> None:
    rows = [
        entry_row(1),
        entry_row(2, **{"名单类型": "黑名单"}),  # not a list type
        entry_row(3, **{"移出日期": (today() - timedelta(days=31)).isoformat()}),  # ends before it starts
        entry_row(4, **{"认定依据": ""}),
        entry_row(5, **{"列入日期": (today() + timedelta(days=1)).isoformat()}),
        entry_row(
            6, **{"名单类型": "重大税收违法失信主体", "认定单位": TAX, "认定单位统一社会信用代码": TAX_USCC}
        ),
    ]
    result = load_rows(tmp_path, rows)
    assert (result.received, result.accepted, result.rejected) == (6, 2, 4)
    errors = {(e.row, e.field, e.code) for e in result.errors}
    assert errors == {(2, "list_type", "unknown_value"), (3, "end_date", "date_order"),
                      (4, "basis", "missing_required"), (5, "start_date", "future_date")}  # fmt: skip
    assert "失信被执行人" in next(
        e.message for e in result.errors if e.row == 2
    )  # the allowed values are named
    assert _in_force(1) == ["judgment_defaulter"] and _in_force(6) == ["major_tax_violation"]


def test_department_submits_entries_over_the_api(world: dict[str, Any], tmp_path: Path) -> None:
    client, tokens = world["client"], world["tokens"]
    path = write_csv(
        tmp_path / "e.csv", [entry_row(1), entry_row(2, **{"数据来源单位统一社会信用代码": TAX_USCC})]
    )
    with path.open("rb") as fh:
        response = client.post("/api/v1/batches", data={"type": "list_entry"}, files={"file": ("e.csv", fh)},
                               headers=auth(tokens["court"]))  # fmt: skip
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["errors"][0]["code"] == "not_own_department"


def test_in_force_from_start_to_end_both_inclusive(engine: Engine, tmp_path: Path) -> None:
    duration = load().list_types["judgment_defaulter"].duration_months
    first_day_out = add_months(today(), -duration)  # its default end was yesterday
    rows = [
        entry_row(1, **{"移出日期": today().isoformat()}),  # last day today: in force
        entry_row(2, **{"移出日期": (today() - timedelta(days=1)).isoformat(), "列入日期": (today() - timedelta(days=40)).isoformat()}),
        entry_row(3, **{"列入日期": first_day_out.isoformat()}),  # default end yesterday: out
        entry_row(4, **{"列入日期": (first_day_out + timedelta(days=1)).isoformat()}),  # default end today: in
        entry_row(5, **{"列入日期": today().isoformat()}),  # starts today: in
    ]  # fmt: skip
    assert load_rows(tmp_path, rows).accepted == 5
    assert [bool(_in_force(n)) for n in range(1, 6)] == [True, False, False, True, True]
    with unit_of_work() as session:
        page = entries.entries_page(session, state="active")
    assert sorted(e.subject_name for e in page.items) == sorted(company(n)[0] for n in (1, 4, 5))
    assert next(e for e in page.items if e.subject_name == company(4)[0]).end_date == today()


def test_extend_and_remove_early_are_history(world: dict[str, Any], tmp_path: Path) -> None:
    client, tokens = world["client"], world["tokens"]
    load_rows(tmp_path, [entry_row(1), entry_row(2)])
    listed = client.get("/api/v1/lists/entries", headers=auth(tokens["operator"])).json()["items"]
    first = next(e for e in listed if e["subject_name"] == company(1)[0])
    later = (today() + timedelta(days=800)).isoformat()
    extended = client.post(f"/api/v1/lists/entries/{first['record_id']}/extend", headers=auth(tokens["operator"]),
                           json={"end_date": later, "reason": "被执行人以暴力方法抗拒执行，延长一年"})  # fmt: skip
    assert extended.status_code == 200, extended.text
    assert extended.json()["end_date"] == later and extended.json()["end_by_default"] is False
    earlier = client.post(f"/api/v1/lists/entries/{first['record_id']}/extend", headers=auth(tokens["operator"]),
                          json={"end_date": today().isoformat(), "reason": "缩短"})  # fmt: skip
    assert earlier.status_code == 422 and "提前移出" in earlier.json()["message"]
    removed = client.post(f"/api/v1/lists/entries/{first['record_id']}/remove", headers=auth(tokens["operator"]),
                          json={"reason": "已履行全部义务，法院决定删除失信信息"})  # fmt: skip
    assert (
        removed.json()["status"] == "removed"
        and _in_force(1) == []
        and _in_force(2) == ["judgment_defaulter"]
    )
    again = client.post(f"/api/v1/lists/entries/{first['record_id']}/remove", headers=auth(tokens["operator"]),
                        json={"reason": "再次移出"})  # fmt: skip
    assert again.status_code == 409
    history = client.get(
        f"/api/v1/lists/entries/{first['record_id']}/history", headers=auth(tokens["operator"])
    ).json()
    assert [(h["version"], h["event"]) for h in history] == [(1, "created"), (2, "amended"), (3, "amended")]
    assert history[2]["reason"] == "已履行全部义务，法院决定删除失信信息" and history[2]["actor"].startswith(
        "token:"
    )
    state = client.get("/api/v1/lists/entries?state=removed", headers=auth(tokens["operator"])).json()
    assert [e["record_id"] for e in state["items"]] == [first["record_id"]]
    # The department sending the same row again changes nothing: the removal stands.
    assert load_rows(tmp_path, [entry_row(1)], name="again.csv").unchanged == 1 and _in_force(1) == []
    for who in ("court", "finance"):
        refused = client.post(f"/api/v1/lists/entries/{first['record_id']}/remove", headers=auth(tokens[who]),
                              json={"reason": "无权操作"})  # fmt: skip
        assert refused.status_code == 403


def test_public_lists_follow_the_list_rules(world: dict[str, Any], tmp_path: Path) -> None:
    client = world["client"]
    minor_birth = (today() - timedelta(days=365 * 16)).strftime("%Y%m%d")
    rows = [
        entry_row(1),
        entry_row(2, "watch_list", **{"认定单位": "磐石市发展和改革局"}),  # not a public list
        person_entry_row(3),
        person_entry_row(4, birth=minor_birth),  # a minor's entry is never public
        entry_row(5, **{"移出日期": (today() - timedelta(days=1)).isoformat()}),  # ended
    ]
    assert load_rows(tmp_path, rows).accepted == 5
    page = client.get("/api/v1/lists").json()
    shown = {(i["list_type"], i["subject_name"]) for i in page["items"]}
    assert shown == {("judgment_defaulter", company(1)[0]), ("judgment_defaulter", "李*")}
    person = next(i for i in page["items"] if i["subject_name"] == "李*")
    assert "*" in person["id_number"] and person["id_number"][:4] == "2202"
    assert "watch_list" not in {t["code"] for t in page["list_types"]}
    assert client.get("/api/v1/lists?type=watch_list").status_code == 404
    assert client.get("/api/v1/lists", params={"q": company(1)[1]}).json()["total"] == 1
    assert client.get("/api/v1/lists", params={"q": "测试1号"}).json()["total"] == 1
    html = client.get("/lists")
    assert html.status_code == 200 and company(1)[0] in html.text and "李*" in html.text
    assert company(2)[0] not in html.text and "李四" not in html.text


def test_entry_from_an_unrecognised_authority_is_flagged(engine: Engine, tmp_path: Path) -> None:
    load_rows(tmp_path, [entry_row(1, **{"认定单位": "磐石市交通运输局"})])
    with unit_of_work() as session:
        item = entries.entries_page(session).items[0]
    assert item.authority_recognised is False and _in_force(1) == ["judgment_defaulter"]
    assert COURT_USCC != TAX_USCC
