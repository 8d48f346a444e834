"""Polars expressions that normalise and check whole columns of identifiers (the bulk ingest path).

They apply the same rules and constants as the scalar checks in `checks.py` without per-row
Python: each character of a well-formed (hence ASCII) code is read as a byte with `bin.get`,
valued with `replace_strict`, weighted and summed. The error and warning expressions expect
normalised input (`normalize_expr`) and yield, per row, null when there is nothing to report,
else the code of the FIRST issue in the order the scalar check lists them (`issue_message` gives
its generic Chinese text); the result is named after the check, e.g. ``uscc_error``. A null input
gives null.

Each check reads its input many times, so give it a column, not a computed expression: run
`normalize_expr` in a `with_columns` first, or evaluate lazily (a LazyFrame eliminates the common
subexpressions; an eager `select` recomputes them and is several times slower).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from panshi.identifiers.messages import issue_message
from panshi.identifiers.regions import known_region_codes
from panshi.identifiers.rules import (
    EARLIEST_BIRTH_YEAR,
    ENTITY_CATEGORY_PAIRS,
    NATIONAL_REGISTRATION_REGION,
    NORMAL_FORM,
    ORG_CODE_BODY_ALPHABET,
    ORG_CODE_CHECK_CHARS,
    ORG_CODE_LENGTH,
    ORG_CODE_MODULUS,
    ORG_CODE_SEPARATOR,
    ORG_CODE_VALUES,
    ORG_CODE_WEIGHTS,
    REG_NO_CHECK_ALPHABET,
    REG_NO_LENGTH,
    REG_NO_REGION,
    REGISTRATION_AUTHORITIES,
    RESIDENT_ID_BIRTH_DATE,
    RESIDENT_ID_CHECK_ALPHABET,
    RESIDENT_ID_CHECK_CHARS,
    RESIDENT_ID_LENGTH,
    RESIDENT_ID_MODULUS,
    RESIDENT_ID_REGION,
    RESIDENT_ID_WEIGHTS,
    STRIP_PATTERN,
    USCC_ALPHABET,
    USCC_AUTHORITY,
    USCC_CATEGORY,
    USCC_LENGTH,
    USCC_MODULUS,
    USCC_ORG_CODE,
    USCC_REGION,
    USCC_VALUES,
    USCC_WEIGHTS,
)

__all__ = [
    "issue_message",
    "normalize_expr",
    "org_code_error_expr",
    "reg_no_error_expr",
    "reg_no_warning_expr",
    "resident_id_error_expr",
    "resident_id_warning_expr",
    "uscc_error_expr",
    "uscc_warning_expr",
]

_DIGITS = "0123456789"
_NO_ISSUE = pl.lit(None, dtype=pl.String)

Branch = tuple[pl.Expr, str | pl.Expr | None]


def normalize_expr(e: pl.Expr) -> pl.Expr:
    """NFKC (full-width → half-width), strip all whitespace, upper-case: `checks.normalize` for columns."""
    # ASCII text is its own NFKC; skipping it makes the usual column of ASCII codes 5x faster.
    ascii = e.str.len_bytes() == e.str.len_chars()
    composed = pl.when(ascii).then(e).otherwise(e.str.normalize(NORMAL_FORM))
    return composed.str.replace_all(STRIP_PATTERN, "").str.to_uppercase()


# --- building blocks -----------------------------------------------------------------------------


def _byte(e: pl.Expr, position: int) -> pl.Expr:
    """The byte at `position` (the character, for the ASCII codes this is used on), or null."""
    return e.cast(pl.Binary).bin.get(position, null_on_oob=True)


def _by_byte(values: Mapping[str, int]) -> dict[int, int]:
    return {ord(char): value for char, value in values.items()}


def _byte_of(chars: Mapping[int, str]) -> dict[int, int]:
    return {value: ord(char) for value, char in chars.items()}


def _part(e: pl.Expr, part: slice) -> pl.Expr:
    return e.str.slice(part.start, part.stop - part.start)


def _only(e: pl.Expr, alphabet: str) -> pl.Expr:
    """True where every character is in `alphabet` (letters and digits only)."""
    assert alphabet.isalnum()
    return e.str.contains(f"^[{alphabet}]*$")


def _weighted_sum(
    e: pl.Expr, weights: Sequence[int], values: Mapping[str, int], *, start: int = 0
) -> pl.Expr:
    """Σ value(character at start + i) × weights[i]; null where a character has no value."""
    by_byte = _by_byte(values)
    terms = [
        _byte(e, start + index).replace_strict(by_byte, default=None, return_dtype=pl.Int64) * weight
        for index, weight in enumerate(weights)
    ]
    return pl.sum_horizontal(terms, ignore_nulls=False)


def _is_in(e: pl.Expr, values: Collection[str]) -> pl.Expr:
    return e.is_in(pl.Series(sorted(values), dtype=pl.String).implode())


def _registration_region_known(region: pl.Expr) -> pl.Expr:
    return _is_in(region, known_region_codes() | {NATIONAL_REGISTRATION_REGION})


def _issue(code: str | pl.Expr | None) -> pl.Expr:
    if code is None:
        return _NO_ISSUE
    return pl.lit(code) if isinstance(code, str) else code


def _first_issue(*branches: Branch) -> pl.Expr:
    """when(condition₁) → issue₁, when(condition₂) → issue₂ … otherwise null."""
    (condition, code), *rest = branches
    chain: Then | ChainedThen = pl.when(condition).then(_issue(code))
    for condition, code in rest:
        chain = chain.when(condition).then(_issue(code))
    return chain.otherwise(_NO_ISSUE)


def _shape_branches(e: pl.Expr, length: int, well_formed: pl.Expr) -> list[Branch]:
    size = e.str.len_chars()
    return [(size == 0, "empty"), (size != length, "bad_length"), (~well_formed, "bad_charset")]


# --- 统一社会信用代码 ------------------------------------------------------------------------------


def _uscc_well_formed(e: pl.Expr) -> pl.Expr:
    return _only(e, USCC_ALPHABET)


def _uscc_check_char_mismatch(e: pl.Expr) -> pl.Expr:
    total = _weighted_sum(e, USCC_WEIGHTS, USCC_VALUES)
    index = (USCC_MODULUS - total % USCC_MODULUS) % USCC_MODULUS
    expected = index.replace_strict(_byte_of(dict(enumerate(USCC_ALPHABET))), return_dtype=pl.UInt8)
    return expected != _byte(e, USCC_LENGTH - 1)


def uscc_error_expr(e: pl.Expr) -> pl.Expr:
    """First error of a normalised USCC, or null."""
    authority_known = _is_in(_part(e, USCC_AUTHORITY), REGISTRATION_AUTHORITIES)
    return _first_issue(
        *_shape_branches(e, USCC_LENGTH, _uscc_well_formed(e)),
        (~authority_known, "unknown_registration_authority"),
        (_uscc_check_char_mismatch(e), "bad_check_char"),
    ).alias("uscc_error")


def _org_code_check_char_mismatch(e: pl.Expr, *, start: int = 0) -> pl.Expr:
    total = _weighted_sum(e, ORG_CODE_WEIGHTS, ORG_CODE_VALUES, start=start)
    check = ORG_CODE_MODULUS - total % ORG_CODE_MODULUS
    expected = check.replace_strict(_byte_of(ORG_CODE_CHECK_CHARS), return_dtype=pl.UInt8)
    return expected != _byte(e, start + ORG_CODE_LENGTH - 1)


def uscc_warning_expr(e: pl.Expr) -> pl.Expr:
    """First warning of a normalised USCC, or null; only well-formed codes get warnings.

    The order is unknown_category, unknown_region, org_code_check_mismatch, as in the scalar check.
    """
    well_formed = (e.str.len_chars() == USCC_LENGTH) & _uscc_well_formed(e)
    authority = _part(e, USCC_AUTHORITY)
    category_known = _is_in(authority + _part(e, USCC_CATEGORY), ENTITY_CATEGORY_PAIRS)
    return _first_issue(
        (~well_formed, None),  # malformed codes get errors, not warnings
        (_is_in(authority, REGISTRATION_AUTHORITIES) & ~category_known, "unknown_category"),
        (~_registration_region_known(_part(e, USCC_REGION)), "unknown_region"),
        (_org_code_check_char_mismatch(e, start=USCC_ORG_CODE.start), "org_code_check_mismatch"),
    ).alias("uscc_warning")


# --- 组织机构代码 ----------------------------------------------------------------------------------


def _compact_org_code(e: pl.Expr) -> pl.Expr:
    """Drop the separator of the printed form XXXXXXXX-X, as the scalar check does."""
    separator_at = ORG_CODE_LENGTH - 1
    separated = (e.str.len_chars() == ORG_CODE_LENGTH + 1) & (
        e.str.slice(separator_at, 1) == ORG_CODE_SEPARATOR
    )
    joined = e.str.slice(0, separator_at) + e.str.slice(separator_at + 1)
    return pl.when(separated).then(joined).otherwise(e)


def org_code_error_expr(e: pl.Expr) -> pl.Expr:
    """First error of a normalised organization code (with or without its hyphen), or null."""
    code = _compact_org_code(e)
    return _first_issue(
        *_shape_branches(code, ORG_CODE_LENGTH, _only(code, ORG_CODE_BODY_ALPHABET)),
        (_org_code_check_char_mismatch(code), "bad_check_char"),
    ).alias("org_code_error")


# --- 工商注册号 ------------------------------------------------------------------------------------


def _reg_no_check_digit_mismatch(e: pl.Expr) -> pl.Expr:
    """ISO 7064 MOD 11,10 over the first 14 digits, folded (as in checksums.reg_no_check_digit)."""
    digit_values = _by_byte({digit: int(digit) for digit in _DIGITS})
    digits = [
        _byte(e, index).replace_strict(digit_values, default=None, return_dtype=pl.Int64)
        for index in range(REG_NO_LENGTH - 1)
    ]
    # A fold, not 14 nested expressions: polars plans a deeply nested expression in time
    # quadratic in its depth, which cost more than the check itself on a chunk of rows.
    product = pl.fold(
        pl.lit(10, dtype=pl.Int64), lambda p, digit: ((p + digit + 9) % 10 + 1) * 2 % 11, digits
    )
    expected = (11 - product) % 10 + ord("0")
    return expected != _byte(e, REG_NO_LENGTH - 1)


def _reg_no_well_formed(e: pl.Expr) -> pl.Expr:
    body = e.str.slice(0, REG_NO_LENGTH - 1)
    return _only(body, _DIGITS) & _only(e.str.slice(REG_NO_LENGTH - 1), REG_NO_CHECK_ALPHABET)


def reg_no_error_expr(e: pl.Expr) -> pl.Expr:
    """First error of a normalised 工商注册号 (its length and characters), or null."""
    return _first_issue(*_shape_branches(e, REG_NO_LENGTH, _reg_no_well_formed(e))).alias("reg_no_error")


def reg_no_warning_expr(e: pl.Expr) -> pl.Expr:
    """First warning of a well-formed 工商注册号 (unknown_region, bad_check_char), or null."""
    well_formed = (e.str.len_chars() == REG_NO_LENGTH) & _reg_no_well_formed(e)
    return _first_issue(
        (~well_formed, None),  # malformed numbers get errors, not warnings
        (~_registration_region_known(_part(e, REG_NO_REGION)), "unknown_region"),
        (_reg_no_check_digit_mismatch(e), "bad_check_char"),
    ).alias("reg_no_warning")


# --- 居民身份证号码 --------------------------------------------------------------------------------


def _resident_id_well_formed(e: pl.Expr) -> pl.Expr:
    body = e.str.slice(0, RESIDENT_ID_LENGTH - 1)
    return _only(body, _DIGITS) & _only(e.str.slice(RESIDENT_ID_LENGTH - 1), RESIDENT_ID_CHECK_ALPHABET)


def _birth_date_branches(e: pl.Expr, today: date) -> list[Branch]:
    """The birth-date errors of a well-formed resident ID, in the scalar check's order."""
    birth = _part(e, RESIDENT_ID_BIRTH_DATE).cast(pl.Int32, strict=False)  # YYYYMMDD
    year, month, day = birth // 10_000, birth // 100 % 100, birth % 100
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = (
        pl.when(month == 2)
        .then(28 + leap.cast(pl.Int32))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    # Year 0 is not a date for Python's datetime.date, which the scalar check uses.
    real = (year >= 1) & month.is_between(1, 12) & day.is_between(1, month_days)
    return [
        (~real, "bad_birth_date"),
        (year < EARLIEST_BIRTH_YEAR, "birth_date_too_early"),
        (birth > int(today.strftime("%Y%m%d")), "future_birth_date"),
    ]


def _resident_id_check_char_mismatch(e: pl.Expr) -> pl.Expr:
    total = _weighted_sum(e, RESIDENT_ID_WEIGHTS, {digit: int(digit) for digit in _DIGITS})
    check_chars = _byte_of(dict(enumerate(RESIDENT_ID_CHECK_CHARS)))
    expected = (total % RESIDENT_ID_MODULUS).replace_strict(check_chars, return_dtype=pl.UInt8)
    return expected != _byte(e, RESIDENT_ID_LENGTH - 1)


def resident_id_error_expr(e: pl.Expr, today: date) -> pl.Expr:
    """First error of a normalised 居民身份证号码 checked against `today`, or null."""
    return _first_issue(
        *_shape_branches(e, RESIDENT_ID_LENGTH, _resident_id_well_formed(e)),
        *_birth_date_branches(e, today),
        (_resident_id_check_char_mismatch(e), "bad_check_char"),
    ).alias("resident_id_error")


def resident_id_warning_expr(e: pl.Expr) -> pl.Expr:
    """unknown_region for a well-formed 居民身份证号码 whose region is not in GB/T 2260, else null."""
    well_formed = (e.str.len_chars() == RESIDENT_ID_LENGTH) & _resident_id_well_formed(e)
    unknown = ~_is_in(_part(e, RESIDENT_ID_REGION), known_region_codes())
    return _first_issue((well_formed & unknown, "unknown_region")).alias("resident_id_warning")
