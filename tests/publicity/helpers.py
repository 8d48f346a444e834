"""Building frames of penalty and license records as ingest hands them to publicity.windows."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from panshi.catalog.schemas import FieldType
from panshi.catalog.service import get_record_type
from panshi.publicity.rules import rule_set
from panshi.publicity.windows import compute

MARKET = "磐石市市场监督管理局"
SAFETY = "磐石市应急管理局"
COUNTY, ELSEWHERE = "220284", "110105"  # a node in Jilin, and one outside it


def frame(record_type: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    spec = get_record_type(record_type)
    schema = {f.name: pl.Date if f.type is FieldType.date else pl.String for f in spec.fields}
    return pl.DataFrame(rows, schema=schema)


def penalty(
    decided: date,
    categories: str = "罚款",
    fine: str | None = "5",
    *,
    authority: str = MARKET,
    legal_basis: str = "《中华人民共和国产品质量法》第四十九条",
    violation_type: str = "销售不合格产品",
    stated: date | None = None,
    category: str = "法人及非法人组织",
    id_number: str | None = None,
) -> dict[str, Any]:
    return {
        "decision_date": decided, "penalty_categories": categories, "fine_amount": fine, "authority": authority,
        "source_department": authority, "legal_basis": legal_basis, "violation_type": violation_type,
        "publicity_end": stated, "subject_category": category, "id_type": "身份证" if id_number else None,
        "id_number": id_number,
    }  # fmt: skip


def windows_of(
    rows: list[dict[str, Any]], *, node: str = COUNTY, record_type: str = "admin_penalty"
) -> list[dict[str, Any]]:
    return compute(frame(record_type, rows), get_record_type(record_type), rule_set(node)).to_dicts()


def window_of(
    row: dict[str, Any], *, node: str = COUNTY
) -> tuple[date | None, date | None, date | None, str | None]:
    """(start, minimum end, end, rule) of one penalty."""
    w = windows_of([row], node=node)[0]
    return w["publicity_start"], w["publicity_minimum_end"], w["publicity_end"], w["publicity_rule"]
