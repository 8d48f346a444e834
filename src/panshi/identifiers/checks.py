"""Scalar normalisation and validation of one identifier at a time (DESIGN.md §3.1)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from datetime import date

from panshi.identifiers import messages
from panshi.identifiers.checksums import (
    org_code_check_char,
    reg_no_check_digit,
    resident_id_check_char,
    uscc_check_char,
)
from panshi.identifiers.regions import is_known_region, is_known_registration_region
from panshi.identifiers.results import IdCheck, Issue
from panshi.identifiers.rules import (
    EARLIEST_BIRTH_YEAR,
    ENTITY_CATEGORIES,
    NORMAL_FORM,
    ORG_CODE_BODY_ALPHABET,
    ORG_CODE_LENGTH,
    ORG_CODE_SEPARATOR,
    REG_NO_CHECK_ALPHABET,
    REG_NO_LENGTH,
    REG_NO_REGION,
    REGION_CODE_LENGTH,
    REGISTRATION_AUTHORITIES,
    RESIDENT_ID_BIRTH_DATE,
    RESIDENT_ID_CHECK_ALPHABET,
    RESIDENT_ID_LENGTH,
    RESIDENT_ID_REGION,
    STRIP_PATTERN,
    USCC_LENGTH,
    USCC_ORG_CODE,
    USCC_REGION,
    USCC_VALUES,
)

_STRIP = re.compile(STRIP_PATTERN)
_DIGITS = "0123456789"


def normalize(value: str) -> str:
    """NFKC (full-width → half-width), strip all whitespace, upper-case."""
    return _STRIP.sub("", unicodedata.normalize(NORMAL_FORM, value)).upper()


def _shape_error(kind: str, normal: str, length: int) -> Issue | None:
    if not normal:
        return messages.empty(kind)
    if len(normal) != length:
        return messages.bad_length(kind, len(normal))
    return None


def _charset_error(kind: str, text: str, allowed: Container[str], *, offset: int = 0) -> Issue | None:
    """bad_charset naming the first character of `text` outside `allowed`, if any."""
    for index, char in enumerate(text):
        if char not in allowed:
            return messages.bad_charset(kind, offset + index + 1, char)
    return None


def _result(kind: str, value: str, normal: str, errors: list[Issue], warnings: list[Issue]) -> IdCheck:
    return IdCheck(kind, value, normal, not errors, tuple(errors), tuple(warnings))


def check_uscc(value: str) -> IdCheck:
    """Validate a 统一社会信用代码 (GB 32100-2015)."""
    normal = normalize(value)
    errors: list[Issue] = []
    warnings: list[Issue] = []
    if problem := _shape_error("uscc", normal, USCC_LENGTH) or _charset_error("uscc", normal, USCC_VALUES):
        return _result("uscc", value, normal, [problem], [])
    authority, category = normal[0], normal[1]
    if authority not in REGISTRATION_AUTHORITIES:
        errors.append(messages.unknown_registration_authority(authority))
    if (expected := uscc_check_char(normal[:-1])) != normal[-1]:
        errors.append(messages.bad_check_char("uscc", expected, normal[-1]))
    if authority in ENTITY_CATEGORIES and category not in ENTITY_CATEGORIES[authority]:
        warnings.append(messages.unknown_category(authority, category))
    if not is_known_registration_region(region := normal[USCC_REGION]):
        warnings.append(messages.unknown_region("uscc", region))
    org_code = org_code_of_uscc(normal)
    if (expected := org_code_check_char(org_code[:-1])) != org_code[-1]:
        warnings.append(messages.org_code_check_mismatch(org_code, expected))
    return _result("uscc", value, normal, errors, warnings)


def org_code_of_uscc(uscc: str) -> str:
    """The organization code (主体标识码) at positions 9-17 of a USCC."""
    return normalize(uscc)[USCC_ORG_CODE]


def _compact_org_code(normal: str) -> str:
    """Drop the separator of the printed form XXXXXXXX-X."""
    if len(normal) == ORG_CODE_LENGTH + 1 and normal[ORG_CODE_LENGTH - 1] == ORG_CODE_SEPARATOR:
        return normal[: ORG_CODE_LENGTH - 1] + normal[-1]
    return normal


def check_org_code(value: str) -> IdCheck:
    """Validate a 组织机构代码 (GB 11714), written with or without the hyphen before the check char."""
    normal = _compact_org_code(normalize(value))
    if problem := _shape_error("org_code", normal, ORG_CODE_LENGTH) or _charset_error(
        "org_code", normal, ORG_CODE_BODY_ALPHABET
    ):
        return _result("org_code", value, normal, [problem], [])
    errors: list[Issue] = []
    if (expected := org_code_check_char(normal[:-1])) != normal[-1]:
        errors.append(messages.bad_check_char("org_code", expected, normal[-1]))
    return _result("org_code", value, normal, errors, [])


def check_reg_no(value: str) -> IdCheck:
    """Validate a 15-digit 工商注册号; a failed check digit is only a warning (registers hold exceptions)."""
    normal = normalize(value)
    if problem := (
        _shape_error("reg_no", normal, REG_NO_LENGTH)
        or _charset_error("reg_no", normal[:-1], _DIGITS)
        or _charset_error("reg_no", normal[-1], REG_NO_CHECK_ALPHABET, offset=REG_NO_LENGTH - 1)
    ):
        return _result("reg_no", value, normal, [problem], [])
    warnings: list[Issue] = []
    if not is_known_registration_region(region := normal[REG_NO_REGION]):
        warnings.append(messages.unknown_region("reg_no", region))
    if (expected := reg_no_check_digit(normal[:-1])) != normal[-1]:
        warnings.append(messages.bad_check_char("reg_no", expected, normal[-1]))
    return _result("reg_no", value, normal, [], warnings)


def birth_date_of_resident_id(normal: str) -> date | None:
    """Birth date in a normalised resident ID (18 digits, or the old 15 with a two-digit 19xx year)."""
    if len(normal) == RESIDENT_ID_LENGTH:
        digits = normal[RESIDENT_ID_BIRTH_DATE]
    elif len(normal) == 15:
        digits = "19" + normal[6:12]
    else:
        return None
    if not (digits.isascii() and digits.isdigit()):
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def _birth_date_error(normal: str, today: date) -> Issue | None:
    birth = birth_date_of_resident_id(normal)
    if birth is None:
        return messages.bad_birth_date(normal[RESIDENT_ID_BIRTH_DATE])
    if birth.year < EARLIEST_BIRTH_YEAR:
        return messages.birth_date_too_early(birth)
    if birth > today:
        return messages.future_birth_date(birth, today)
    return None


def check_resident_id(value: str, *, today: date | None = None) -> IdCheck:
    """Validate a 18-char 居民身份证号码 (GB 11643-1999) against `today` (default: the system date)."""
    normal = normalize(value)
    if problem := (
        _shape_error("resident_id", normal, RESIDENT_ID_LENGTH)
        or _charset_error("resident_id", normal[:-1], _DIGITS)
        or _charset_error(
            "resident_id", normal[-1], RESIDENT_ID_CHECK_ALPHABET, offset=RESIDENT_ID_LENGTH - 1
        )
    ):
        return _result("resident_id", value, normal, [problem], [])
    errors: list[Issue] = []
    if birth_problem := _birth_date_error(normal, today or date.today()):
        errors.append(birth_problem)
    if (expected := resident_id_check_char(normal[:-1])) != normal[-1]:
        errors.append(messages.bad_check_char("resident_id", expected, normal[-1]))
    # The region is where the number was issued, possibly created after the birth year: only its
    # absence from GB/T 2260 altogether is worth a warning.
    warnings: list[Issue] = []
    if not is_known_region(region := normal[RESIDENT_ID_REGION]):
        warnings.append(messages.unknown_region("resident_id", region))
    return _result("resident_id", value, normal, errors, warnings)


def check_region_code(value: str) -> IdCheck:
    """Validate a six-digit 行政区划代码; a code not in GB/T 2260 is a warning."""
    normal = normalize(value)
    if problem := _shape_error("region_code", normal, REGION_CODE_LENGTH) or _charset_error(
        "region_code", normal, _DIGITS
    ):
        return _result("region_code", value, normal, [problem], [])
    warnings = [] if is_known_region(normal) else [messages.unknown_region("region_code", normal)]
    return _result("region_code", value, normal, [], warnings)


def mask_resident_id(value: str) -> str:
    """Keep the first and last four characters, e.g. ``2202**********1234``; mask short values whole."""
    normal = normalize(value)
    if len(normal) <= 8:
        return "*" * len(normal)
    return normal[:4] + "*" * (len(normal) - 8) + normal[-4:]
