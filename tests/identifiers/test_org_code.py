from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from panshi.identifiers import MalformedCodeBody, check_org_code, org_code_check_char
from panshi.identifiers.rules import ORG_CODE_BODY_ALPHABET

from .strategies import chars, valid_org_codes

# From the embedded codes of the published USCCs in test_uscc.py.
PUBLISHED = ["600037341", "100001342", "100003962", "192203821", "71526726X", "551385082"]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code: str) -> None:
    checked = check_org_code(code)
    assert checked.valid, checked.errors
    assert checked.kind_label == "组织机构代码"


def test_check_char_by_hand() -> None:
    # Σ = 1·3 + 2·7 + 3·9 + 4·10 + 5·5 + 6·8 + 7·4 + 8·2 = 201; 201 mod 11 = 3; 11 − 3 = 8.
    assert org_code_check_char("12345678") == "8"
    # Letters count A=10 … Z=35: Σ("A0000000") = 10·3 = 30; 30 mod 11 = 8; 11 − 8 = 3.
    assert org_code_check_char("A0000000") == "3"
    assert org_code_check_char("Z0000000") == str(11 - 35 * 3 % 11)


def test_ten_is_x_and_eleven_is_zero() -> None:
    # Σ mod 11 = 1 → c = 10 → X; Σ mod 11 = 0 → c = 11 → 0.
    assert org_code_check_char("40000000") == "X"  # Σ = 4·3 = 12 ≡ 1
    assert org_code_check_char("00000000") == "0"  # Σ = 0


def test_printed_form_with_hyphen_is_accepted_and_compacted() -> None:
    checked = check_org_code("60003734-1")
    assert checked.valid
    assert checked.normal == "600037341"


def test_full_width_hyphen_and_lower_case() -> None:
    checked = check_org_code("ｍａ００００００－" + org_code_check_char("MA000000"))
    assert checked.valid
    assert checked.normal == "MA000000" + org_code_check_char("MA000000")


def test_bad_check_char() -> None:
    checked = check_org_code("600037342")
    assert not checked.valid
    assert [issue.code for issue in checked.errors] == ["bad_check_char"]
    assert checked.errors[0].message == "组织机构代码第9位校验码应为1，实为2"


@pytest.mark.parametrize(
    ("value", "code"),
    [("", "empty"), ("60003734", "bad_length"), ("6000373411", "bad_length"), ("6000#7341", "bad_charset")],
)
def test_malformed(value: str, code: str) -> None:
    checked = check_org_code(value)
    assert [issue.code for issue in checked.errors] == [code]


def test_builder_rejects_malformed_bodies() -> None:
    with pytest.raises(MalformedCodeBody):
        org_code_check_char("1234567")


@given(valid_org_codes())
def test_any_body_with_its_check_char_is_valid(code: str) -> None:
    assert check_org_code(code).valid


@given(chars("0123456789", 8), st.integers(0, 8), st.sampled_from("0123456789"))
def test_single_digit_substitution_in_a_digit_code_is_detected(body: str, position: int, digit: str) -> None:
    # Weights are non-zero mod 11 and two digits differ by less than 11 (letters: see below).
    code = body + org_code_check_char(body)
    if code[position] == digit:
        digit = str((int(digit) + 1) % 10)
    changed = code[:position] + digit + code[position + 1 :]
    assert not check_org_code(changed).valid


def test_letter_substitution_can_go_undetected() -> None:
    # Letters are worth 10-35, so 0 ↔ B (0 and 11) differ by a multiple of 11: GB 11714's check
    # does not catch every substitution. This documents the limit rather than hiding it.
    assert ORG_CODE_BODY_ALPHABET.index("B") == 11
    assert org_code_check_char("00000000") == org_code_check_char("B0000000")
