"""The demo's 信用承诺 rows: realistic, deterministic, accepted by ingest but for the rows spoiled on purpose."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from factories import ingest
from panshi.demo.commitment_rows import COMMITMENT_DEFECTS, COMMITMENT_HEADERS, generate_commitment_rows
from panshi.demo.generator import Subject, generate_penalty_rows, generate_subjects, write_csv
from panshi.identifiers import check_resident_id, check_uscc

TODAY = date(2026, 6, 30)
CODE = re.compile(r"220284(\d{8})\d{6}")
TYPES = {"审批替代型", "容缺受理型", "证明事项型", "信用修复型", "行业自律型", "主动型"}
# What ingest must answer to each defect: (field, error code) of the row.
REASONS = {
    "bad_code": {("commitment_code", "bad_format")},
    "valid_before_made": {("valid_until", "date_order")},
    "breach_without_content": {("unfulfilled_content", "missing_required")},
    "assessed_before_made": {("assessed_on", "date_order")},
}


@pytest.fixture(scope="module")
def subjects() -> list[Subject]:
    return list(generate_subjects(1500, seed=5))


@pytest.fixture(scope="module")
def penalties(subjects: list[Subject]) -> list[dict[str, str]]:
    return list(generate_penalty_rows(subjects, 3000, seed=5, start=date(2023, 1, 1), end=TODAY))


@pytest.fixture(scope="module")
def rows(subjects: list[Subject], penalties: list[dict[str, str]]) -> list[dict[str, str]]:
    return list(generate_commitment_rows(subjects, seed=5, today=TODAY, penalties=penalties))


def _day(text: str) -> date:
    return date.fromisoformat(text)


def test_rows_are_deterministic_by_seed(
    subjects: list[Subject], penalties: list[dict[str, str]], rows: list[dict[str, str]]
) -> None:
    assert list(generate_commitment_rows(subjects, seed=5, today=TODAY, penalties=penalties)) == rows
    assert list(generate_commitment_rows(subjects, seed=6, today=TODAY, penalties=penalties)) != rows
    assert list(rows[0]) == list(COMMITMENT_HEADERS)


def test_about_one_subject_in_eight_commits_by_the_kinds_and_departments_that_fit(
    subjects: list[Subject], rows: list[dict[str, str]]
) -> None:
    committed = {row["承诺人代码(统一社会信用代码)"] or row["证件号码"] for row in rows}
    assert len(subjects) / 12 < len(committed) < len(subjects) / 6
    assert {row["承诺类型"] for row in rows} == TYPES
    categories = Counter(row["承诺人类别"] for row in rows)
    assert categories["法人及非法人组织"] > categories["个体工商户"] > categories["自然人"] > 0
    acceptors = {(row["承诺类型"], row["承诺受理单位"]) for row in rows}
    assert ("容缺受理型", "磐石市市场监督管理局") in acceptors
    assert ("证明事项型", "国家税务总局磐石市税务局") in acceptors
    assert ("审批替代型", "磐石市住房和城乡建设局") in acceptors
    assert {("主动型", "磐石市发展和改革局"), ("行业自律型", "磐石市发展和改革局")} <= acceptors
    for row in rows:
        assert check_uscc(row["受理单位代码"]).valid
        if row["承诺人类别"] == "自然人":
            assert row["证件类型"] == "身份证" and check_resident_id(row["证件号码"]).valid
            assert not row["承诺人代码(统一社会信用代码)"]
            born = _day(f"{row['证件号码'][6:10]}-{row['证件号码'][10:12]}-{row['证件号码'][12:14]}")
            assert _day(row["承诺作出日期"]) >= born.replace(year=born.year + 18, day=min(born.day, 28))
        else:
            assert check_uscc(row["承诺人代码(统一社会信用代码)"]).valid and not row["证件号码"]


def test_codes_dates_and_fulfilment_hold_together(rows: list[dict[str, str]]) -> None:
    codes = [row["承诺编码"] for row in rows]
    assert len(set(codes)) == len(codes)
    assessed, pending = [], []
    for row in rows:
        made, valid = _day(row["承诺作出日期"]), _day(row["承诺有效期"])
        match = CODE.fullmatch(row["承诺编码"])
        assert match and match.group(1) == made.strftime("%Y%m%d")
        assert TODAY - timedelta(days=3 * 366) <= made <= TODAY < date(2099, 12, 31) and made < valid
        state = row["承诺履行状态"]
        (assessed if state else pending).append(made)
        if not state:
            assert not (row["履行状态认定日期"] or row["认定单位"] or row["未履行的承诺内容"])
            continue
        assert made <= _day(row["履行状态认定日期"]) <= TODAY
        assert (row["认定单位"], row["认定单位代码"]) == (row["承诺受理单位"], row["受理单位代码"])
        breached = state != "全部履行"
        assert bool(row["未履行的承诺内容"]) == breached == bool(row["违诺责任追究内容"])
    states = Counter(row["承诺履行状态"] for row in rows)
    assert states["全部履行"] > 0.7 * len(assessed) and states["部分履行"] > 0 and states["全部未履行"] > 0
    # The recent ones wait for their assessment.
    assert statistics.median_low(pending) > statistics.median_low(assessed)
    disclosures = Counter(row["公开类型"] for row in rows)
    assert (
        disclosures["可向社会公开"] > 0.7 * len(rows)
        and disclosures["特定范围内公开"]
        and disclosures["不可公开"]
    )


def test_a_repair_commitment_follows_a_penalty_of_its_subject_by_the_department_that_penalised(
    rows: list[dict[str, str]], penalties: list[dict[str, str]]
) -> None:
    by_number = {p["行政处罚决定书文号"]: p for p in penalties}
    repairs = [row for row in rows if row["承诺类型"] == "信用修复型"]
    assert repairs
    for row in repairs:
        number = re.search(r"（(.+)）", row["承诺事由"])
        assert number, row["承诺事由"]
        penalty = by_number[number.group(1)]
        code = penalty["行政相对人代码_1(统一社会信用代码)"] or penalty["证件号码"]
        assert code == (row["承诺人代码(统一社会信用代码)"] or row["证件号码"])
        assert row["承诺受理单位"] == penalty["处罚机关"]
        assert _day(row["承诺作出日期"]) > _day(penalty["处罚决定日期"]) + timedelta(days=90)
        assert set(penalty["处罚类别"].split(";")) - {"警告", "通报批评"}  # a penalty that was published


def test_demo_commitments_ingest_and_each_spoiled_row_is_refused_for_its_defect(
    engine: Engine, tmp_path: Path, subjects: list[Subject], penalties: list[dict[str, str]]
) -> None:
    stream = generate_commitment_rows(subjects, seed=5, today=TODAY, penalties=penalties, bad_fraction=0.2)
    table = list(stream)
    assert set(stream.defects.values()) == set(COMMITMENT_DEFECTS)
    write_csv(iter(table), tmp_path / "commitments.csv", encoding="gbk", headers=COMMITMENT_HEADERS)
    result = ingest(tmp_path / "commitments.csv", "credit_commitment")
    assert (result.received, result.accepted) == (len(table), len(table) - len(stream.defects))
    found: defaultdict[int, set[tuple[str | None, str]]] = defaultdict(set)
    for issue in result.errors:
        if issue.severity == "error":
            found[issue.row].add((issue.field, issue.code))
    assert dict(found) == {index + 1: REASONS[defect] for index, defect in stream.defects.items()}
