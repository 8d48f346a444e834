"""Historical migration (存量数据迁移): stated receipt times become the records' arrival, drive 公示及时率,
are refused when impossible (row by row, with the reason) and from departments; the first arrival of a
record never moves on update."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine

from factories import DEPT_NAME, DEPT_USCC, penalty_row, write_csv
from panshi.accounts import service as accounts
from panshi.accounts.schemas import Principal, Role
from panshi.api.app import create_app
from panshi.core.calendar import working_calendar
from panshi.core.db import unit_of_work
from panshi.core.errors import NotAuthorised, PanshiError, UnreadableFile
from panshi.core.timeutil import SHANGHAI, utcnow
from panshi.ingest.models import Batch
from panshi.ingest.receipts import ReceiptTimes, parse_received_at, received_at_expr
from panshi.ingest.schemas import BatchResult
from panshi.ingest.service import Submitter, error_report_rows, ingest_file
from panshi.publicity import service as publicity
from panshi.records.models import Record
from panshi.records.service import provenance_of

COLUMN = "原平台接收时间"
MIGRATOR = Submitter(channel="cli", actor="cli:operator", operator=True)
DECIDED = date(2025, 6, 3)  # a Tuesday; the 7th working day after it is 2025-06-12 (端午 on 06-02)


def _shanghai(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


def _row(
    number: str, received: str | None, decided: date = DECIDED, n: int | None = None, **more: str
) -> dict[str, str]:
    row = penalty_row(n, **{"行政处罚决定书文号": number, "处罚决定日期": decided.isoformat(),
                               "处罚有效期": "2099-12-31", "公示截止期": "", **more})  # fmt: skip
    return row | ({COLUMN: received} if received is not None else {})


def _migrate(path: Path, receipts: ReceiptTimes, submitter: Submitter = MIGRATOR) -> BatchResult:
    with unit_of_work(write=True) as session:
        return ingest_file(
            session, path=path, record_type="admin_penalty", submitter=submitter, receipts=receipts
        )


def _records() -> dict[str, Record]:
    with unit_of_work() as session:
        found = session.scalars(select(Record)).all()
        session.expunge_all()
    return {r.data["decision_number"]: r for r in found}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC back


def test_stated_times_become_the_arrival_and_drive_timeliness(engine: Engine, tmp_path: Path) -> None:
    calendar = working_calendar()
    on_time = _shanghai(calendar.add_working_days(DECIDED, 3), 9)
    late = _shanghai(calendar.add_working_days(DECIDED, 12), 16)
    rows = [_row("M-1", on_time.strftime("%Y-%m-%d %H:%M:%S")), _row("M-2", late.date().isoformat())]
    result = _migrate(write_csv(tmp_path / "m.csv", rows), ReceiptTimes(column=COLUMN))
    assert (result.accepted, result.rejected, result.warnings) == (2, 0, 0)
    assert result.migration and result.channel == "migration"
    assert (
        result.migration_note and "cli:operator" in result.migration_note and COLUMN in result.migration_note
    )
    stored = _records()
    assert _utc(stored["M-1"].created_at) == on_time.astimezone(UTC) == _utc(stored["M-1"].received_at)
    assert _utc(stored["M-2"].created_at) == datetime.combine(late.date(), time(0), SHANGHAI).astimezone(UTC)
    with unit_of_work() as session:
        figures = publicity.timeliness(session, who=Principal(role=Role.operator, actor="t"),
                                       month_from="2025-06", month_to="2025-06", department_id=None)  # fmt: skip
    (june,) = figures.rows
    assert (june.department_name, june.decided, june.on_time, june.late, june.share) == (
        DEPT_NAME,
        2,
        1,
        1,
        0.5,
    )
    # The receipt column is provenance too: the record keeps the value as it was sent.
    with unit_of_work() as session:
        record = session.get(Record, stored["M-2"].id)
        assert record is not None
        provenance = provenance_of(session, [record])[record.id]
    assert provenance.submitted[COLUMN] == late.date().isoformat()


def test_one_time_for_the_file_and_for_blank_cells(engine: Engine, tmp_path: Path) -> None:
    at = _shanghai(date(2025, 6, 5), 11)
    started = utcnow()
    both = [_row("F-1", ""), _row("F-2", "2025-06-04 08:00")]
    result = _migrate(write_csv(tmp_path / "a.csv", both), ReceiptTimes(column=COLUMN, at=at))
    assert (result.accepted, result.rejected) == (2, 0), result.errors
    only_column = [_row("F-3", "")]
    assert _migrate(write_csv(tmp_path / "b.csv", only_column), ReceiptTimes(column=COLUMN)).accepted == 1
    file_wide = [_row("F-4", None)]
    assert _migrate(write_csv(tmp_path / "c.csv", file_wide), ReceiptTimes(at=at)).accepted == 1
    stored = _records()
    assert _utc(stored["F-1"].created_at) == at.astimezone(UTC) == _utc(stored["F-4"].created_at)
    assert _utc(stored["F-2"].created_at) == datetime(2025, 6, 4, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert _utc(stored["F-3"].created_at) >= started - timedelta(seconds=1)  # blank, no file time: now


def test_impossible_times_reject_their_rows_with_the_reason(engine: Engine, tmp_path: Path) -> None:
    tomorrow = (datetime.now(SHANGHAI) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    rows = [
        _row("R-1", "2025-06-06 10:00"),  # fine
        _row("R-2", tomorrow),  # the future
        _row("R-3", "2025-06-02 23:59:59"),  # the day before the decision (Shanghai)
        _row("R-4", "2025-06-02T16:00:00Z"),  # 00:00 on 06-03 in Shanghai: the decision day itself, fine
        _row("R-5", "2025-06-31"),  # no such day
        _row("R-6", "昨天"),
    ]
    result = _migrate(write_csv(tmp_path / "r.csv", rows), ReceiptTimes(column=COLUMN))
    assert (result.accepted, result.rejected) == (2, 4)
    found = {(e.row, e.field, e.column, e.code) for e in result.errors}
    assert found == {
        (2, "received_at", COLUMN, "future_received_at"),
        (3, "received_at", COLUMN, "received_before_decision"),
        (5, "received_at", COLUMN, "bad_received_at"),
        (6, "received_at", COLUMN, "bad_received_at"),
    }
    messages = {e.row: e.message for e in result.errors}
    assert "不能在未来" in messages[2] and "早于处罚决定日期（2025-06-03）" in messages[3]
    assert "2025-06-31" in messages[5]
    assert set(_records()) == {"R-1", "R-4"}
    # The file's own time before a row's decision rejects that row; a future one refuses the file.
    early = ReceiptTimes(at=_shanghai(date(2025, 6, 10)))
    later = [_row("R-7", None, decided=date(2025, 6, 20)), _row("R-8", None)]
    result = _migrate(write_csv(tmp_path / "e.csv", later), early)
    assert (result.accepted, [(e.row, e.code) for e in result.errors]) == (
        1,
        [(1, "received_before_decision")],
    )
    with pytest.raises(PanshiError, match="不能在未来"):
        _migrate(write_csv(tmp_path / "f.csv", later), ReceiptTimes(at=utcnow() + timedelta(hours=1)))


def test_the_first_arrival_never_moves(engine: Engine, tmp_path: Path) -> None:
    first = _shanghai(date(2025, 6, 5))
    assert _migrate(write_csv(tmp_path / "1.csv", [_row("U-1", "2025-06-05 10:00:00", n=500)]),
                    ReceiptTimes(column=COLUMN)).accepted == 1  # fmt: skip
    # A correction migrated later states a later receipt: a new version, received then; first arrival kept.
    changed = _row("U-1", "2025-07-01 10:00:00", n=500, **{"违法事实": "更正后的违法事实"})
    result = _migrate(write_csv(tmp_path / "2.csv", [changed]), ReceiptTimes(column=COLUMN))
    assert (result.accepted, result.updated) == (0, 1)
    record = _records()["U-1"]
    assert (_utc(record.created_at), record.version) == (first.astimezone(UTC), 2)
    assert _utc(record.received_at) == _shanghai(date(2025, 7, 1)).astimezone(UTC)
    # The department's own resubmission today: received now, first arrival still the migrated one.
    again = _row("U-1", None, n=500, **{"违法事实": "再次更正的违法事实"})
    with unit_of_work(write=True) as session:
        ingest_file(session, path=write_csv(tmp_path / "3.csv", [again]), record_type="admin_penalty",
                    submitter=Submitter(channel="api", actor="dept"))  # fmt: skip
    record = _records()["U-1"]
    assert (_utc(record.created_at), record.version) == (first.astimezone(UTC), 3)
    assert _utc(record.received_at) > utcnow() - timedelta(minutes=5)
    # An unchanged row restated with another time changes nothing.
    same = _migrate(
        write_csv(tmp_path / "4.csv", [again | {COLUMN: "2025-06-04"}]), ReceiptTimes(column=COLUMN)
    )
    assert same.unchanged == 1 and _records()["U-1"].version == 3


def test_a_department_cannot_backdate(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [_row("D-1", "2025-06-05")])
    department = Submitter(channel="api", actor="token:1", department_id=1, department_uscc=DEPT_USCC)
    with pytest.raises(NotAuthorised, match="只有平台运营人员"):
        _migrate(path, ReceiptTimes(column=COLUMN), submitter=department)
    with unit_of_work() as session:
        assert session.scalar(select(Batch.id)) is None


@pytest.fixture
def client(engine: Engine) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with unit_of_work(write=True) as session:
        _, department = accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        operator = accounts.issue_token(session, role="operator")
    with TestClient(create_app(), follow_redirects=False) as client:
        yield client, {"operator": operator, "department": department}


def _post(client: TestClient, token: str, path: Path, **form: str) -> Any:
    with path.open("rb") as fh:
        return client.post("/api/v1/batches", data={"type": "admin_penalty", **form},
                           files={"file": (path.name, fh)}, headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def test_the_api_admits_migrations_from_operators_only(
    client: tuple[TestClient, dict[str, str]], tmp_path: Path
) -> None:
    api, tokens = client
    path = write_csv(tmp_path / "api.csv", [_row("API-1", "2025-06-05 10:00"), _row("API-2", "2025-06-01")])
    refused = _post(api, tokens["department"], path, received_at_column=COLUMN)
    assert refused.status_code == 403 and "只有平台运营人员" in refused.json()["message"]
    refused = _post(api, tokens["department"], path, received_at="2025-06-05")
    assert refused.status_code == 403
    assert _records() == {}
    # An operator's API submission is a migration or nothing: day-to-day data comes from departments.
    plain = _post(api, tokens["operator"], path)
    assert plain.status_code == 403 and "存量数据" in plain.json()["message"]
    bad = _post(api, tokens["operator"], path, received_at="yesterday")
    assert bad.status_code == 400 and "不是有效的日期或时间" in bad.json()["message"]
    done = _post(api, tokens["operator"], path, received_at_column=COLUMN)
    assert done.status_code == 201, done.text
    body = done.json()
    assert (body["accepted"], body["rejected"], body["migration"], body["channel"]) == (
        1,
        1,
        True,
        "migration",
    )
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["code"] == "received_before_decision"
    auth = {"Authorization": f"Bearer {tokens['operator']}"}
    again = api.get(f"/api/v1/batches/{body['batch_id']}", headers=auth).json()
    assert again["migration"] and "token:" in again["migration_note"]
    listed = api.get("/api/v1/batches", headers=auth).json()
    assert [b["migration"] for b in listed] == [True]
    page = api.get(f"/console/batches/{body['batch_id']}", headers=auth)
    assert page.status_code == 200 and "存量数据迁移" in page.text
    with unit_of_work() as session:
        report = list(error_report_rows(session, body["batch_id"]))
    assert report[1][:4] == ["2", "received_at", COLUMN, "received_before_decision"]  # only bad rows


def test_the_receipt_column_must_be_there_and_not_a_catalog_field(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "n.csv", [_row("N-1", None)])
    with pytest.raises(UnreadableFile, match="没有原平台接收时间列"):
        _migrate(path, ReceiptTimes(column=COLUMN))
    with pytest.raises(UnreadableFile, match="是“行政处罚”目录的字段"):
        _migrate(path, ReceiptTimes(column="处罚决定日期"))
    # Without the option the column is not the catalog's: the file is refused as a whole, naming it.
    with_column = write_csv(tmp_path / "c.csv", [_row("N-2", "2025-06-05")])
    with (
        unit_of_work(write=True) as session,
        pytest.raises(UnreadableFile, match=f"无法识别的列：“{COLUMN}”"),
    ):
        ingest_file(session, path=with_column, record_type="admin_penalty", submitter=MIGRATOR)


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)),
    offset_minutes=st.sampled_from([None, 0, 480, -300, 330]),
    separator=st.sampled_from([" ", "T"]),
)
def test_stated_times_parse_to_the_same_instant(
    moment: datetime, offset_minutes: int | None, separator: str
) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    if offset_minutes is None:
        text, expected = moment.isoformat(sep=separator), moment.replace(tzinfo=SHANGHAI)
    else:
        from datetime import timezone

        zone = timezone(timedelta(minutes=offset_minutes))
        aware = moment.replace(tzinfo=zone)
        text = aware.isoformat(sep=separator).replace("+00:00", "Z" if moment.second % 2 else "+00:00")
        expected = aware
    assert parse_received_at(text) == expected.astimezone(UTC)
    frame = pl.DataFrame({"t": [text, moment.date().isoformat(), text + "x"]})
    parsed = frame.select(received_at_expr(pl.col("t"))).to_series().to_list()
    assert parsed[0] == expected.astimezone(UTC)
    assert parsed[1] == datetime.combine(moment.date(), time(0), SHANGHAI).astimezone(UTC)
    assert parsed[2] is None
