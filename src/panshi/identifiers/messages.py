"""The issues a check can report, with their Chinese messages.

Each builder names the offending part of one value; `issue_message` gives the generic message of
a code, for bulk reports where the vectorised checks yield codes only.
"""

from __future__ import annotations

from datetime import date

from panshi.identifiers.results import Issue
from panshi.identifiers.rules import (
    CHECK_CHAR_POSITION,
    EARLIEST_BIRTH_YEAR,
    ENTITY_CATEGORIES,
    KIND_LABELS,
    KIND_LENGTHS,
    REGION_POSITIONS,
    REGISTRATION_AUTHORITIES,
    RESIDENT_ID_BIRTH_DATE,
    USCC_EXCLUDED,
    USCC_ORG_CODE,
)

_CHARSET_RULES = {
    "uscc": f"只能使用数字和除{'、'.join(USCC_EXCLUDED)}以外的大写英文字母",
    "org_code": "只能使用数字和大写英文字母",
    "reg_no": "前14位只能是数字，第15位为数字或字母",
    "resident_id": "前17位只能是数字，第18位为数字或X",
    "region_code": "只能是数字",
}
_AUTHORITIES = "、".join(REGISTRATION_AUTHORITIES)


def _positions(part: slice) -> str:
    return f"第{part.start + 1}-{part.stop}位"


_BIRTH_DATE = _positions(RESIDENT_ID_BIRTH_DATE) + "出生日期"
_ORG_CODE_PART = _positions(USCC_ORG_CODE) + "组织机构代码"


def _shown(char: str) -> str:
    """A character as a clerk can read it in a message (invisible ones by code point)."""
    return char if char.isprintable() else f"U+{ord(char):04X}"


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _empty_message(kind: str) -> str:
    return "代码为空" if kind == "unknown" else f"{KIND_LABELS[kind]}为空"


def empty(kind: str) -> Issue:
    return Issue("empty", _empty_message(kind))


def bad_length(kind: str, actual: int) -> Issue:
    return Issue("bad_length", f"{KIND_LABELS[kind]}应为{KIND_LENGTHS[kind]}位，实为{actual}位")


def bad_charset(kind: str, position: int, char: str) -> Issue:
    return Issue(
        "bad_charset",
        f"{KIND_LABELS[kind]}第{position}位“{_shown(char)}”不是允许的字符（{_CHARSET_RULES[kind]}）",
    )


def unknown_registration_authority(char: str) -> Issue:
    return Issue(
        "unknown_registration_authority",
        f"统一社会信用代码第1位登记管理部门代码“{char}”不存在（应为{_AUTHORITIES}之一）",
    )


def unknown_category(authority: str, category: str) -> Issue:
    allowed = "、".join(ENTITY_CATEGORIES[authority])
    return Issue(
        "unknown_category",
        f"统一社会信用代码第2位机构类别代码“{category}”不是登记管理部门“{REGISTRATION_AUTHORITIES[authority]}”"
        f"的机构类别（应为{allowed}之一）",
    )


def _region_part(kind: str) -> str:
    if kind == "region_code":
        return "行政区划代码"
    return f"{KIND_LABELS[kind]}{_positions(REGION_POSITIONS[kind])}行政区划代码"


def unknown_region(kind: str, code: str) -> Issue:
    return Issue("unknown_region", f"{_region_part(kind)}“{code}”不在行政区划代码表中")


def org_code_check_mismatch(org_code: str, expected: str) -> Issue:
    return Issue(
        "org_code_check_mismatch",
        f"统一社会信用代码{_ORG_CODE_PART}“{org_code[:8]}-{org_code[8]}”的校验码应为{expected}，"
        f"实为{org_code[8]}",
    )


def bad_check_char(kind: str, expected: str, actual: str) -> Issue:
    return Issue(
        "bad_check_char",
        f"{KIND_LABELS[kind]}第{CHECK_CHAR_POSITION[kind]}位校验码应为{expected}，实为{_shown(actual)}",
    )


def bad_birth_date(digits: str) -> Issue:
    return Issue("bad_birth_date", f"居民身份证号码{_BIRTH_DATE}“{digits}”不是有效日期")


def birth_date_too_early(birth: date) -> Issue:
    return Issue(
        "birth_date_too_early",
        f"居民身份证号码{_BIRTH_DATE}{_chinese_date(birth)}早于{EARLIEST_BIRTH_YEAR}年",
    )


def future_birth_date(birth: date, today: date) -> Issue:
    return Issue(
        "future_birth_date",
        f"居民身份证号码{_BIRTH_DATE}{_chinese_date(birth)}晚于今天（{_chinese_date(today)}）",
    )


_KINDS_LIST = "、".join(label for kind, label in KIND_LABELS.items() if kind != "unknown")


def unrecognised_format(length: int) -> Issue:
    return Issue("unrecognised_format", f"无法识别的代码（{length}位）：不符合{_KINDS_LIST}任何一种的格式")


def issue_message(code: str, kind: str) -> str:
    """Generic Chinese message of an issue code for a kind of identifier, for bulk reports."""
    if code not in ISSUES_BY_KIND.get(kind, ()):
        raise ValueError(f"issue code {code!r} does not occur for identifier kind {kind!r}")
    label = KIND_LABELS[kind]
    match code:
        case "empty":
            return _empty_message(kind)
        case "bad_length":
            return f"{label}应为{KIND_LENGTHS[kind]}位，长度不符"
        case "bad_charset":
            return f"{label}含有不允许的字符（{_CHARSET_RULES[kind]}）"
        case "unknown_registration_authority":
            return f"{label}第1位登记管理部门代码不存在（应为{_AUTHORITIES}之一）"
        case "unknown_category":
            return f"{label}第2位机构类别代码不是其登记管理部门的机构类别"
        case "unknown_region":
            return f"{_region_part(kind)}不在行政区划代码表中"
        case "org_code_check_mismatch":
            return f"{label}{_ORG_CODE_PART}的校验码不符"
        case "bad_check_char":
            return f"{label}第{CHECK_CHAR_POSITION[kind]}位校验码不符"
        case "bad_birth_date":
            return f"{label}{_BIRTH_DATE}不是有效日期"
        case "birth_date_too_early":
            return f"{label}{_BIRTH_DATE}早于{EARLIEST_BIRTH_YEAR}年"
        case "future_birth_date":
            return f"{label}{_BIRTH_DATE}晚于今天"
        case _:  # unrecognised_format
            return f"无法识别的代码：不符合{_KINDS_LIST}任何一种的格式"


# Which issue codes each kind of check can report (errors and warnings alike).
ISSUES_BY_KIND: dict[str, frozenset[str]] = {
    "uscc": frozenset(
        {
            "empty",
            "bad_length",
            "bad_charset",
            "unknown_registration_authority",
            "bad_check_char",
            "unknown_category",
            "unknown_region",
            "org_code_check_mismatch",
        }
    ),
    "org_code": frozenset({"empty", "bad_length", "bad_charset", "bad_check_char"}),
    "reg_no": frozenset({"empty", "bad_length", "bad_charset", "unknown_region", "bad_check_char"}),
    "resident_id": frozenset(
        {
            "empty",
            "bad_length",
            "bad_charset",
            "bad_birth_date",
            "birth_date_too_early",
            "future_birth_date",
            "bad_check_char",
            "unknown_region",
        }
    ),
    "region_code": frozenset({"empty", "bad_length", "bad_charset", "unknown_region"}),
    "unknown": frozenset({"empty", "unrecognised_format"}),
}
