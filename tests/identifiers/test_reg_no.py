from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_11_10

from panshi.identifiers import check_reg_no, reg_no_check_digit

from .strategies import chars, valid_reg_nos


def _codes(issues: tuple) -> list[str]:
    return [issue.code for issue in issues]


def test_valid_number_of_panshi() -> None:
    body = "22028400001234"
    checked = check_reg_no(body + reg_no_check_digit(body))
    assert checked.valid and checked.warnings == ()
    assert checked.kind_label == "工商注册号"


def test_national_registration_authority_region() -> None:
    body = "10000000001234"  # 100000: registered by the national authority, not a GB/T 2260 code
    checked = check_reg_no(body + reg_no_check_digit(body))
    assert checked.valid and checked.warnings == ()


def test_failed_check_digit_is_only_a_warning() -> None:
    body = "22028400001234"
    wrong = str((int(reg_no_check_digit(body)) + 1) % 10)
    checked = check_reg_no(body + wrong)
    assert checked.valid
    assert _codes(checked.warnings) == ["bad_check_char"]
    assert checked.warnings[0].message == f"工商注册号第15位校验码应为{reg_no_check_digit(body)}，实为{wrong}"


def test_trailing_letter_is_accepted_with_a_warning() -> None:
    checked = check_reg_no("22028400001234ｎ")
    assert checked.valid
    assert checked.normal == "22028400001234N"
    assert _codes(checked.warnings) == ["bad_check_char"]


def test_unknown_region_is_a_warning() -> None:
    body = "99999900001234"
    checked = check_reg_no(body + reg_no_check_digit(body))
    assert checked.valid
    assert _codes(checked.warnings) == ["unknown_region"]
    assert "“999999”" in checked.warnings[0].message


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("", "empty", "工商注册号为空"),
        ("2202840000123", "bad_length", "工商注册号应为15位，实为13位"),
        (
            "2202840000A2345",
            "bad_charset",
            "工商注册号第11位“A”不是允许的字符（前14位只能是数字，第15位为数字或字母）",
        ),
        ("22028400001234-", "bad_charset", None),
    ],
)
def test_malformed_numbers_are_errors(value: str, code: str, message: str | None) -> None:
    checked = check_reg_no(value)
    assert not checked.valid
    assert _codes(checked.errors) == [code]
    assert message is None or checked.errors[0].message == message


@given(chars("0123456789", 14))
def test_check_digit_is_iso_7064_mod_11_10(body: str) -> None:
    assert reg_no_check_digit(body) == mod_11_10.calc_check_digit(body)
    assert mod_11_10.is_valid(body + reg_no_check_digit(body))


@given(valid_reg_nos())
def test_generated_numbers_have_no_issues(code: str) -> None:
    checked = check_reg_no(code)
    assert checked.valid and checked.warnings == ()


@given(valid_reg_nos(), st.integers(0, 14), st.sampled_from("0123456789"))
def test_single_digit_substitution_gives_the_check_warning(code: str, position: int, digit: str) -> None:
    # MOD 11,10 detects every single substitution; the number stays valid (a warning only).
    if code[position] == digit:
        digit = str((int(digit) + 1) % 10)
    checked = check_reg_no(code[:position] + digit + code[position + 1 :])
    assert checked.valid
    assert "bad_check_char" in _codes(checked.warnings)
