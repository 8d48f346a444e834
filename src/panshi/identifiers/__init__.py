"""Normalisation and validation of Chinese credit identifiers (DESIGN.md §3.1).

Scalar checks live here; `panshi.identifiers.vectorised` has the polars versions for bulk paths
and `panshi.identifiers.cli` the `panshi id` commands.
"""

from panshi.identifiers.checks import (
    birth_date_of_resident_id,
    check_org_code,
    check_reg_no,
    check_region_code,
    check_resident_id,
    check_uscc,
    mask_resident_id,
    normalize,
    org_code_of_uscc,
)
from panshi.identifiers.checksums import (
    MalformedCodeBody,
    org_code_check_char,
    reg_no_check_digit,
    resident_id_check_char,
    uscc_check_char,
)
from panshi.identifiers.identify import identify
from panshi.identifiers.messages import issue_message
from panshi.identifiers.regions import is_known_region, region_name
from panshi.identifiers.results import IdCheck, Issue
from panshi.identifiers.rules import KIND_LABELS

__all__ = [
    "KIND_LABELS",
    "IdCheck",
    "Issue",
    "MalformedCodeBody",
    "birth_date_of_resident_id",
    "check_org_code",
    "check_reg_no",
    "check_region_code",
    "check_resident_id",
    "check_uscc",
    "identify",
    "is_known_region",
    "issue_message",
    "mask_resident_id",
    "normalize",
    "org_code_check_char",
    "org_code_of_uscc",
    "reg_no_check_digit",
    "region_name",
    "resident_id_check_char",
    "uscc_check_char",
]
