"""The demo as a migration (存量数据迁移): simulated receipt times follow each department's habit, never
precede the decision nor pass now, leave the rows themselves unchanged, and give the loaded county a
公示及时率 that is neither 0% nor 100% for its departments."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.engine import Engine

from panshi.accounts.schemas import Principal, Role
from panshi.core.calendar import working_calendar
from panshi.core.db import unit_of_work
from panshi.core.timeutil import SHANGHAI, utcnow
from panshi.demo import service as demo
from panshi.demo.generator import (
    HABITS,
    LICENSE_HEADERS,
    PENALTY_HEADERS,
    RECEIPT_HEADER,
    ReceiptClock,
    generate_license_rows,
    generate_penalty_rows,
    generate_subjects,
)
from panshi.ingest.models import Batch
from panshi.publicity import service as publicity

START, END = date(2024, 1, 1), date(2025, 12, 31)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=SHANGHAI)


def _penalties(n: int, clock: ReceiptClock | None) -> list[dict[str, str]]:
    subjects = list(generate_subjects(400, seed=3))
    return list(generate_penalty_rows(subjects, n, seed=3, start=START, end=END, receipts=clock))


def test_receipts_follow_the_decision_and_the_habit() -> None:
    rows = _penalties(6000, ReceiptClock(seed=3, now=NOW))
    calendar = working_calendar()
    shares: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        decided = date.fromisoformat(row["处罚决定日期"])
        if not row[RECEIPT_HEADER]:  # the habit puts it after now (a backlog not sent yet)
            assert decided > END - timedelta(days=200)
            continue
        received = datetime.fromisoformat(row[RECEIPT_HEADER])
        assert decided < received.date() and received < NOW.replace(tzinfo=None)
        assert 8 <= received.hour <= 17
        shares[row["数据来源单位"]].append(received.date() <= calendar.add_working_days(decided, 7))
    on_time = {
        department: sum(flags) / len(flags) for department, flags in shares.items() if len(flags) > 100
    }
    assert len(on_time) >= 3
    assert all(0.4 < share < 1.0 for share in on_time.values()), on_time
    # Departments differ: the slowest habit shows a clearly lower share than the most prompt.
    assert max(on_time.values()) - min(on_time.values()) > 0.1, on_time
    assert set(shares) <= set(HABITS)


def test_the_rows_are_the_same_with_or_without_receipts() -> None:
    with_receipts = _penalties(300, ReceiptClock(seed=3, now=NOW))
    plain = _penalties(300, None)
    assert [{k: v for k, v in r.items() if k != RECEIPT_HEADER} for r in with_receipts] == plain
    assert list(with_receipts[0]) == [*PENALTY_HEADERS, RECEIPT_HEADER] and list(plain[0]) == list(
        PENALTY_HEADERS
    )
    licenses = generate_license_rows(list(generate_subjects(50, seed=3)), 5, seed=3, start=START, end=END,
                                     receipts=ReceiptClock(seed=3, now=NOW))  # fmt: skip
    assert licenses.headers == (*LICENSE_HEADERS, RECEIPT_HEADER)


def test_recent_decisions_arrive_now() -> None:
    """A receipt the habit puts after now is left blank: the row arrives with the import."""
    now = datetime.combine(END, datetime.min.time(), SHANGHAI) + timedelta(hours=12)
    rows = _penalties(3000, ReceiptClock(seed=3, now=now))
    blank = [r for r in rows if not r[RECEIPT_HEADER]]
    assert blank and all(date.fromisoformat(r["处罚决定日期"]) > END - timedelta(days=200) for r in blank)
    assert len(blank) < len(rows) // 10


def test_the_loaded_demo_reports_realistic_timeliness(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the demo writes its files under var/demo
    out = io.StringIO()
    started = utcnow()
    demo._load(subjects=400, records=3000, bad_fraction=0.01, console=Console(file=out, width=200))
    assert "原平台接收时间为模拟值" in out.getvalue()
    with unit_of_work() as session:
        double_publicity = Batch.record_type.in_(("admin_penalty", "admin_license"))  # 双公示: migrated
        channels = set(session.scalars(select(Batch.channel).where(double_publicity)))
        today = datetime.now(SHANGHAI).date()
        figures = publicity.timeliness(
            session, who=Principal(role=Role.operator, actor="t"), month_from=f"{today.year - 3}-01",
            month_to=f"{today:%Y-%m}", department_id=None,
        )  # fmt: skip
    assert channels == {"migration"}
    by_department: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in figures.rows:
        by_department[row.department_name][0] += row.on_time
        by_department[row.department_name][1] += row.late
    judged = {name: on / (on + late) for name, (on, late) in by_department.items() if on + late >= 50}
    assert len(judged) >= 5, by_department
    assert all(0.3 < share < 1.0 for share in judged.values()), judged
    # Months long past are judged by their migrated arrival, not by the load (which would be 0%).
    old = [r for r in figures.rows if r.month < f"{today.year - 1}-01" and r.share is not None]
    assert old and sum(r.on_time for r in old) > sum(r.late for r in old)
    assert started <= utcnow()
