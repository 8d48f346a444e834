"""A credit file a page at a time: visibility decides which records there are, then pages cut them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from factories import (
    DEPT_NAME,
    DEPT_USCC,
    OPERATOR_USER,
    OTHER_DEPT_USCC,
    ingest,
    make_uscc,
    penalty_row,
    write_csv,
)
from panshi.access import service as access
from panshi.access.schemas import CreditFileView
from panshi.accounts import service as accounts
from panshi.accounts.schemas import PUBLIC, Principal, Role
from panshi.audit.models import QueryLogEntry
from panshi.core.db import unit_of_work

USCC = make_uscc(1001)
ENDED = {"处罚决定日期": "2022-01-{day:02d}", "处罚有效期": "2022-06-01", "公示截止期": "2023-01-10"}


@pytest.fixture
def file_of_seven(engine: Engine, tmp_path: Path) -> dict[str, int]:
    """One enterprise with seven penalties n = 1…7 from departments A A A A B B A; the odd ones in
    publicity (decided in 2025, newest first), the even ones ended (decided in 2022); ids by name."""
    with unit_of_work(write=True) as session:
        a, _ = accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        b, _ = accounts.add_department(session, name="磐石市税务局", uscc=OTHER_DEPT_USCC)
        ids = {"a": a.id, "b": b.id}
    rows = []
    for n, (public, department) in enumerate(
        [(True, "a"), (False, "a"), (True, "a"), (False, "a"), (True, "b"), (False, "b"), (True, "a")],
        start=1,
    ):
        row = penalty_row(
            n, **{"行政相对人代码_1(统一社会信用代码)": USCC, "处罚决定日期": f"2025-06-{30 - n:02d}"}
        )
        if not public:
            row |= {k: v.format(day=30 - n) for k, v in ENDED.items()}
        if department == "b":
            row["数据来源单位统一社会信用代码"] = OTHER_DEPT_USCC
        rows.append(row)
    ingest(write_csv(tmp_path / "p.csv", rows))
    return ids


def _numbers(view: CreditFileView) -> list[int]:
    """The penalties of a view by their row number n (decision number 磐市监处罚〔2025〕n号)."""
    return [int(str(r.value("decision_number")).split("〕")[1].rstrip("号")) for r in view.records]


def _pages(who: Principal, size: int, purpose: str | None = None) -> list[CreditFileView]:
    pages, page = [], 1
    while True:
        with unit_of_work(write=True) as session:
            view = access.credit_file(
                session, who=who, code=USCC, purpose=purpose, pages=access.RecordPages(size=size, page=page)
            )
        pages.append(view)
        if not view.records:
            return pages
        page += 1


def test_public_pages_hold_only_public_records_and_count_them(file_of_seven: dict[str, int]) -> None:
    pages = _pages(PUBLIC, 2)
    assert [_numbers(p) for p in pages] == [[1, 3], [5, 7], []]
    assert {p.records_total for p in pages} == {4}
    assert {p.records_page_size for p in pages} == {2}
    assert [p.records_page for p in pages] == [1, 2, 3]
    assert pages[0].counts == {"行政处罚": 4} and pages[0].counts_by_type == {"admin_penalty": 4}


def test_staff_pages_hold_what_their_grant_admits(file_of_seven: dict[str, int]) -> None:
    everything = _pages(OPERATOR_USER, 3, purpose="核对")
    assert [_numbers(p) for p in everything] == [[1, 3, 5], [7, 2, 4], [6], []]
    assert everything[0].records_total == 7
    # Department A with a purpose: all of its own records, and B's only while in publicity.
    department = Principal(role=Role.department, actor="user:dept-a", department_id=file_of_seven["a"])
    mine = _pages(department, 4, purpose="核对")
    assert [_numbers(p) for p in mine] == [[1, 3, 5, 7], [2, 4], []]
    assert mine[0].records_total == 6
    # Without a purpose, staff get the public view.
    assert [_numbers(p) for p in _pages(department, 10)] == [[1, 3, 5, 7], []]


def test_the_query_log_records_the_page_returned(file_of_seven: dict[str, int]) -> None:
    with unit_of_work(write=True) as session:
        view = access.credit_file(
            session, who=OPERATOR_USER, code=USCC, purpose="核对", pages=access.RecordPages(size=3, page=2)
        )
    with unit_of_work() as session:
        entry = session.scalars(select(QueryLogEntry)).one()
    assert entry.returned["records"] == [r.id for r in view.records]
    assert len(entry.returned["records"]) == 3
    assert (entry.returned["page"], entry.returned["page_size"], entry.returned["records_total"]) == (2, 3, 7)


def test_pages_by_record_type_and_the_whole_file(file_of_seven: dict[str, int]) -> None:
    with unit_of_work(write=True) as session:
        second = access.credit_file(
            session, who=PUBLIC, code=USCC, pages=access.RecordPages(size=3, by_type={"admin_penalty": 2})
        )
        whole = access.credit_file(session, who=PUBLIC, code=USCC)
    assert _numbers(second) == [7] and second.records_total == 4
    assert _numbers(whole) == [1, 3, 5, 7] and whole.records_page_size is None
