"""Bad input gets a clear, row-level error (or a file-level one) and loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from factories import ingest, make_uscc, penalty_row, person_penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.core.errors import UnknownRecordType, UnreadableFile
from panshi.ingest.models import Batch
from panshi.records.models import Record

GOOD = make_uscc(4242)
BAD_CHECK = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")

BAD_ROWS = [
    ({"行政相对人代码_1(统一社会信用代码)": BAD_CHECK}, "subject_uscc", "bad_check_char"),
    ({"行政相对人代码_1(统一社会信用代码)": "91220284MA0Y1234O5"}, "subject_uscc", None),
    ({"处罚决定日期": "2026-02-30"}, "decision_date", "bad_date"),
    ({"处罚决定日期": "2099-01-01"}, "decision_date", "future_date"),
    ({"公示截止期": "2025-01-01"}, "publicity_end", "date_order"),
    ({"罚款金额(万元)": "-3"}, "fine_amount", "negative_amount"),
    ({"罚款金额(万元)": "一万"}, "fine_amount", "bad_amount"),
    ({"处罚类别": "罚款;罚金"}, "penalty_categories", "unknown_value"),
    ({"行政相对人类别": "企业"}, "subject_category", "unknown_value"),
    ({"违法事实": ""}, "violation_facts", "missing_required"),
    ({"行政处罚决定书文号": "   "}, "decision_number", "missing_required"),
    ({"行政相对人代码_1(统一社会信用代码)": ""}, "subject_uscc", "missing_required"),
    ({"处罚机关统一社会信用代码": "123"}, "authority_uscc", "bad_length"),
]


@pytest.mark.parametrize(("overrides", "field", "code"), BAD_ROWS)
def test_bad_row_is_rejected_with_row_field_and_reason(
    engine: Engine, tmp_path: Path, overrides: dict[str, str], field: str, code: str | None
) -> None:
    rows = [penalty_row(1), penalty_row(2, **overrides), penalty_row(3)]
    result = ingest(write_csv(tmp_path / "p.csv", rows))
    assert (result.received, result.accepted, result.rejected) == (3, 2, 1)
    errors = [e for e in result.errors if e.row == 2]
    assert errors and errors[0].field == field
    if code:
        assert errors[0].code == code
    assert errors[0].column  # the header as the clerk spelt it
    assert errors[0].column.split("(")[0] in errors[0].message  # the message names its column


def test_natural_person_needs_id_number(engine: Engine, tmp_path: Path) -> None:
    result = ingest(write_csv(tmp_path / "p.csv", [person_penalty_row(1, **{"证件号码": ""})]))
    assert result.rejected == 1
    assert (result.errors[0].field, result.errors[0].code) == ("id_number", "missing_required")


def test_bad_resident_id_birth_date(engine: Engine, tmp_path: Path) -> None:
    from panshi.identifiers import resident_id_check_char

    first17 = "22028420260230123"
    result = ingest(
        write_csv(
            tmp_path / "p.csv",
            [person_penalty_row(1, **{"证件号码": first17 + resident_id_check_char(first17)})],
        )
    )  # noqa: E501
    assert result.rejected == 1 and result.errors[0].field == "id_number"


def test_unknown_header_refuses_the_file_with_a_suggestion(engine: Engine, tmp_path: Path) -> None:
    row = penalty_row(1)
    row["处罚决定日"] = row.pop("处罚决定日期")
    with pytest.raises(UnreadableFile) as caught:
        ingest(write_csv(tmp_path / "p.csv", [row]))
    assert "处罚决定日" in caught.value.message and "处罚决定日期" in caught.value.message
    _nothing_stored()


def test_missing_required_column_refuses_the_file(engine: Engine, tmp_path: Path) -> None:
    row = penalty_row(1)
    del row["违法事实"]
    with pytest.raises(UnreadableFile, match="缺少必填列"):
        ingest(write_csv(tmp_path / "p.csv", [row]))
    _nothing_stored()


def test_encoding_broken_mid_file_refuses_the_whole_file(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [penalty_row(i) for i in range(1, 2001)])
    with path.open("ab") as fh:
        fh.write("磐石市坏编码公司".encode("gbk") + b",x" * 22 + b"\n")  # GBK bytes in a UTF-8 file
    with pytest.raises(UnreadableFile):
        ingest(path)
    _nothing_stored()


def test_empty_and_binary_files(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "bin.csv").write_bytes(bytes(range(256)) * 10)
    for name in ("empty.csv", "bin.csv"):
        with pytest.raises(UnreadableFile):
            ingest(tmp_path / name)
    _nothing_stored()


def test_unknown_record_type(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(UnknownRecordType, match="admin_penalty"):
        ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]), record_type="tax_grade")


def test_hostile_text_is_stored_verbatim(engine: Engine, tmp_path: Path) -> None:
    hostile = "'); DROP TABLE records; -- <script>alert('x')</script> {{7*7}} =cmd|' /C calc'!A0"
    result = ingest(write_csv(tmp_path / "p.csv", [penalty_row(1, **{"违法事实": hostile})]))
    assert result.accepted == 1
    with unit_of_work() as session:
        stored = session.scalar(select(Record.data["violation_facts"].as_string()))
    assert stored == hostile


def test_same_record_twice_in_one_file(engine: Engine, tmp_path: Path) -> None:
    result = ingest(
        write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(1, **{"违法事实": "另一版本"})])
    )
    assert (result.accepted, result.rejected) == (1, 1)
    assert result.errors[0].row == 2 and result.errors[0].code == "duplicate_in_file"
    assert "第 1 行" in result.errors[0].message


def test_ndjson_broken_line_is_a_row_error(engine: Engine, tmp_path: Path) -> None:
    import json

    path = tmp_path / "p.ndjson"
    lines = [
        json.dumps(penalty_row(1), ensure_ascii=False),
        "{not json",
        json.dumps(penalty_row(3), ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ingest(path)
    assert (result.received, result.accepted, result.rejected) == (3, 2, 1)
    assert (result.errors[0].row, result.errors[0].code) == (2, "bad_json")


def _nothing_stored() -> None:
    with unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 0
        assert session.scalar(select(func.count()).select_from(Record)) == 0


def test_bad_rows_beyond_the_first_csv_block_are_reported(engine: Engine, tmp_path: Path) -> None:
    # Arrow reads CSV in blocks of a few MiB; chunks gathered from several blocks must validate
    # like one (a multi-chunk frame once made polars panic while building the issues).
    rows = [penalty_row(i) for i in range(1, 12_001)]
    rows[11_500] = penalty_row(11_501, **{"处罚决定日期": "2026-02-30"})
    result = ingest(write_csv(tmp_path / "big.csv", rows))
    assert (result.received, result.accepted, result.rejected) == (12_000, 11_999, 1)
    assert (result.errors[0].row, result.errors[0].code) == (11_501, "bad_date")
