"""Guess which kind of identifier a value is, by its shape, and check it as that kind."""

from __future__ import annotations

import re
from datetime import date

from panshi.identifiers import messages
from panshi.identifiers.checks import (
    check_org_code,
    check_reg_no,
    check_region_code,
    check_resident_id,
    check_uscc,
    normalize,
)
from panshi.identifiers.results import IdCheck
from panshi.identifiers.rules import (
    ORG_CODE_LENGTH,
    ORG_CODE_SEPARATOR,
    REG_NO_LENGTH,
    REGION_CODE_LENGTH,
    REGISTRATION_AUTHORITIES,
    RESIDENT_ID_LENGTH,
    USCC_ALPHABET,
    USCC_LENGTH,
)

_RESIDENT_ID_SHAPE = re.compile(r"\d{17}[\dX]")


def _looks_like_uscc(normal: str) -> bool:
    return normal[0] in REGISTRATION_AUTHORITIES and all(char in USCC_ALPHABET for char in normal)


def _plausibility(check: IdCheck) -> tuple[bool, int]:
    return check.valid, -(len(check.errors) + len(check.warnings))


def _identify_18(value: str, normal: str, today: date | None) -> IdCheck:
    candidates: list[IdCheck] = []
    if _looks_like_uscc(normal):
        candidates.append(check_uscc(value))
    if _RESIDENT_ID_SHAPE.fullmatch(normal):
        candidates.append(check_resident_id(value, today=today))
    if not candidates:
        return check_uscc(value)
    # An 18-digit string can be either: the valid one wins, then the one with fewer errors and
    # warnings (a resident ID with a typo has a known region and a USCC reading of it rarely
    # does); max() keeps the first of equals, so a tie goes to the USCC.
    return max(candidates, key=_plausibility)


def identify(value: str, *, today: date | None = None) -> IdCheck:
    """Check `value` as the kind of identifier its shape suggests (kind "unknown" if none fits)."""
    normal = normalize(value)
    length = len(normal)
    if length == USCC_LENGTH == RESIDENT_ID_LENGTH:
        return _identify_18(value, normal, today)
    if length == ORG_CODE_LENGTH or (
        length == ORG_CODE_LENGTH + 1 and normal[ORG_CODE_LENGTH - 1] == ORG_CODE_SEPARATOR
    ):
        return check_org_code(value)
    if length == REG_NO_LENGTH:
        # Old 15-digit resident IDs have this length too; in credit records it is a 注册号.
        return check_reg_no(value)
    if length == REGION_CODE_LENGTH:
        return check_region_code(value)
    problem = messages.empty("unknown") if not normal else messages.unrecognised_format(length)
    return IdCheck("unknown", value, normal, False, (problem,), ())
