"""A batch stored chunk by chunk: what spans chunks (duplicates, subjects) ends as if stored at once;
values as submitted come back exactly; text that COPY treats specially is stored verbatim."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from factories import (
    full_file,
    ingest,
    make_uscc,
    penalty_row,
    write_csv,
    write_json,
)
from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings
from panshi.identifiers import reg_no_check_digit
from panshi.ingest.pipeline import read_ahead
from panshi.records import service as records
from panshi.records.models import Record, RecordHistory


@pytest.fixture
def chunks_of_two(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Chunks of two rows (JSON files are chunked by rows; CSV by blocks of a few MiB)."""
    monkeypatch.setenv("PANSHI_INGEST_CHUNK_ROWS", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_duplicates_in_later_chunks_come_back(engine: Engine, tmp_path: Path, chunks_of_two: None) -> None:
    rows = [penalty_row(1), penalty_row(2), penalty_row(1, **{"违法事实": "另一版本"}), penalty_row(3),
            penalty_row(2)]  # fmt: skip
    result = ingest(write_json(tmp_path / "p.ndjson", rows, ndjson=True))
    assert (result.received, result.accepted, result.rejected) == (5, 3, 2)
    assert [(e.row, e.code) for e in result.errors] == [(3, "duplicate_in_file"), (5, "duplicate_in_file")]
    assert "第 1 行" in result.errors[0].message and "第 2 行" in result.errors[1].message
    with unit_of_work() as session:
        facts = session.scalars(select(Record.data["violation_facts"].as_string())).all()
        assert (
            "另一版本" not in facts and session.scalar(select(func.count()).select_from(RecordHistory)) == 3
        )


def test_duplicate_of_an_unchanged_record_in_a_later_chunk(
    engine: Engine, tmp_path: Path, chunks_of_two: None
) -> None:
    ingest(write_csv(tmp_path / "a.csv", [penalty_row(1)]))
    rows = [penalty_row(1), penalty_row(2), penalty_row(1, **{"违法事实": "另一版本"})]
    result = ingest(write_json(tmp_path / "b.ndjson", rows, ndjson=True))
    assert (result.unchanged, result.accepted, result.updated, result.rejected) == (1, 1, 0, 1)
    assert (result.errors[0].row, result.errors[0].code) == (3, "duplicate_in_file")
    assert "第 1 行" in result.errors[0].message


def test_updated_record_repeated_in_a_later_chunk(
    engine: Engine, tmp_path: Path, chunks_of_two: None
) -> None:
    ingest(write_csv(tmp_path / "a.csv", [penalty_row(1)]))
    rows = [
        penalty_row(1, **{"罚款金额(万元)": "2"}),
        penalty_row(2),
        penalty_row(1, **{"罚款金额(万元)": "3"}),
    ]
    result = ingest(write_json(tmp_path / "b.ndjson", rows, ndjson=True))
    assert (result.updated, result.accepted, result.rejected) == (1, 1, 1)
    with unit_of_work() as session:
        amounts = session.scalars(select(Record.data["fine_amount"].as_string()).order_by(Record.source_row))
        assert list(amounts) == ["2", "1"]  # the first version in the file stands
    assert (result.errors[0].row, result.errors[0].code) == (3, "duplicate_in_file")


def test_provisional_subject_merges_into_a_later_chunks_uscc(
    engine: Engine, tmp_path: Path, chunks_of_two: None
) -> None:
    uscc = make_uscc(777)
    reg14 = "22028400001234"
    reg_no = reg14 + reg_no_check_digit(reg14)
    old_only = {"行政相对人代码_1(统一社会信用代码)": "", "行政相对人代码_2(工商注册号)": reg_no}
    rows = [penalty_row(1, **old_only), penalty_row(2), penalty_row(3, **old_only),
            penalty_row(4, **{"行政相对人代码_1(统一社会信用代码)": uscc, "行政相对人代码_2(工商注册号)": reg_no})]  # fmt: skip
    result = ingest(write_json(tmp_path / "p.ndjson", rows, ndjson=True))
    assert result.accepted == 4
    with unit_of_work(write=True) as session:
        for code in (uscc, reg_no):
            file = full_file(session, code)
            assert file.subject.uscc == uscc
            assert sorted(r.value("decision_number") for r in file.records) == [
                "磐市监处罚〔2025〕1号", "磐市监处罚〔2025〕3号", "磐市监处罚〔2025〕4号"]  # fmt: skip


def _as_read(row: dict[str, str]) -> dict[str, str | None]:
    return {header: value or None for header, value in row.items()}  # an empty cell reads as null


def _submitted(code: str) -> dict[str, object]:
    with unit_of_work(write=True) as session:
        (record,) = full_file(session, code).records
        assert record.provenance is not None
        return record.provenance.submitted


def test_values_as_submitted_come_back_exactly(engine: Engine, tmp_path: Path) -> None:
    uscc = make_uscc(42)
    row = {"序号": "7"} | penalty_row(42, **{
        "行政相对人代码_1(统一社会信用代码)": uscc.lower(), "行政相对人名称": " 磐石市测试42号商贸有限公司 ",
        "处罚决定日期": "2025/6/1", "处罚类别": "警告；罚款", "罚款金额(万元)": "1,000", "备注": "   ",
        "处罚有效期": "20260601", "法定代表人": "王五",
    })  # fmt: skip
    ingest(write_csv(tmp_path / "p.csv", [row]))
    assert _submitted(uscc) == _as_read(row)


def test_values_as_submitted_survive_an_amendment(engine: Engine, tmp_path: Path) -> None:
    uscc = make_uscc(43)
    row = penalty_row(43, **{"行政相对人代码_1(统一社会信用代码)": uscc, "处罚决定日期": "2025/6/1"})
    ingest(write_csv(tmp_path / "p.csv", [row]))
    with unit_of_work(write=True) as session:
        record_id = session.scalars(select(Record.id)).one()
        records.amend(session, record_id=record_id, record_type="admin_penalty",
                      changes={"decision_date": "2025-06-02", "fine_amount": "9"}, actor="test", reason="更正日期")  # fmt: skip
    assert _submitted(uscc) == _as_read(row)


def test_text_special_to_copy_is_stored_verbatim(engine: Engine, tmp_path: Path) -> None:
    special = "制表\t换行\n回车\r\n反斜杠\\ \\N \\t 结尾\\"
    uscc = make_uscc(44)
    row = penalty_row(44, **{"违法事实": special, "行政相对人代码_1(统一社会信用代码)": uscc,
                             "行政处罚决定书文号": "磐市监处罚\\〔2025〕\t44号"})  # fmt: skip
    result = ingest(write_json(tmp_path / "p.json", [row]))
    assert result.accepted == 1
    with unit_of_work() as session:
        record = session.scalars(select(Record)).one()
        assert record.data["violation_facts"] == special
        assert record.data["decision_number"] == "磐市监处罚\\〔2025〕\t44号"
        assert record.natural_key.count("\t") == 1
    assert _submitted(uscc)["违法事实"] == special


def test_read_ahead_yields_in_order_and_raises_the_workers_error() -> None:
    def items() -> Iterator[int]:
        yield from range(5)
        raise ValueError("bad block")

    seen = []
    with pytest.raises(ValueError, match="bad block"):
        for item in read_ahead(items()):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_read_ahead_stops_its_worker_when_the_caller_stops() -> None:
    made = []

    def items() -> Iterator[int]:
        for i in range(1000):
            made.append(i)
            yield i

    for item in read_ahead(items()):
        if item == 2:
            break
    time.sleep(0.2)
    assert len(made) <= 5 and not [t for t in threading.enumerate() if t.name == "ingest-read-ahead"]


def test_a_failure_mid_batch_stores_nothing_and_stops_the_reader(
    engine: Engine, tmp_path: Path, chunks_of_two: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from panshi.ingest.store import ChunkStore

    add = ChunkStore.add
    calls = []

    def failing_add(self: ChunkStore, chunk: object) -> None:
        calls.append(chunk)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        add(self, chunk)  # type: ignore[arg-type]

    monkeypatch.setattr(ChunkStore, "add", failing_add)
    path = write_json(tmp_path / "p.ndjson", [penalty_row(i) for i in range(1, 9)], ndjson=True)
    try:
        ingest(path)
    except RuntimeError as exc:
        error = exc  # its traceback holds the ingest's frames: the worker must have stopped anyway
    assert "went away" in str(error) and error.__traceback__ is not None
    assert not [t for t in threading.enumerate() if t.name == "ingest-read-ahead"]
    with unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 0
