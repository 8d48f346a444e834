"""Hypothesis strategies that build valid identifiers with the package's own check-char builders."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from panshi.identifiers import (
    org_code_check_char,
    reg_no_check_digit,
    resident_id_check_char,
    uscc_check_char,
)
from panshi.identifiers.regions import known_region_codes
from panshi.identifiers.rules import (
    ENTITY_CATEGORIES,
    ORG_CODE_BODY_ALPHABET,
    REGISTRATION_AUTHORITIES,
    USCC_ALPHABET,
)

TODAY = date(2025, 6, 30)
DIGITS = "0123456789"
REGIONS = sorted(known_region_codes())


def chars(alphabet: str, size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=size, max_size=size)


@st.composite
def valid_usccs(draw: st.DrawFn) -> str:
    """Any 17-char body whose first char is a registration authority, plus its check char."""
    authority = draw(st.sampled_from(sorted(REGISTRATION_AUTHORITIES)))
    body = authority + draw(chars(USCC_ALPHABET, 16))
    return body + uscc_check_char(body)


@st.composite
def clean_usccs(draw: st.DrawFn) -> str:
    """A USCC with no warnings either: known category and region, consistent embedded org code."""
    authority = draw(st.sampled_from(sorted(ENTITY_CATEGORIES)))
    category = draw(st.sampled_from(sorted(ENTITY_CATEGORIES[authority])))
    org_body = draw(chars(USCC_ALPHABET, 8))
    org_check = org_code_check_char(org_body)
    body = authority + category + draw(st.sampled_from(REGIONS)) + org_body + org_check
    return body + uscc_check_char(body)


@st.composite
def valid_org_codes(draw: st.DrawFn) -> str:
    body = draw(chars(ORG_CODE_BODY_ALPHABET, 8))
    return body + org_code_check_char(body)


@st.composite
def valid_reg_nos(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from(REGIONS)) + draw(chars(DIGITS, 8))
    return body + reg_no_check_digit(body)


@st.composite
def valid_resident_ids(draw: st.DrawFn, today: date = TODAY) -> str:
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=today))
    body = draw(st.sampled_from(REGIONS)) + born.strftime("%Y%m%d") + draw(chars(DIGITS, 3))
    return body + resident_id_check_char(body)
