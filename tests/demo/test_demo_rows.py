from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from panshi.demo.generator import (
    DEPARTMENTS,
    LICENSE_HEADERS,
    PENALTY_HEADERS,
    NoSubjects,
    Subject,
    generate_license_rows,
    generate_penalty_rows,
    generate_subjects,
)

from .checks import license_problems, parse_date, penalty_problems

START, END = date(2023, 1, 1), date(2025, 6, 30)

# As listed in the brief (the national 双公示 formats), spelled out here on purpose.
EXPECTED_PENALTY_HEADERS = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "行政相对人代码_2(工商注册号)",
    "行政相对人代码_3(组织机构代码)",
    "行政相对人代码_4(税务登记号)",
    "行政相对人代码_5(事业单位证书号)",
    "行政相对人代码_6(社会组织登记证号)",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "证件类型",
    "证件号码",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额(万元)",
    "没收违法所得、没收非法财物的金额(万元)",
    "暂扣或吊销证照名称及编号",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
]
EXPECTED_LICENSE_HEADERS = [
    *EXPECTED_PENALTY_HEADERS[:13],
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可证书名称",
    "许可编号",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
]
DEPARTMENT_CODES = {department.name: department.uscc for department in DEPARTMENTS}


@pytest.fixture(scope="module")
def subjects() -> list[Subject]:
    return list(generate_subjects(1500, seed=3))


@pytest.fixture(scope="module")
def penalties(subjects: list[Subject]) -> list[dict[str, str]]:
    return list(generate_penalty_rows(subjects, 4000, seed=3, start=START, end=END))


@pytest.fixture(scope="module")
def licenses(subjects: list[Subject]) -> list[dict[str, str]]:
    return list(generate_license_rows(subjects, 3000, seed=3, start=START, end=END))


def test_headers_are_the_national_ones(
    penalties: list[dict[str, str]], licenses: list[dict[str, str]]
) -> None:
    assert list(PENALTY_HEADERS) == EXPECTED_PENALTY_HEADERS
    assert list(LICENSE_HEADERS) == EXPECTED_LICENSE_HEADERS
    assert all(list(row) == EXPECTED_PENALTY_HEADERS for row in penalties)
    assert all(list(row) == EXPECTED_LICENSE_HEADERS for row in licenses)


def test_same_seed_same_rows(subjects: list[Subject]) -> None:
    def penalty_rows(seed: int) -> list[dict[str, str]]:
        return list(generate_penalty_rows(subjects, 300, seed=seed, start=START, end=END, bad_fraction=0.1))

    def license_rows(seed: int) -> list[dict[str, str]]:
        return list(generate_license_rows(subjects, 300, seed=seed, start=START, end=END, bad_fraction=0.1))

    assert penalty_rows(1) == penalty_rows(1)
    assert penalty_rows(1) != penalty_rows(2)
    assert license_rows(1) == license_rows(1)
    assert license_rows(1) != license_rows(2)


def test_good_penalty_rows_pass_every_check(penalties: list[dict[str, str]]) -> None:
    for row in penalties:
        assert penalty_problems(row) == [], row


def test_penalty_decision_numbers_are_unique(penalties: list[dict[str, str]]) -> None:
    numbers = [row["行政处罚决定书文号"] for row in penalties]
    assert len(set(numbers)) == len(numbers)
    assert any(number.startswith("磐市监处罚〔") for number in numbers)
    assert any(number.startswith("磐税简罚〔") for number in numbers)


def test_penalty_dates(penalties: list[dict[str, str]]) -> None:
    decisions = [parse_date(row["处罚决定日期"]) for row in penalties]
    assert all(decision is not None and START <= decision <= END for decision in decisions)
    assert decisions == sorted(decisions)  # type: ignore[type-var]
    for row in penalties:
        assert row["公示截止期"] > row["处罚决定日期"]
        days = (date.fromisoformat(row["公示截止期"]) - date.fromisoformat(row["处罚决定日期"])).days
        assert 90 <= days <= 3 * 366


def test_decisions_are_never_in_the_future(subjects: list[Subject]) -> None:
    today = date.today()
    rows = list(
        generate_penalty_rows(subjects, 200, seed=1, start=today - timedelta(days=30), end=date(2099, 1, 1))
    )
    assert max(row["处罚决定日期"] for row in rows) <= today.isoformat()
    with pytest.raises(ValueError):
        generate_penalty_rows(subjects, 10, seed=1, start=today + timedelta(days=2), end=date(2099, 1, 1))


