"""Column headers of the national 双公示 formats (行政处罚 and 行政许可), as departments send them."""

from __future__ import annotations

from typing import Final

from panshi.catalog.service import get_record_type


def _headers(record_type: str) -> tuple[str, ...]:
    return tuple(f.header for f in get_record_type(record_type).fields)


# The catalog is the one place that declares the national columns; the demo writes them as is.
PENALTY_HEADERS: Final = _headers("admin_penalty")
LICENSE_HEADERS: Final = _headers("admin_license")
SUBJECT_HEADERS: Final = PENALTY_HEADERS[: PENALTY_HEADERS.index("证件号码") + 1]
assert LICENSE_HEADERS[: len(SUBJECT_HEADERS)] == SUBJECT_HEADERS, (
    "both formats start with the subject columns"
)

# Column positions, for building and spoiling rows as lists.
PENALTY_COLUMN: Final = {header: index for index, header in enumerate(PENALTY_HEADERS)}
LICENSE_COLUMN: Final = {header: index for index, header in enumerate(LICENSE_HEADERS)}
USCC_COLUMN: Final = SUBJECT_HEADERS.index("行政相对人代码_1(统一社会信用代码)")
ID_NUMBER_COLUMN: Final = SUBJECT_HEADERS.index("证件号码")

ID_CARD: Final = "身份证"
LONG_TERM: Final = "2099-12-31"  # 有效期至 of a license without end (长期)
