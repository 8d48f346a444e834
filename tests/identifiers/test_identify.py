from __future__ import annotations

from collections.abc import Callable

import pytest

from panshi.identifiers import (
    check_resident_id,
    check_uscc,
    identify,
    org_code_check_char,
    reg_no_check_digit,
    resident_id_check_char,
    uscc_check_char,
)

from .strategies import TODAY


def _with(check_char: Callable[[str], str], body: str) -> str:
    return body + check_char(body)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("91110000600037341L", "uscc"),
        ("９１１１００００６０００３７３４１Ｌ", "uscc"),
        ("A1220284MA00000017", "uscc"),
        ("11010519491231002X", "resident_id"),
        ("600037341", "org_code"),
        ("60003734-1", "org_code"),
        ("220284000012345", "reg_no"),
        ("220284", "region_code"),
        ("abc", "unknown"),
        ("", "unknown"),
    ],
)
def test_kind_by_shape(value: str, kind: str) -> None:
    assert identify(value, today=TODAY).kind == kind


def test_unknown_has_an_error() -> None:
    checked = identify("12345", today=TODAY)
    assert not checked.valid
    assert [issue.code for issue in checked.errors] == ["unrecognised_format"]
    assert checked.kind_label == "未识别的代码"
    assert [issue.code for issue in identify(" \u3000").errors] == ["empty"]


def test_valid_codes_of_each_kind_are_valid() -> None:
    assert identify(_with(uscc_check_char, "91220284MA0000001")).valid
    assert identify(_with(org_code_check_char, "MA000000")).valid
    assert identify(_with(reg_no_check_digit, "22028400001234")).valid
    assert identify(_with(resident_id_check_char, "22028419800101123"), today=TODAY).valid


def test_all_digit_uscc_is_a_uscc() -> None:
    checked = identify("911000001000013428", today=TODAY)
    assert checked.kind == "uscc" and checked.valid


def test_resident_id_with_a_typo_is_still_a_resident_id() -> None:
    # Both readings fail; the USCC reading has many more issues (category, region, org code).
    body = "22028419800101123"
    wrong = "0" if resident_id_check_char(body) != "0" else "1"
    checked = identify(body + wrong, today=TODAY)
    assert checked.kind == "resident_id"
    assert [issue.code for issue in checked.errors] == ["bad_check_char"]


def test_resident_id_born_before_1900_is_reported_as_such() -> None:
    checked = identify("440524188001010014", today=TODAY)
    assert checked.kind == "resident_id"
    assert [issue.code for issue in checked.errors] == ["birth_date_too_early"]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        # A clean USCC (110119 延庆区, consistent org code) whose ID reading has an unknown region.
        ("911101198001011769", "uscc"),
        # A 磐石市 resident ID whose USCC reading has three warnings.
        ("220284198001011066", "resident_id"),
        # One warning each way: a tie goes to the USCC.
        ("911101198001010248", "uscc"),
    ],
)
def test_eighteen_digits_valid_both_ways(code: str, kind: str) -> None:
    uscc, resident_id = check_uscc(code), check_resident_id(code, today=TODAY)
    assert uscc.valid and resident_id.valid
    checked = identify(code, today=TODAY)
    assert checked.kind == kind
    assert checked == (uscc if kind == "uscc" else resident_id)


def test_fifteen_digits_is_a_registration_number() -> None:
    # Old 15-digit resident IDs have the same shape; in credit records this is a 注册号.
    assert identify("110105491231002", today=TODAY).kind == "reg_no"
