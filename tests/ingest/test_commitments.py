"""信用承诺 (credit_commitment) files: windows by 公开类型, who sees what, row errors, 履行状态 updates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from evaluation.helpers import add_departments, commitment, company
from factories import DEPT_NAME, DEPT_USCC, ingest, make_resident_id, write_csv
from panshi.accounts import service as accounts
from panshi.accounts.models import Department
from panshi.api.app import create_app
from panshi.core.db import unit_of_work
from panshi.demo.commitment_rows import COMMITMENT_HEADERS
from panshi.records.models import Record, RecordHistory

NAME, USCC = company(1)
MADE, VALID = "2026-03-02", "2027-03-01"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _code(number: int, made: str = MADE) -> str:
    """承诺编码 of commitment(1, number, made=made)."""
    return commitment(1, number, made=made)["承诺编码"]


def _records() -> dict[str, Record]:
    with unit_of_work() as session:
        records = session.scalars(select(Record).where(Record.record_type == "credit_commitment")).all()
        session.expunge_all()
    return {r.data["commitment_code"]: r for r in records}


def test_a_public_commitment_is_dated_and_public_while_it_is_valid(engine: Engine, tmp_path: Path) -> None:
    add_departments()
    rows = [
        commitment(1, 1, made=MADE, 承诺有效期=VALID),
        commitment(1, 2, made="2025-06-01", 承诺作出日期="2025/6/1"),  # 长期 (2099-12-31), a date so spelt
    ]
    result = ingest(write_csv(tmp_path / "c.csv", rows), "credit_commitment")
    assert (result.accepted, result.rejected) == (2, 0), result.errors
    records = _records()
    dated = records[_code(1)]
    assert dated.decision_date == date(2026, 3, 2)
    assert (dated.publicity_start, dated.publicity_end) == (date(2026, 3, 2), date(2027, 3, 1))
    long_term = records[_code(2, "2025-06-01")]
    assert (long_term.publicity_start, long_term.publicity_end) == (date(2025, 6, 1), date(2099, 12, 31))
    with unit_of_work() as session:  # reported by the department that accepted it (承诺受理单位)
        department = session.get(Department, dated.department_id)
        assert department is not None and (department.name, department.uscc) == (DEPT_NAME, DEPT_USCC)


def test_only_commitments_open_to_the_public_are_shown_to_it(
    client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    add_departments()
    disclosures = {1: "可向社会公开", 2: "特定范围内公开", 3: "不可公开"}
    rows = [commitment(1, n, made=MADE, 承诺有效期=VALID, 公开类型=kind) for n, kind in disclosures.items()]
    assert ingest(write_csv(tmp_path / "c.csv", rows), "credit_commitment").accepted == 3
    records = _records()
    assert [records[_code(n)].publicity_start for n in disclosures] == [date(2026, 3, 2), None, None]

    with unit_of_work(write=True) as session:
        operator = accounts.issue_token(session, role="operator", label="test")
        subject = accounts.issue_token(session, role="subject", subject_code=USCC)
        stranger = accounts.issue_token(session, role="subject", subject_code=company(2)[1])

    def shown(headers: dict[str, str] | None = None, **params: str) -> set[str]:
        response = client.get(f"/api/v1/subjects/{USCC}", headers=headers or {}, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["subject"]["name"] == NAME
        return {
            next(f["value"] for f in r["fields"] if f["name"] == "commitment_code")
            for r in body["records"]
            if r["record_type"] == "credit_commitment"
        }

    everything = {_code(n) for n in disclosures}
    assert shown() == {_code(1)}  # anyone: the public credit file
    assert shown(_auth(operator)) == {_code(1)}  # an operator without a purpose reads the public view
    assert shown(_auth(operator), purpose="数据核对") == everything
    assert shown(_auth(subject)) == everything  # the subject itself
    assert shown(_auth(stranger)) == {_code(1)}  # another subject: the public view


def _assessed(number: int, fulfilment: str = "全部履行", **more: str) -> dict[str, str]:
    return commitment(1, number, made=MADE, fulfilment=fulfilment, assessed="2026-05-05", **more)


def test_each_defect_comes_back_with_its_row_field_and_reason(engine: Engine, tmp_path: Path) -> None:
    add_departments()
    person = commitment(1, 9, made=MADE, **{"承诺人名称": "张三", "承诺人类别": "自然人",
                                            "承诺人代码(统一社会信用代码)": "", "证件类型": "身份证"})  # fmt: skip
    rows = [
        commitment(1, 1, made=MADE),  # good
        commitment(1, 2, made=MADE, 承诺编码="2202842026030200002"),  # 19 digits
        commitment(1, 3, made=MADE, 承诺编码="22028420261302000003"),  # month 13
        commitment(1, 4, made=MADE, 承诺编码="磐承诺〔2026〕4号"),  # a document number
        commitment(1, 5, made=MADE, 承诺有效期="2026-03-01"),  # valid until the day before it was made
        _assessed(6, "全部未履行", 未履行的承诺内容=""),
        _assessed(7, "部分履行", 未履行的承诺内容=""),
        _assessed(8, 履行状态认定日期="", 认定单位="", 认定单位代码=""),  # assessed by no one, never
        _assessed(10, 履行状态认定日期="2026-03-01"),  # assessed before it was made
        person,  # a person without 证件号码
        {**person, "承诺编码": _code(11), "证件号码": make_resident_id(7)},  # good
    ]
    table = [{header: row.get(header, "") for header in COMMITMENT_HEADERS} for row in rows]
    result = ingest(write_csv(tmp_path / "c.csv", table), "credit_commitment")
    assert (result.received, result.accepted, result.rejected) == (11, 2, 9)
    found = {(e.row, e.field, e.code) for e in result.errors}
    assert found == {
        (2, "commitment_code", "bad_format"),
        (3, "commitment_code", "bad_format"),
        (4, "commitment_code", "bad_format"),
        (5, "valid_until", "date_order"),
        (6, "unfulfilled_content", "missing_required"),
        (7, "unfulfilled_content", "missing_required"),
        (8, "assessed_on", "missing_required"),
        (8, "assessor", "missing_required"),
        (8, "assessor_uscc", "missing_required"),
        (9, "assessed_on", "date_order"),
        (10, "id_number", "missing_required"),
    }
    message = next(e.message for e in result.errors if e.row == 4)
    assert "磐承诺〔2026〕4号" in message and "20 位数字" in message  # the value and the form expected


def test_a_later_fulfilment_is_a_new_version_of_the_same_commitment(engine: Engine, tmp_path: Path) -> None:
    add_departments()
    first = ingest(write_csv(tmp_path / "a.csv", [commitment(1, 1, made=MADE)]), "credit_commitment")
    breached = _assessed(
        1, "部分履行", 未履行的承诺内容="未补齐营业场所产权证明", 违诺责任追究内容="责令限期补正"
    )
    second = ingest(write_csv(tmp_path / "b.csv", [breached]), "credit_commitment")
    again = ingest(write_csv(tmp_path / "c.csv", [breached]), "credit_commitment")
    assert (second.accepted, second.updated, again.unchanged) == (0, 1, 1)
    (record,) = _records().values()
    assert record.version == 2 and record.data["fulfilment"] == "部分履行"
    assert record.data["assessed_on"] == "2026-05-05" and record.decision_date == date(2026, 3, 2)
    with unit_of_work() as session:
        history = session.scalars(select(RecordHistory).order_by(RecordHistory.version)).all()
        assert [(h.version, h.event, h.batch_id) for h in history] == [
            (1, "created", first.batch_id), (2, "updated", second.batch_id)]  # fmt: skip
        previous = history[1].previous_data
        assert previous is not None and previous.get("fulfilment") is None
