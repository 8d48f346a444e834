"""The polars expressions must reach the same verdicts as the scalar checks, value for value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panshi.identifiers import (
    IdCheck,
    check_org_code,
    check_reg_no,
    check_resident_id,
    check_uscc,
)
from panshi.identifiers import vectorised as idv
from panshi.identifiers.messages import ISSUES_BY_KIND
from panshi.identifiers.rules import ORG_CODE_BODY_ALPHABET, USCC_ALPHABET

from .strategies import TODAY, valid_org_codes, valid_reg_nos, valid_resident_ids, valid_usccs

ExprBuilder = Callable[[pl.Expr], pl.Expr]


def _vectorised(values: list[str], *builders: ExprBuilder) -> list[tuple[str | None, ...]]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String}).with_columns(idv.normalize_expr(pl.col("v")))
    out = frame.select(*(build(pl.col("v")).alias(f"c{i}") for i, build in enumerate(builders)))
    return out.rows()


def _first(issues: tuple) -> str | None:
    return issues[0].code if issues else None


def _assert_agree(
    values: list[str],
    scalar: Callable[[str], IdCheck],
    error: ExprBuilder,
    warning: ExprBuilder | None = None,
) -> None:
    builders = (error, warning) if warning else (error,)
    for value, row in zip(values, _vectorised(values, *builders), strict=True):
        checked = scalar(value)
        assert row[0] == _first(checked.errors), value
        assert (row[0] is None) == checked.valid
        if warning:
            assert row[1] == _first(checked.warnings), value


def _mutated(codes: st.SearchStrategy[str], alphabet: str) -> st.SearchStrategy[str]:
    """A valid code with one character replaced, dropped or added."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        code = draw(codes)
        position = draw(st.integers(0, len(code) - 1))
        char = draw(st.sampled_from(alphabet))
        how = draw(st.sampled_from(["replace", "drop", "add"]))
        if how == "replace":
            return code[:position] + char + code[position + 1 :]
        if how == "drop":
            return code[:position] + code[position + 1 :]
        return code[:position] + char + code[position:]

    return build()


_noise = st.text(alphabet=st.characters(exclude_categories=("Cn", "Cs")), max_size=20)


def _inputs(codes: st.SearchStrategy[str], alphabet: str, length: int) -> st.SearchStrategy[list[str]]:
    near = st.text(alphabet=alphabet, min_size=length - 1, max_size=length + 1)
    return st.lists(st.one_of(codes, _mutated(codes, alphabet), near, _noise), max_size=40)


@given(_inputs(valid_usccs(), USCC_ALPHABET + "IOSVZ-", 18))
def test_uscc(values: list[str]) -> None:
    _assert_agree(values, check_uscc, idv.uscc_error_expr, idv.uscc_warning_expr)


@given(_inputs(valid_org_codes(), ORG_CODE_BODY_ALPHABET + "-#", 9))
def test_org_code(values: list[str]) -> None:
    _assert_agree(values, check_org_code, idv.org_code_error_expr)


@given(_inputs(valid_reg_nos(), "0123456789AN", 15))
def test_reg_no(values: list[str]) -> None:
    _assert_agree(values, check_reg_no, idv.reg_no_error_expr, idv.reg_no_warning_expr)


@given(_inputs(valid_resident_ids(), "0123456789X", 18))
def test_resident_id(values: list[str]) -> None:
    def scalar(value: str) -> IdCheck:
        return check_resident_id(value, today=TODAY)

    def error(e: pl.Expr) -> pl.Expr:
        return idv.resident_id_error_expr(e, TODAY)

    _assert_agree(values, scalar, error, idv.resident_id_warning_expr)


_years = st.one_of(
    st.sampled_from([0, 1, 1899, 1900, 1996, 2000, 2024, 2025, 2026, 2100]), st.integers(0, 9999)
)
_EDGE_DATES = [
    *(f"{year}02{day}" for year in (1900, 1996, 2000, 2023, 2024, 2100) for day in (28, 29, 30)),
    *(f"2001{month:02d}{day}" for month in range(1, 13) for day in (30, 31)),
    "20250629", "20250630", "20250701", "18991231", "19000101", "00010101", "00000101",
]  # fmt: skip
_birth_digits = st.one_of(
    st.sampled_from(_EDGE_DATES),
    st.builds("{:04d}{:02d}{:02d}".format, _years, st.integers(0, 13), st.integers(0, 32)),
)


