"""Check characters of the four checked identifiers, computed from their bodies.

Used by the validators and by anything that must build valid codes (the demo-data generator).
"""

from __future__ import annotations

from panshi.identifiers.rules import (
    ORG_CODE_CHECK_CHARS,
    ORG_CODE_MODULUS,
    ORG_CODE_VALUES,
    ORG_CODE_WEIGHTS,
    REG_NO_LENGTH,
    RESIDENT_ID_CHECK_CHARS,
    RESIDENT_ID_MODULUS,
    RESIDENT_ID_WEIGHTS,
    USCC_ALPHABET,
    USCC_MODULUS,
    USCC_VALUES,
    USCC_WEIGHTS,
)


class MalformedCodeBody(ValueError):
    """The body given to a check-character builder has the wrong length or characters."""


def _values(body: str, *, length: int, values: dict[str, int], what: str) -> list[int]:
    if len(body) != length or any(char not in values for char in body):
        raise MalformedCodeBody(f"{what} must be {length} characters from {''.join(values)!r}, got {body!r}")
    return [values[char] for char in body]


_DIGITS = {str(digit): digit for digit in range(10)}


def uscc_check_char(first17: str) -> str:
    """Check character (position 18) of a USCC: weights 3^i mod 31 over the 31-char alphabet."""
    values = _values(first17, length=len(USCC_WEIGHTS), values=USCC_VALUES, what="USCC body")
    total = sum(value * weight for value, weight in zip(values, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(USCC_MODULUS - total % USCC_MODULUS) % USCC_MODULUS]


def org_code_check_char(first8: str) -> str:
    """Check character (position 9) of a GB 11714 organization code: 0-9 or X."""
    values = _values(first8, length=len(ORG_CODE_WEIGHTS), values=ORG_CODE_VALUES, what="org code body")
    total = sum(value * weight for value, weight in zip(values, ORG_CODE_WEIGHTS, strict=True))
    return ORG_CODE_CHECK_CHARS[ORG_CODE_MODULUS - total % ORG_CODE_MODULUS]


def reg_no_check_digit(first14: str) -> str:
    """Check digit (position 15) of a 工商注册号 by ISO 7064 MOD 11,10 (GB/T 17710)."""
    digits = _values(first14, length=REG_NO_LENGTH - 1, values=_DIGITS, what="registration number body")
    product = 10
    for digit in digits:
        # (product + digit) mod 10, with 0 read as 10, doubled mod 11.
        product = ((product + digit + 9) % 10 + 1) * 2 % 11
    return str((11 - product) % 10)


def resident_id_check_char(first17: str) -> str:
    """Check character (position 18) of a resident ID (GB 11643): 0-9 or X."""
    digits = _values(first17, length=len(RESIDENT_ID_WEIGHTS), values=_DIGITS, what="resident ID body")
    total = sum(digit * weight for digit, weight in zip(digits, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_CHARS[total % RESIDENT_ID_MODULUS]
