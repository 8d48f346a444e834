from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from panshi.identifiers import (
    birth_date_of_resident_id,
    check_resident_id,
    mask_resident_id,
    region_name,
    resident_id_check_char,
)

from .strategies import TODAY, valid_resident_ids


def _id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def _codes(issues: tuple) -> list[str]:
    return [issue.code for issue in issues]


def test_standard_example_is_valid() -> None:
    checked = check_resident_id("11010519491231002X", today=TODAY)  # the example of GB 11643
    assert checked.valid and checked.warnings == ()
    assert checked.kind_label == "居民身份证号码"


def test_lower_case_x_full_width_and_spaces() -> None:
    checked = check_resident_id("１１０１０５ １９４９１２３１ ００２ｘ", today=TODAY)
    assert checked.valid
    assert checked.normal == "11010519491231002X"


def test_region_created_after_the_birth_year_is_fine() -> None:
    # 220284 磐石市 was created in 1995 (磐石县 was 220223): a 1980 birth registered there later.
    assert region_name("220284") == "磐石市"
    checked = check_resident_id(_id("22028419800101123"), today=TODAY)
    assert checked.valid
    assert checked.warnings == ()


def test_impossible_birth_date() -> None:
    checked = check_resident_id(_id("22028420260230123"), today=date(2026, 12, 31))
    assert not checked.valid
    assert _codes(checked.errors) == ["bad_birth_date"]
    assert checked.errors[0].message == "居民身份证号码第7-14位出生日期“20260230”不是有效日期"


def test_future_birth_date() -> None:
    checked = check_resident_id(_id("22028420250701123"), today=date(2025, 6, 30))
    assert _codes(checked.errors) == ["future_birth_date"]
    assert "2025年7月1日" in checked.errors[0].message
    assert check_resident_id(_id("22028420250630123"), today=date(2025, 6, 30)).valid  # born today


def test_birth_before_1900() -> None:
    checked = check_resident_id("440524188001010014", today=TODAY)  # GB 11643's 1880 example
    assert _codes(checked.errors) == ["birth_date_too_early"]


def test_today_defaults_to_the_system_date() -> None:
    tomorrow = date.fromordinal(date.today().toordinal() + 1)
    checked = check_resident_id(_id("220284" + tomorrow.strftime("%Y%m%d") + "123"))
    assert _codes(checked.errors) == ["future_birth_date"]


def test_bad_check_char_names_both() -> None:
    body = "22028419800101123"
    wrong = "0" if resident_id_check_char(body) != "0" else "1"
    checked = check_resident_id(body + wrong, today=TODAY)
    assert _codes(checked.errors) == ["bad_check_char"]
    assert (
        checked.errors[0].message
        == f"居民身份证号码第18位校验码应为{resident_id_check_char(body)}，实为{wrong}"
    )


def test_date_and_check_errors_are_both_reported() -> None:
    body = "22028420260230123"
    wrong = "0" if resident_id_check_char(body) != "0" else "1"
    assert _codes(check_resident_id(body + wrong, today=TODAY).errors) == ["bad_birth_date", "bad_check_char"]


def test_unknown_region_is_a_warning() -> None:
    checked = check_resident_id(_id("99999919800101123"), today=TODAY)
    assert checked.valid
    assert _codes(checked.warnings) == ["unknown_region"]


@pytest.mark.parametrize(
    ("value", "code"),
    [("", "empty"), ("22028419800101123", "bad_length"), ("2202841980010112Y3", "bad_charset"),
     ("22028419800101123Y", "bad_charset"), ("X20284198001011234", "bad_charset")],
)  # fmt: skip
def test_malformed(value: str, code: str) -> None:
    assert _codes(check_resident_id(value, today=TODAY).errors) == [code]


def test_birth_date_of_resident_id() -> None:
    assert birth_date_of_resident_id("11010519491231002X") == date(1949, 12, 31)
    assert birth_date_of_resident_id("110105491231002") == date(1949, 12, 31)  # old 15-digit form
    assert birth_date_of_resident_id("22028420260230123X") is None
    assert birth_date_of_resident_id("2202842026") is None


def test_mask() -> None:
    assert mask_resident_id("220284198001011234") == "2202**********1234"
    assert mask_resident_id(" ２２０２８４１９８００１０１１２３ｘ") == "2202**********123X"
    assert mask_resident_id("12345678") == "********"


@given(valid_resident_ids())
def test_any_generated_id_is_valid(code: str) -> None:
    checked = check_resident_id(code, today=TODAY)
    assert checked.valid and checked.warnings == ()
    assert birth_date_of_resident_id(code) is not None


@given(valid_resident_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_substitution_is_detected(code: str, position: int, char: str) -> None:
    # 11 is prime, no weight is 0 mod 11 and digits differ by less than 11; an X in the body is a
    # charset error.
    if code[position] == char:
        char = "0" if char != "0" else "1"
    changed = code[:position] + char + code[position + 1 :]
    assert not check_resident_id(changed, today=TODAY).valid
