from __future__ import annotations

import unicodedata

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from panshi.identifiers import normalize
from panshi.identifiers.rules import WHITESPACE
from panshi.identifiers.vectorised import normalize_expr


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),  # full-width from a Chinese IME
        ("９１１１ ００００\u3000６０００３７３４１ｌ", "91110000600037341L"),
        (" 9111 0000\t6000\n37341l \r\n", "91110000600037341L"),
        ("\ufeff91110000600037341L\u200b", "91110000600037341L"),  # BOM and zero-width space
        ("22028419800101123ⅹ", "22028419800101123X"),  # small roman numeral ten for X
        ("d2143569-x", "D2143569-X"),
        ("", ""),
    ],
)
def test_normalize(raw: str, normal: str) -> None:
    assert normalize(raw) == normal


def test_every_unicode_whitespace_is_stripped() -> None:
    everything = "".join(chr(cp) for cp in range(0x110000) if chr(cp).isspace())
    assert set(WHITESPACE) == set(everything)
    assert normalize("A" + everything + "B") == "AB"


def _vectorised(values: list[str]) -> list[str | None]:
    return (
        pl.DataFrame({"v": values}, schema={"v": pl.String})
        .select(normalize_expr(pl.col("v")))["v"]
        .to_list()
    )


def test_vectorised_normalize_of_null_is_null() -> None:
    assert _vectorised([None, "ａ"]) == [None, "A"]  # type: ignore[list-item]


# Python 3.11 has Unicode 14 tables and polars newer ones: characters Python has not assigned (Cn)
# may be assigned there, and these five lower-case letters gained an upper case in Unicode 16.
# None of them can be part of a valid code. Surrogates cannot be stored.
UNICODE_16_UPPER_CASE = frozenset("\u019b\u0264\ua7d3\ua7d5\U00010791")


def test_scalar_and_vectorised_normalize_agree_on_every_assigned_character() -> None:
    assigned = [chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp)) not in ("Cn", "Cs")]
    differ = {
        char for char, out in zip(assigned, _vectorised(assigned), strict=True) if out != normalize(char)
    }
    assert differ == UNICODE_16_UPPER_CASE


_text = st.text(
    alphabet=st.characters(exclude_categories=("Cn", "Cs"), exclude_characters=UNICODE_16_UPPER_CASE),
    max_size=24,
)
_code_like = st.text(
    alphabet=st.sampled_from(
        "0123456789ABCXYZabcxyz-"
        "０１２３４５６７８９ＡＢＣＸＹＺａｂｃｘｙｚ－"
        " \t\n\u3000\u00a0\u200b\ufeffⅩⅹ①"
    ),
    max_size=24,
)


@given(st.lists(st.one_of(_text, _code_like), max_size=30))
def test_scalar_and_vectorised_normalize_agree(values: list[str]) -> None:
    assert _vectorised(values) == [normalize(value) for value in values]
