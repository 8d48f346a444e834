"""Independent checks of generated 双公示 rows: what an ingest validator would reject."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from panshi.demo.generator import LICENSE_CATEGORIES, PENALTY_CATEGORIES
from panshi.identifiers import check_resident_id, check_uscc

ORGANISATION_CATEGORIES = ("法人及非法人组织", "个体工商户")
USCC = "行政相对人代码_1(统一社会信用代码)"
FINE = "罚款金额(万元)"
PENALTY_REQUIRED = (
    "行政相对人名称",
    "行政相对人类别",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "处罚决定日期",
    "处罚有效期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
)
LICENSE_REQUIRED = (
    "行政相对人名称",
    "行政相对人类别",
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
)


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def subject_problems(row: Mapping[str, str]) -> list[str]:
    problems = []
    category = row["行政相对人类别"]
    if category in ORGANISATION_CATEGORIES:
        if not check_uscc(row[USCC]).valid:
            problems.append("uscc")
        if row["证件号码"]:
            problems.append("organisation with 证件号码")
    elif category == "自然人":
        if row["证件类型"] != "身份证" or not check_resident_id(row["证件号码"]).valid:
            problems.append("id_number")
        if any(row[f"行政相对人代码_{k}" + suffix] for k, suffix in _CODE_SUFFIXES):
            problems.append("person with organisation codes")
    else:
        problems.append("category")
    if row["法定代表人证件号码"] and not check_resident_id(row["法定代表人证件号码"]).valid:
        problems.append("legal_rep_id")
    return problems


_CODE_SUFFIXES = (
    (1, "(统一社会信用代码)"),
    (2, "(工商注册号)"),
    (3, "(组织机构代码)"),
    (4, "(税务登记号)"),
    (5, "(事业单位证书号)"),
    (6, "(社会组织登记证号)"),
)


def penalty_problems(row: Mapping[str, str]) -> list[str]:
    """Reasons to reject a 行政处罚 row; empty for a good one."""
    problems = [f"missing {header}" for header in PENALTY_REQUIRED if not row[header]]
    problems += subject_problems(row)
    decision = parse_date(row["处罚决定日期"])
    publicity_end = parse_date(row["公示截止期"])
    if decision is None:
        problems.append("decision date")
    if publicity_end is None or (decision and publicity_end <= decision):
        problems.append("publicity end")
    categories = row["处罚类别"].split(";")
    if any(category not in PENALTY_CATEGORIES for category in categories):
        problems.append("category")
    fine = row[FINE]
    if ("罚款" in categories) != bool(fine):
        problems.append("fine without 罚款 or 罚款 without fine")
    if fine and not float(fine) > 0:
        problems.append("fine not positive")
    for column in ("处罚机关统一社会信用代码", "数据来源单位统一社会信用代码"):
        if row[column] and not check_uscc(row[column]).valid:
            problems.append(column)
    return problems


def license_problems(row: Mapping[str, str]) -> list[str]:
    """Reasons to reject a 行政许可 row; empty for a good one."""
    problems = [f"missing {header}" for header in LICENSE_REQUIRED if not row[header]]
    problems += subject_problems(row)
    decision = parse_date(row["许可决定日期"])
    valid_from = parse_date(row["有效期自"])
    valid_to = parse_date(row["有效期至"])
    if decision is None or valid_from is None or valid_to is None:
        problems.append("date")
    elif valid_to < valid_from:
        problems.append("valid to before valid from")
    if row["许可类别"] not in LICENSE_CATEGORIES:
        problems.append("category")
    if row["当前状态"] not in ("1", "2"):
        problems.append("status")
    for column in ("许可机关统一社会信用代码", "数据来源单位统一社会信用代码"):
        if row[column] and not check_uscc(row[column]).valid:
            problems.append(column)
    return problems
