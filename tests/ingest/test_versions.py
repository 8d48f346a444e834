"""Resubmission, new versions with history, and one subject per credit file across old codes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from factories import (
    full_file,
    ingest,
    make_resident_id,
    make_uscc,
    penalty_row,
    person_penalty_row,
    write_csv,
)
from panshi.core.db import unit_of_work
from panshi.identifiers import reg_no_check_digit
from panshi.records.models import Record, RecordHistory
from panshi.subjects.models import Subject


def test_identical_resubmission_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(2)])
    first = ingest(path)
    # Same content in other spellings (date and category forms) is still the same record.
    again = write_csv(tmp_path / "q.csv", [penalty_row(1, **{"处罚决定日期": "2025/6/1", "处罚类别": "警告；罚款"}),
                                          penalty_row(2)])  # fmt: skip
    second = ingest(again)
    assert (first.accepted, second.accepted, second.updated, second.unchanged) == (2, 0, 0, 2)
    with unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 2
        assert session.scalar(select(func.count()).select_from(RecordHistory)) == 2


def test_new_content_makes_a_new_version_with_history(engine: Engine, tmp_path: Path) -> None:
    first = ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    result = ingest(write_csv(tmp_path / "q.csv", [penalty_row(1, **{"罚款金额(万元)": "2"})]))
    assert (result.accepted, result.updated) == (0, 1)
    with unit_of_work() as session:
        record = session.scalars(select(Record)).one()
        assert record.version == 2 and record.data["fine_amount"] == "2"
        history = session.scalars(select(RecordHistory).order_by(RecordHistory.version)).all()
        assert [(h.version, h.event) for h in history] == [(1, "created"), (2, "updated")]
        assert history[1].previous_data is not None and history[1].previous_data["fine_amount"] == "1"
        assert history[1].batch_id == result.batch_id
        assert history[1].previous_batch_id == first.batch_id  # whose headers label previous_submitted


def test_credit_file_has_provenance(engine: Engine, tmp_path: Path) -> None:
    row = penalty_row(1)
    result = ingest(write_csv(tmp_path / "p.csv", [penalty_row(9), row], encoding="gbk"))
    with unit_of_work(write=True) as session:
        file = full_file(session, row["行政相对人代码_1(统一社会信用代码)"])
    assert file.subject.name == row["行政相对人名称"] and file.subject.kind == "legal_entity"
    (record,) = file.records
    p = record.provenance
    assert p is not None
    assert (p.batch_id, p.source_row, p.catalog_version) == (result.batch_id, 2, "2026.1")
    assert p.department_name == "磐石市市场监督管理局" and len(p.content_hash) == 64
    assert p.submitted["处罚决定日期"] == "2025-06-01" and "行政相对人名称" in p.submitted


def test_old_codes_lead_to_the_same_subject(engine: Engine, tmp_path: Path) -> None:
    uscc = make_uscc(777)
    reg14 = "22028400001234"
    reg_no = reg14 + reg_no_check_digit(reg14)
    org_code = uscc[8:17]
    # First seen under its old registration number only, then with USCC and the same number.
    ingest(write_csv(tmp_path / "a.csv", [penalty_row(1, **{"行政相对人代码_1(统一社会信用代码)": "",
                                                          "行政相对人代码_2(工商注册号)": reg_no})]))  # fmt: skip
    ingest(write_csv(tmp_path / "b.csv", [penalty_row(2, **{"行政相对人代码_1(统一社会信用代码)": uscc,
                                                          "行政相对人代码_2(工商注册号)": reg_no})]))  # fmt: skip
    ingest(write_csv(tmp_path / "c.csv", [penalty_row(3, **{"行政相对人代码_1(统一社会信用代码)": "",
                                                          "行政相对人代码_3(组织机构代码)": org_code})]))  # fmt: skip
    with unit_of_work(write=True) as session:
        for code in (uscc, reg_no, org_code):
            file = full_file(session, code)
            assert file.subject.uscc == uscc
            assert sorted(r.value("decision_number") for r in file.records) == [
                "磐市监处罚〔2025〕1号", "磐市监处罚〔2025〕2号", "磐市监处罚〔2025〕3号"]  # fmt: skip


def test_natural_person_is_keyed_by_id_number_not_stored_as_key(engine: Engine, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [person_penalty_row(1), person_penalty_row(2)]))
    id_number = make_resident_id(1)
    with unit_of_work(write=True) as session:
        file = full_file(session, id_number)
        assert file.subject.kind == "natural_person" and file.subject.id_number == id_number
        keys = session.scalars(select(Subject.subject_key)).all()
    assert all(id_number not in k for k in keys)  # the key is a keyed hash, not the number
    assert len(file.records) == 1  # make_resident_id(2) is another person