def test_subject_columns_by_category(penalties: list[dict[str, str]]) -> None:
    by_category = Counter(row["行政相对人类别"] for row in penalties)
    assert set(by_category) == {"法人及非法人组织", "个体工商户", "自然人"}
    code_columns = [header for header in PENALTY_HEADERS if header.startswith("行政相对人代码_")]
    for row in penalties:
        if row["行政相对人类别"] == "自然人":
            assert all(row[column] == "" for column in code_columns)
            assert row["证件类型"] == "身份证" and len(row["证件号码"]) == 18
            assert row["法定代表人"] == ""
        else:
            assert row["证件类型"] == "" and row["证件号码"] == ""
            assert row["法定代表人"] and row["法定代表人证件类型"] == "身份证"
            prefix = "92" if row["行政相对人类别"] == "个体工商户" else ""
            assert row["行政相对人代码_1(统一社会信用代码)"].startswith(prefix)
    assert any(row["行政相对人代码_2(工商注册号)"] for row in penalties)
    assert any(row["行政相对人代码_3(组织机构代码)"] for row in penalties)


def test_penalty_texts_fit_their_department(penalties: list[dict[str, str]]) -> None:
    departments = Counter(row["处罚机关"] for row in penalties)
    assert len(departments) == len(DEPARTMENTS)
    for row in penalties:
        assert DEPARTMENT_CODES[row["处罚机关"]] == row["处罚机关统一社会信用代码"]
        assert row["数据来源单位"] == row["处罚机关"]
        assert 20 <= len(row["违法事实"]) <= 150
        assert 15 <= len(row["处罚内容"]) <= 150
        assert "{" not in row["违法事实"] + row["处罚内容"]
        if row["罚款金额(万元)"]:
            yuan = round(float(row["罚款金额(万元)"]) * 10000)
            assert f"处罚款人民币{yuan}元" in row["处罚内容"]
    assert len({row["违法行为类型"] for row in penalties}) >= 40
    assert len({row["违法事实"] for row in penalties}) >= len(penalties) * 0.8
    assert any(";" in row["处罚类别"] for row in penalties)


def test_good_license_rows_pass_every_check(licenses: list[dict[str, str]]) -> None:
    for row in licenses:
        assert license_problems(row) == [], row
        assert row["有效期自"] == row["许可决定日期"]
        assert row["当前状态"] == ("1" if row["有效期至"] >= END.isoformat() else "2") or row["备注"]


def test_license_numbers_and_variety(licenses: list[dict[str, str]]) -> None:
    numbers = [row["行政许可决定文书号"] for row in licenses]
    assert len(set(numbers)) == len(numbers)
    assert {row["许可类别"] for row in licenses} >= {"普通", "登记", "认可", "特许"}
    assert any(row["有效期至"] == "2099-12-31" for row in licenses)
    assert len({row["许可机关"] for row in licenses}) == len(DEPARTMENTS)
    for row in licenses:
        if row["许可证书名称"] == "营业执照":
            assert row["许可编号"] == row["行政相对人代码_1(统一社会信用代码)"]


@pytest.mark.parametrize("fraction", [0.0, 0.05, 0.3])
def test_bad_fraction_spoils_exactly_that_share(subjects: list[Subject], fraction: float) -> None:
    n = 1000
    penalties = list(generate_penalty_rows(subjects, n, seed=9, start=START, end=END, bad_fraction=fraction))
    licenses = list(generate_license_rows(subjects, n, seed=9, start=START, end=END, bad_fraction=fraction))
    assert sum(bool(penalty_problems(row)) for row in penalties) == round(n * fraction)
    assert sum(bool(license_problems(row)) for row in licenses) == round(n * fraction)


def test_bad_rows_show_every_kind_of_defect(subjects: list[Subject]) -> None:
    penalties = list(generate_penalty_rows(subjects, 2000, seed=4, start=START, end=END, bad_fraction=0.2))
    problems = {problem for row in penalties for problem in penalty_problems(row)}
    assert {"uscc", "id_number"} & problems  # a broken check character
    assert any(problem.startswith("missing ") for problem in problems)
    assert {"category", "publicity end", "fine not positive"} <= problems
    assert any(row["处罚决定日期"] and parse_date(row["处罚决定日期"]) is None for row in penalties)

    licenses = list(generate_license_rows(subjects, 2000, seed=4, start=START, end=END, bad_fraction=0.2))
    problems = {problem for row in licenses for problem in license_problems(row)}
    assert {"uscc", "id_number"} & problems
    assert any(problem.startswith("missing ") for problem in problems)
    assert {"category", "status", "date", "valid to before valid from"} <= problems


def test_bad_fraction_out_of_range(subjects: list[Subject]) -> None:
    with pytest.raises(ValueError):
        generate_penalty_rows(subjects, 10, seed=1, start=START, end=END, bad_fraction=1.5)


def test_no_subjects() -> None:
    with pytest.raises(NoSubjects):
        generate_penalty_rows([], 10, seed=1, start=START, end=END)