def test_resident_id_edge_birth_dates() -> None:
    values = ["220284" + digits + "1234" for digits in _EDGE_DATES]
    _assert_agree(
        values, lambda v: check_resident_id(v, today=TODAY), lambda e: idv.resident_id_error_expr(e, TODAY)
    )


@settings(max_examples=300)
@given(st.lists(_birth_digits, min_size=1, max_size=40))
def test_resident_id_birth_dates(dates: list[str]) -> None:
    # Month lengths, leap years, year 0, before 1900, around TODAY (2025-06-30) and the future.
    values = ["220284" + digits + "1234" for digits in dates]
    _assert_agree(
        values, lambda v: check_resident_id(v, today=TODAY), lambda e: idv.resident_id_error_expr(e, TODAY)
    )


@pytest.mark.parametrize(
    ("builder", "value", "expected"),
    [
        (idv.uscc_error_expr, "91110000600037341L", None),
        (idv.uscc_error_expr, "91110000600037341K", "bad_check_char"),
        (idv.uscc_error_expr, "91110000600037341", "bad_length"),
        (idv.uscc_error_expr, "", "empty"),
        (idv.uscc_error_expr, "9111000060003734IL", "bad_charset"),
        (idv.uscc_error_expr, "B1220284MA0000001L", "unknown_registration_authority"),
        (idv.uscc_warning_expr, "91220284MA0000000" + "X", "org_code_check_mismatch"),
        (idv.org_code_error_expr, "60003734-1", None),
        (idv.org_code_error_expr, "600037342", "bad_check_char"),
        (idv.reg_no_warning_expr, "22028400001234N", "bad_check_char"),
        (lambda e: idv.resident_id_error_expr(e, date(2026, 12, 31)), "22028420260230123X", "bad_birth_date"),
        (
            lambda e: idv.resident_id_error_expr(e, date(2025, 6, 30)),
            "220284202507011230",
            "future_birth_date",
        ),
    ],
)
def test_examples(builder: ExprBuilder, value: str, expected: str | None) -> None:
    assert _vectorised([value], builder) == [(expected,)]


def test_null_stays_null_and_names_are_set() -> None:
    frame = pl.DataFrame({"v": [None]}, schema={"v": pl.String})
    out = frame.select(
        idv.uscc_error_expr(pl.col("v")),
        idv.uscc_warning_expr(pl.col("v")),
        idv.org_code_error_expr(pl.col("v")),
        idv.reg_no_error_expr(pl.col("v")),
        idv.reg_no_warning_expr(pl.col("v")),
        idv.resident_id_error_expr(pl.col("v"), TODAY),
        idv.resident_id_warning_expr(pl.col("v")),
    )
    assert out.columns == [
        "uscc_error",
        "uscc_warning",
        "org_code_error",
        "reg_no_error",
        "reg_no_warning",
        "resident_id_error",
        "resident_id_warning",
    ]
    assert out.row(0) == (None,) * 7


@pytest.mark.parametrize("kind", sorted(ISSUES_BY_KIND))
def test_every_issue_code_has_a_generic_message(kind: str) -> None:
    for code in ISSUES_BY_KIND[kind]:
        message = idv.issue_message(code, kind)
        assert message and all(
            ord(char) < 0x80 or "\u4e00" <= char <= "\u9fff" or char in "（）、，：；“”" for char in message
        )


def test_issue_message_examples_and_unknown_codes() -> None:
    assert idv.issue_message("bad_check_char", "uscc") == "统一社会信用代码第18位校验码不符"
    assert idv.issue_message("bad_length", "resident_id") == "居民身份证号码应为18位，长度不符"
    assert (
        idv.issue_message("unknown_region", "reg_no") == "工商注册号第1-6位行政区划代码不在行政区划代码表中"
    )
    with pytest.raises(ValueError):
        idv.issue_message("bad_birth_date", "uscc")
    with pytest.raises(ValueError):
        idv.issue_message("no_such_code", "uscc")
