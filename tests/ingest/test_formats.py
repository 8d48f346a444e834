"""One file in each accepted format and encoding lands the same records."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from factories import ingest, penalty_row, person_penalty_row, write_csv, write_json, write_xlsx
from panshi.core.db import unit_of_work
from panshi.records.models import Record


def _rows() -> list[dict[str, str]]:
    return [penalty_row(1), penalty_row(2, **{"违法事实": "多行\n违法事实"}), person_penalty_row(3)]


WRITERS = {
    "utf-8.csv": lambda p, rows: write_csv(p, rows, encoding="utf-8"),
    "utf-8-sig.csv": lambda p, rows: write_csv(p, rows, encoding="utf-8-sig"),
    "gbk.csv": lambda p, rows: write_csv(p, rows, encoding="gbk"),
    "gb18030.csv": lambda p, rows: write_csv(p, rows, encoding="gb18030"),
    "rows.xlsx": write_xlsx,
    "rows.json": write_json,
    "rows.ndjson": lambda p, rows: write_json(p, rows, ndjson=True),
}


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_format_lands_the_same_records(engine: Engine, tmp_path: Path, name: str) -> None:
    path = WRITERS[name](tmp_path / name, _rows())
    result = ingest(path)
    assert (result.received, result.accepted, result.rejected) == (3, 3, 0), result.errors
    with unit_of_work() as session:
        facts = session.scalars(
            select(Record.data["violation_facts"].as_string()).order_by(Record.source_row)
        ).all()
        assert facts[1] == "多行\n违法事实"
        assert session.scalar(select(func.count()).select_from(Record)) == 3


def test_gbk_is_detected_and_reported(engine: Engine, tmp_path: Path) -> None:
    result = ingest(write_csv(tmp_path / "gbk.csv", _rows(), encoding="gbk"))
    assert result.encoding in ("gb18030", "gbk")
    assert result.format == "csv"


def test_headers_in_any_spelling(engine: Engine, tmp_path: Path) -> None:
    from panshi.catalog.service import get_record_type

    rtype = get_record_type("admin_penalty")
    by_label = {f.header: f for f in rtype.fields}
    row = penalty_row(7)
    codes = {by_label[h].code: v for h, v in row.items()}
    names = {by_label[h].name: v for h, v in row.items()}
    bare = {h.split("(")[0]: v for h, v in row.items()}  # Chinese label without the bracketed hint
    for i, spelt in enumerate((codes, names, bare)):
        spelt = {k: (v.replace("7号", f"7-{i}号") if "文号" in k or k in ("CF_WSH", "decision_number") else v)
                 for k, v in spelt.items()}  # fmt: skip
        result = ingest(write_csv(tmp_path / f"h{i}.csv", [spelt]))
        assert (result.accepted, result.rejected) == (1, 0), result.errors
