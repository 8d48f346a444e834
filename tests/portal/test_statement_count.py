"""Round trips of a credit file page: the SQL statements one subject page costs, on both engines.

A guard, not a benchmark: the subject page (HTML and JSON) was eight and six statements; it is now
three and two — the subject with its other codes, the page of records with their counts by type,
open objections and departments, and (HTML) the grade. A change that adds one fails here: fold it
into one of these, or raise the count here with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import (
    OTHER_DEPT_USCC,
    ingest,
    make_resident_id,
    make_uscc,
    penalty_row,
    person_penalty_row,
    write_csv,
)
from panshi.accounts import service as accounts
from panshi.core import db as core_db
from panshi.core.db import unit_of_work
from panshi.evaluation.service import evaluate_subject
from panshi.identifiers import reg_no_check_digit
from panshi.subjects.service import find_subject
from portal.conftest import OTHER_DEPT_NAME
from portal.rows import license_row
from sql_log import TRANSACTION, statements

USCC = make_uscc(1001)  # the subject of penalty_row(n) and license_row(1)
OLD_CODE = "22028400000100" + reg_no_check_digit("22028400000100")  # its registration number (工商注册号)

# Statements per request, at most. The anonymous public's pages open no session of the caller.
PUBLIC_HTML = 3  # subject + codes; records + counts + objections + departments; grade
PUBLIC_JSON = 2  # subject + codes; records + counts + objections + departments
# An operator's full view by API token: the token; subject + codes; records…; provenance (departments,
# batches, history of the records shown); the query log entry.
FULL_JSON = 7


@pytest.fixture
def file(client: TestClient, tmp_path: Path) -> TestClient:
    """An enterprise with 25 penalties from two departments, a license naming its old code, a grade;
    and a person with a penalty."""
    tax = {"数据来源单位": OTHER_DEPT_NAME, "数据来源单位统一社会信用代码": OTHER_DEPT_USCC}
    rows = [
        penalty_row(n, **{"行政相对人代码_1(统一社会信用代码)": USCC, "行政相对人代码_2(工商注册号)": OLD_CODE,
                          "处罚决定日期": f"2025-0{1 + n // 10}-{1 + n % 10:02d}", **(tax if n % 2 else {})})
        for n in range(1, 26)
    ]  # fmt: skip
    ingest(write_csv(tmp_path / "p.csv", rows))
    ingest(write_csv(tmp_path / "l.csv", [license_row(1)]), "admin_license")
    ingest(write_csv(tmp_path / "person.csv", [person_penalty_row(1)]))
    with unit_of_work(write=True) as session:
        evaluate_subject(session, code=USCC)
    return client


def _get(client: TestClient, path: str, **headers: str) -> tuple[Any, list[str]]:
    client.get(path, headers=headers)  # warm: first-use work of the process is not the page's
    with statements(core_db.get_engine(), ignore=TRANSACTION) as seen:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text[:300]
    return response, seen


def _within(seen: list[str], limit: int) -> None:
    assert len(seen) <= limit, f"{len(seen)} statements, at most {limit}:\n" + "\n".join(seen)


def test_a_public_subject_page_takes_three_statements(file: TestClient) -> None:
    response, seen = _get(file, f"/subjects/{USCC}")
    _within(seen, PUBLIC_HTML)
    html = response.text
    assert "行政处罚（25）" in html and "共 25 条，第 1 / 2 页" in html and "行政许可（1）" in html
    assert OLD_CODE in html  # the other codes came with the subject
    assert OTHER_DEPT_NAME in html and "磐石市市场监督管理局" in html  # departments came with the records
    assert 'id="grade"' in html

    second, seen = _get(file, f"/subjects/{USCC}?admin_penalty_page=2&admin_license_page=9")
    _within(seen, PUBLIC_HTML)
    assert "第 2 / 2 页" in second.text and "行政许可（1）" in second.text  # counted with no license shown


def test_a_subject_found_by_an_old_code_or_a_person_by_opaque_id_costs_no_more(file: TestClient) -> None:
    response, seen = _get(file, f"/subjects/{OLD_CODE}")
    _within(seen, PUBLIC_HTML)
    assert USCC in response.text
    with unit_of_work() as session:
        person = find_subject(session, make_resident_id(1)).public_id
    response, seen = _get(file, f"/subjects/{person}")
    _within(seen, PUBLIC_HTML)
    assert make_resident_id(1) not in response.text


def test_the_json_file_takes_two_statements_and_counts_every_page(file: TestClient) -> None:
    response, seen = _get(file, f"/api/v1/subjects/{USCC}?records_page=3&records_page_size=10")
    _within(seen, PUBLIC_JSON)
    body = response.json()
    assert body["counts_by_type"] == {"admin_license": 1, "admin_penalty": 25}
    assert body["records_total"] == 26 and len(body["records"]) == 6
    assert body["subject"]["other_codes"]["reg_no"] == OLD_CODE


def test_a_full_view_stays_within_its_count(file: TestClient) -> None:
    with unit_of_work(write=True) as session:
        token = accounts.issue_token(session, role="operator", label="statements")
    response, seen = _get(
        file,
        f"/api/v1/subjects/{USCC}?purpose=核对信息&records_page_size=30",
        Authorization=f"Bearer {token}",
    )
    _within(seen, FULL_JSON)
    body = response.json()
    assert body["logged"] and body["records_total"] == 26
    assert all(r["provenance"] is not None for r in body["records"])
