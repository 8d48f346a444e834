"""The access layer: who sees which records and fields, masking, publicity windows, the query log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from factories import (
    DEPT_NAME,
    DEPT_USCC,
    OPERATOR_USER,
    OTHER_DEPT_USCC,
    ingest,
    make_resident_id,
    make_uscc,
    penalty_row,
    person_penalty_row,
    write_csv,
)
from panshi.access import service as access
from panshi.accounts import service as accounts
from panshi.accounts.schemas import PUBLIC, Principal, Role
from panshi.audit.models import QueryLogEntry
from panshi.audit.schemas import QueryLogFilter
from panshi.audit.service import log_of_own_subject, search_log
from panshi.core.db import unit_of_work
from panshi.core.errors import NotAuthorised, NotFound

SUBJECT_USCC = make_uscc(1001)  # penalty_row(1)'s subject


@pytest.fixture
def people(engine: Engine) -> dict[str, Principal]:
    """One principal of each role; department A sent the records, B did not."""
    with unit_of_work(write=True) as session:
        a, _ = accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        b, _ = accounts.add_department(session, name="磐石市税务局", uscc=OTHER_DEPT_USCC)
        ids = {"a": a.id, "b": b.id}
    return {
        "public": PUBLIC,
        "operator": OPERATOR_USER,
        "department": Principal(role=Role.department, actor="user:dept-a", department_id=ids["a"]),
        "other_department": Principal(role=Role.department, actor="user:dept-b", department_id=ids["b"]),
        "government": Principal(
            role=Role.government, actor="user:gov-b", display_name="税务局查询员", department_id=ids["b"]
        ),  # fmt: skip
        "subject": Principal(
            role=Role.subject, actor="user:firm", subject_key=accounts.subject_key_for(SUBJECT_USCC)
        ),  # fmt: skip
    }


def _file(who: Principal, code: str = SUBJECT_USCC, purpose: str | None = None):  # type: ignore[no-untyped-def]
    with unit_of_work(write=True) as session:
        return access.credit_file(session, who=who, code=code, purpose=purpose)


def _log_count() -> int:
    with unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(QueryLogEntry)) or 0


def test_each_role_gets_its_levels(people: dict[str, Principal], tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1, **{"证件类型": "营业执照", "证件号码": "X123"})]))
    expected = {
        ("public", None): ["public"],
        ("operator", None): ["public"],
        ("operator", "数据核对"): ["public", "authorised", "government", "private"],
        ("department", "本单位数据复核"): ["public", "authorised", "government", "private"],
        ("other_department", "复核"): ["public"],
        ("government", "行政许可审查"): ["public", "authorised", "government"],
        ("subject", None): ["public", "authorised"],
    }
    for (role, purpose), levels in expected.items():
        view = _file(people[role], purpose=purpose)
        assert view.levels == levels, role
        fields = {f.name for f in view.records[0].fields}
        assert ("id_number" in fields) == ("authorised" in levels), role  # 证件号码 is 授权查询
        assert (view.records[0].provenance is not None) == ("private" in levels), role


def test_non_public_reads_are_logged_with_purpose_and_the_subject_sees_them(
    people: dict[str, Principal], tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    _file(people["public"])
    _file(people["subject"])  # its own file: not a query of someone else's data
    assert _log_count() == 0
    view = _file(people["government"], purpose="政府采购资格审查")
    assert view.logged and _log_count() == 1
    with unit_of_work() as session:
        seen = log_of_own_subject(session, who=people["subject"])
        assert [(e.purpose, e.actor_name, e.department_name) for e in seen.entries] == [
            ("政府采购资格审查", "税务局查询员", "磐石市税务局")]  # fmt: skip
        assert seen.entries[0].returned["records"] == [view.records[0].id]
        found = search_log(session, who=people["operator"], where=QueryLogFilter(subject=SUBJECT_USCC))
        assert found.total == 1
        assert search_log(session, who=people["operator"], where=QueryLogFilter(purpose="采购")).total == 1
        assert search_log(session, who=people["operator"], where=QueryLogFilter(purpose="招标")).total == 0
        with pytest.raises(NotAuthorised):
            search_log(session, who=people["government"], where=QueryLogFilter())
        with pytest.raises(NotAuthorised):
            log_of_own_subject(session, who=people["government"])


def test_public_view_hides_records_outside_their_window_and_masks_persons(
    people: dict[str, Principal], tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [
        penalty_row(1),
        penalty_row(2, **{"行政相对人代码_1(统一社会信用代码)": SUBJECT_USCC, "处罚决定日期": "2022-01-10",
                          "处罚有效期": "2022-06-01", "公示截止期": "2023-01-10"}),
        person_penalty_row(3),
    ]))  # fmt: skip
    public = _file(people["public"])
    assert [r.value("decision_number") for r in public.records] == ["磐市监处罚〔2025〕1号"]
    assert all(r.in_publicity for r in public.records)
    assert len(_file(people["subject"]).records) == 2  # its own file keeps the ended record
    assert len(_file(people["operator"], purpose="核对").records) == 2

    with unit_of_work() as session:
        person = access.search(session, who=people["operator"], q=make_resident_id(3)).hits[0]
    view = _file(people["public"], code=person.code)
    id_number = make_resident_id(3)
    assert view.subject.id_number == id_number[:4] + "*" * 10 + id_number[-4:]
    assert view.subject.name.endswith("*") and "*" not in view.subject.name[0]
    assert id_number not in view.model_dump_json()
    full = _file(people["operator"], code=person.code, purpose="核对")
    assert full.subject.id_number == id_number


def test_a_minor_on_the_decision_date_is_never_public(people: dict[str, Principal], tmp_path: Path) -> None:
    minor = make_resident_id(7, birth="20090601")  # 15 on 2025-06-01, the decision date
    ingest(write_csv(tmp_path / "p.csv", [person_penalty_row(7, **{"证件号码": minor})]))
    with unit_of_work() as session:
        code = access.search(session, who=people["operator"], q=minor).hits[0].code
    assert _file(people["public"], code=code).records == []
    assert len(_file(people["operator"], code=code, purpose="核对").records) == 1
    with unit_of_work() as session:
        assert access.publicity(session).items == []


def test_public_cannot_look_up_a_person_by_id_number_or_guess_record_ids(
    people: dict[str, Principal], tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [person_penalty_row(3),
                                          penalty_row(2, **{"公示截止期": "2025-07-01"})]))  # fmt: skip
    with pytest.raises(NotFound):
        _file(people["public"], code=make_resident_id(3))
    with unit_of_work() as session:
        assert access.search(session, who=PUBLIC, q=make_resident_id(3)).hits == []
        ended = access.search(session, who=people["operator"], q=make_uscc(1002)).hits[0]
        file = access.credit_file(session, who=people["operator"], code=ended.code, purpose="核对")
        record_id = file.records[0].id
        with pytest.raises(NotFound):
            access.record(session, who=PUBLIC, record_id=record_id)
        with pytest.raises(NotFound):
            access.record(session, who=PUBLIC, record_id=record_id + 1000)
        assert (
            access.record(session, who=people["operator"], record_id=record_id, purpose="核对").id
            == record_id
        )


def test_search_is_partial_tolerant_and_by_code(people: dict[str, Principal], tmp_path: Path) -> None:
    names = ["磐石市宏达农业发展有限公司", "吉林宏达农业科技有限公司", "磐石市宏图建材有限公司", "宏达农业"]
    rows = [penalty_row(i + 1, **{"行政相对人名称": n}) for i, n in enumerate(names)]
    ingest(write_csv(tmp_path / "p.csv", rows))
    with unit_of_work() as session:
        hits = access.search(session, who=PUBLIC, q="宏达农业").hits
        assert [h.name for h in hits][0] == "宏达农业"  # exact first, then the others containing it
        assert {h.name for h in hits} == {
            "宏达农业",
            "磐石市宏达农业发展有限公司",
            "吉林宏达农业科技有限公司",
        }
        tolerant = access.search(session, who=PUBLIC, q="磐石宏达农业").hits  # a character missing
        assert tolerant and tolerant[0].name == "磐石市宏达农业发展有限公司"
        assert [h.name for h in access.search(session, who=PUBLIC, q=make_uscc(1003)).hits] == [names[2]]
        assert access.search(session, who=PUBLIC, q="%").hits == []  # LIKE wildcards are text
        assert access.search(session, who=PUBLIC, q="'; DROP TABLE subjects; --").hits == []
        with pytest.raises(access.QueryTooLong):
            access.search(session, who=PUBLIC, q="宏" * 10_000)


def test_publicity_listing_filters(people: dict[str, Principal], tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [
        penalty_row(1, **{"处罚决定日期": "2025-03-01"}), penalty_row(2, **{"处罚决定日期": "2025-05-01"}),
        penalty_row(3, **{"公示截止期": "2025-07-01"}),
    ]))  # fmt: skip
    with unit_of_work() as session:
        page = access.publicity(session, record_type="admin_penalty")
        assert [i.record.value("decision_number") for i in page.items] == [
            "磐市监处罚〔2025〕2号",
            "磐市监处罚〔2025〕1号",
        ]
        assert page.total == 2
        from datetime import date

        ranged = access.publicity(session, date_from=date(2025, 4, 1), date_to=date(2025, 12, 31))
        assert [i.record.value("decision_number") for i in ranged.items] == ["磐市监处罚〔2025〕2号"]
        with pytest.raises(NotFound):
            access.publicity(session, record_type="nope")
