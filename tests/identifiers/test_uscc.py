from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from panshi.identifiers import (
    MalformedCodeBody,
    check_uscc,
    org_code_check_char,
    org_code_of_uscc,
    uscc_check_char,
)
from panshi.identifiers.rules import USCC_ALPHABET

from .strategies import chars, clean_usccs, valid_usccs

# Published codes of large companies; each passes both its own check char and the one of its
# embedded organization code, which a mistyped code would do with probability about 1/341.
PUBLISHED = [
    "91110000600037341L",
    "911000001000013428",  # 中国银行 (registered nationally: region 100000)
    "91100000100003962T",  # 中国工商银行
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
    "91330100716105852F",
    "91310000132200821H",
]


def _codes(issues: tuple) -> list[str]:
    return [issue.code for issue in issues]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid_without_warnings(code: str) -> None:
    checked = check_uscc(code)
    assert checked.valid, checked.errors
    assert checked.warnings == ()
    assert checked.kind == "uscc" and checked.kind_label == "统一社会信用代码"


def test_builder_matches_published_check_chars() -> None:
    assert [uscc_check_char(code[:17]) for code in PUBLISHED] == [code[17] for code in PUBLISHED]


def test_bad_check_char_names_expected_and_actual() -> None:
    checked = check_uscc("91110000600037341K")
    assert not checked.valid
    assert _codes(checked.errors) == ["bad_check_char"]
    assert checked.errors[0].message == "统一社会信用代码第18位校验码应为L，实为K"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_outside_the_alphabet_are_rejected(letter: str) -> None:
    code = "91220284MA0" + letter + "00000"
    code += uscc_check_char(code.replace(letter, "0"))  # a check char that would otherwise be fine
    checked = check_uscc(code)
    assert _codes(checked.errors) == ["bad_charset"]
    assert f"第12位“{letter}”" in checked.errors[0].message


def test_full_width_and_whitespace_are_normalised() -> None:
    checked = check_uscc(" ９１１１ ００００\u3000６０００３７３４１ｌ\n")
    assert checked.valid
    assert checked.normal == "91110000600037341L"
    assert checked.input == " ９１１１ ００００\u3000６０００３７３４１ｌ\n"


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_letter_authorities_are_valid(authority: str) -> None:
    # stdnum.cn.uscc rejects these (DESIGN.md §3.1); our check must not.
    body = authority + "1220284" + "MA0000001"
    body = body[:16] + org_code_check_char(body[8:16])
    code = body + uscc_check_char(body)
    checked = check_uscc(code)
    assert checked.valid, checked.errors
    assert checked.warnings == ()
    assert not stdnum_uscc.is_valid(code)


def test_unknown_registration_authority_is_an_error() -> None:
    body = "B1220284MA0000001"
    checked = check_uscc(body + uscc_check_char(body))
    assert _codes(checked.errors) == ["unknown_registration_authority"]
    assert "“B”" in checked.errors[0].message


def test_embedded_org_code_mismatch_is_only_a_warning() -> None:
    body = "91220284MA0000000"
    assert org_code_check_char("MA000000") != "0"
    checked = check_uscc(body + uscc_check_char(body))
    assert checked.valid
    assert _codes(checked.warnings) == ["org_code_check_mismatch"]
    expected = org_code_check_char("MA000000")
    assert checked.warnings[0].message == (
        f"统一社会信用代码第9-17位组织机构代码“MA000000-0”的校验码应为{expected}，实为0"
    )


def test_unknown_category_and_region_are_warnings() -> None:
    body = "94999999" + "10000001"
    body += org_code_check_char(body[8:16])
    checked = check_uscc(body + uscc_check_char(body))
    assert checked.valid
    assert _codes(checked.warnings) == ["unknown_category", "unknown_region"]
    assert "“4”" in checked.warnings[0].message and "工商" in checked.warnings[0].message
    assert "第3-8位行政区划代码“999999”" in checked.warnings[1].message


@pytest.mark.parametrize(
    ("value", "length"), [("", 0), ("9111000060003734", 16), ("91110000600037341LL", 19)]
)
def test_length(value: str, length: int) -> None:
    checked = check_uscc(value)
    assert not checked.valid
    assert _codes(checked.errors) == (["empty"] if length == 0 else ["bad_length"])
    if length:
        assert checked.errors[0].message == f"统一社会信用代码应为18位，实为{length}位"


def test_org_code_of_uscc() -> None:
    assert org_code_of_uscc("914403001922038216") == "192203821"
    assert org_code_of_uscc(" ９１４４０３００１９２２０３８２１６") == "192203821"


def test_builder_rejects_malformed_bodies() -> None:
    with pytest.raises(MalformedCodeBody):
        uscc_check_char("9122028400000000")  # 16 chars
    with pytest.raises(MalformedCodeBody):
        uscc_check_char("91220284I00000000")


@given(valid_usccs())
def test_any_body_with_its_check_char_is_valid(code: str) -> None:
    assert check_uscc(code).valid


@given(clean_usccs())
def test_well_built_codes_have_no_warnings(code: str) -> None:
    checked = check_uscc(code)
    assert checked.valid and checked.warnings == ()


@given(valid_usccs(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_any_single_substitution_is_detected(code: str, position: int, char: str) -> None:
    # 31 is prime and no weight is 0 mod 31, so changing one char changes Σ mod 31.
    if code[position] == char:
        char = USCC_ALPHABET[(USCC_ALPHABET.index(char) + 1) % len(USCC_ALPHABET)]
    changed = code[:position] + char + code[position + 1 :]
    assert not check_uscc(changed).valid


@given(st.text("123456789", min_size=1, max_size=1), chars("0123456789", 7), chars(USCC_ALPHABET, 10))
def test_agrees_with_stdnum_where_stdnum_is_right(authority: str, digits: str, rest: str) -> None:
    # stdnum wants digits in positions 1-8 and does not look at the authority or org code; on such
    # codes the verdicts on the check char must agree.
    code = authority + digits + rest
    assert check_uscc(code).valid == stdnum_uscc.is_valid(code)
