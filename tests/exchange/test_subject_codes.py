"""Subjects' old codes travel with their records: a county's subject is found at the city by any of its
codes, and a provisional subject (known by an old code only) merges there as it merged at home."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from exchange.conftest import Tiers, serving
from factories import full_file, ingest, make_uscc, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.identifiers import reg_no_check_digit
from panshi.subjects.models import Subject


def _numbers(tiers: Tiers, code: str) -> tuple[str | None, list[str]]:
    with serving(tiers.parent), unit_of_work(tiers.parent, write=True) as s:
        file = full_file(s, code)
        return file.subject.uscc, sorted(str(r.value("decision_number")) for r in file.records)


def test_old_codes_and_merges_of_provisional_subjects_follow_the_records(
    tiers: Tiers, tmp_path: Path
) -> None:
    uscc, reg14 = make_uscc(777), "22028400001234"
    reg_no = reg14 + reg_no_check_digit(reg14)
    old_only = {"行政相对人代码_1(统一社会信用代码)": "", "行政相对人代码_2(工商注册号)": reg_no}
    ingest(write_csv(tmp_path / "a.csv", [penalty_row(1, **old_only)]))
    tiers.pull()
    assert _numbers(tiers, reg_no) == (
        None,
        ["磐市监处罚〔2025〕1号"],
    )  # the provisional subject, by its code
    both = {"行政相对人代码_1(统一社会信用代码)": uscc, "行政相对人代码_2(工商注册号)": reg_no}
    ingest(write_csv(tmp_path / "b.csv", [penalty_row(4, **both)]))  # the county merges it into the USCC's
    tiers.pull()
    for code in (uscc, reg_no, uscc[8:17]):  # so does the city: one subject, one file, found by any code
        assert _numbers(tiers, code) == (uscc, ["磐市监处罚〔2025〕1号", "磐市监处罚〔2025〕4号"]), code
    with unit_of_work(tiers.parent) as s:
        current = select(func.count()).select_from(Subject).where(Subject.merged_into_id.is_(None))
        assert s.scalar(current) == 1
