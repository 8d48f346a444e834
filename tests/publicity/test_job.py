"""The stored windows, the publicity job and the backfill on both engines: the public view changes on
the day after the end; run twice, nothing new; interrupted, the rerun finishes; every step in history."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.engine import Engine

from factories import ingest, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.publicity import jobs, service
from panshi.records import service as records
from panshi.records.models import Record, RecordHistory

PUBLIC = ("admin_penalty", "admin_license")


def _load(tmp_path: Path, rows: list[dict[str, str]], name: str = "p.csv") -> None:
    result = ingest(write_csv(tmp_path / name, rows))
    assert result.rejected == 0, result


def _records() -> dict[str, Record]:
    with unit_of_work() as session:
        found = session.scalars(select(Record).order_by(Record.id)).all()
        session.expunge_all()
    return {r.data["decision_number"]: r for r in found}


def _events(event: str) -> list[RecordHistory]:
    with unit_of_work() as session:
        found = list(session.scalars(select(RecordHistory).where(RecordHistory.event == event)))
        session.expunge_all()
    return found


def _visible(record_id: int, on: date) -> bool:
    with unit_of_work() as session:
        return records.is_publicly_visible(session, record_id, on=on, public_types=PUBLIC)


def _row(n: int, decided: str, **fields: str) -> dict[str, str]:
    return penalty_row(
        n, **{"行政处罚决定书文号": f"磐市监处罚〔2026〕{n}号", "处罚决定日期": decided, **fields}
    )


@pytest.fixture
def stored(engine: Engine, tmp_path: Path) -> dict[str, Record]:
    _load(tmp_path, [
        _row(1, "2023-06-01", 公示截止期="2023-07-01"),  # stated before the minimum end: clamped to it
        _row(2, "2025-06-01"),
        _row(3, "2025-06-01", 处罚类别="警告", 处罚内容="警告", **{"罚款金额(万元)": ""}),  # not published
        _row(4, "2022-12-01", 公示截止期="2023-03-01"),  # 2019 rule, 一般: 3 months to 1 year
    ])  # fmt: skip
    return _records()


def test_ingest_stores_the_window_and_its_rule(stored: dict[str, Record]) -> None:
    one, two, warning, old = (stored[f"磐市监处罚〔2026〕{n}号"] for n in (1, 2, 3, 4))
    assert (one.publicity_start, one.publicity_minimum_end, one.publicity_end) == (
        date(2023, 6, 1), date(2023, 9, 1), date(2023, 9, 1))  # fmt: skip
    assert one.publicity_rule == two.publicity_rule == warning.publicity_rule == "220000-2023.1"
    assert (two.publicity_minimum_end, two.publicity_end) == (date(2025, 9, 1), date(2028, 6, 1))
    assert (warning.publicity_start, warning.publicity_end, warning.publicity_minimum_end) == (
        None,
        None,
        None,
    )
    assert (old.publicity_rule, old.publicity_minimum_end, old.publicity_end) == (
        "national-2019.1", date(2023, 3, 1), date(2023, 3, 1))  # fmt: skip
    assert not any(r.publicity_closed_on for r in stored.values())


def test_the_job_closes_ended_windows_once_with_history(stored: dict[str, Record]) -> None:
    one, old = stored["磐市监处罚〔2026〕1号"], stored["磐市监处罚〔2026〕4号"]
    assert _visible(one.id, date(2023, 9, 1)) and not _visible(one.id, date(2023, 9, 2))
    assert jobs.run_expiry(on=date(2023, 3, 1)).expired == 0  # the end day itself is still public
    first = jobs.run_expiry(on=date(2023, 9, 2))
    assert (first.expired, first.remaining) == (2, 0)
    after = _records()
    assert (after[one.data["decision_number"]].publicity_closed_on, after[one.data["decision_number"]].publicity_closed_reason) == (
        date(2023, 9, 2), "expired")  # fmt: skip
    assert after[old.data["decision_number"]].publicity_closed_on == date(2023, 3, 2)  # the day after its end
    assert after[one.data["decision_number"]].publicity_end == date(2023, 9, 1)  # unchanged
    events = _events("publicity_ended")
    assert sorted(e.record_id for e in events) == sorted([one.id, old.id])
    assert {e.actor for e in events} == {"system:publicity"}
    assert {e.version for e in events} == {1}
    assert any("2023-09-01" in (e.reason or "") for e in events)
    # run twice: nothing new
    assert jobs.run_expiry(on=date(2023, 9, 2)).expired == 0
    assert jobs.run_expiry(on=date(2026, 1, 1)).expired == 0
    assert len(_events("publicity_ended")) == 2


def test_an_interrupted_run_is_finished_by_the_rerun(
    stored: dict[str, Record], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = service.end_expired
    calls = {"n": 0}

    def failing_after_one(session: Any, *, on: date, limit: int) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(session, on=on, limit=limit)

    monkeypatch.setattr(service, "end_expired", failing_after_one)
    with pytest.raises(RuntimeError):
        jobs.run_expiry(on=date(2030, 1, 1), chunk=1)
    assert len(_events("publicity_ended")) == 1  # the first chunk was committed, the second rolled back
    monkeypatch.setattr(service, "end_expired", real)
    rerun = jobs.run_expiry(on=date(2030, 1, 1), chunk=1)
    assert (rerun.expired, rerun.remaining) == (2, 0)
    assert len(_events("publicity_ended")) == 3  # one each, never two


def test_end_publicity_for_a_repair(stored: dict[str, Record]) -> None:
    two = stored["磐市监处罚〔2026〕2号"]
    with unit_of_work(write=True) as session:
        records.end_publicity(session, record_id=two.id, on=date(2026, 1, 10), reason="repaired",
                              actor="user:reviewer", note="信用修复申请已通过")  # fmt: skip
    assert _visible(two.id, date(2026, 1, 9)) and not _visible(two.id, date(2026, 1, 10))
    after = _records()["磐市监处罚〔2026〕2号"]
    assert (after.publicity_end, after.publicity_closed_on, after.publicity_closed_reason) == (
        date(2026, 1, 9), date(2026, 1, 10), "repaired")  # fmt: skip
    [event] = _events("repaired")
    assert (event.actor, event.version) == ("user:reviewer", after.version)
    assert "信用修复申请已通过" in (event.reason or "") and "2028-06-01" in (event.reason or "")
    with unit_of_work(write=True) as session:  # again: the first closing stands, nothing written
        records.end_publicity(
            session, record_id=two.id, on=date(2026, 2, 1), reason="withdrawn", actor="x", note="再次"
        )
    assert _records()["磐市监处罚〔2026〕2号"].publicity_closed_reason == "repaired"
    assert len(_events("repaired")) == 1 and not _events("withdrawn")
    assert jobs.run_expiry(on=date(2026, 6, 1)).expired == 2  # records 1 and 4; not the repaired one
    assert two.id not in {e.record_id for e in _events("publicity_ended")}


def test_a_new_version_of_a_closed_record_stays_out_of_view(
    stored: dict[str, Record], tmp_path: Path
) -> None:
    jobs.run_expiry(on=date(2023, 9, 2))
    corrected = _row(1, "2023-06-01", 公示截止期="2023-07-01", 违法事实="更正后的违法事实")
    _load(tmp_path, [corrected], name="again.csv")
    after = _records()["磐市监处罚〔2026〕1号"]
    assert after.version == 2 and after.data["violation_facts"] == "更正后的违法事实"
    assert (after.publicity_end, after.publicity_closed_reason) == (date(2023, 9, 1), "expired")


def test_recompute_backfills_windows_once_with_history(stored: dict[str, Record]) -> None:
    # the store as it was before rule data: decision date to the stated end, no rule
    one = stored["磐市监处罚〔2026〕1号"]
    with unit_of_work(write=True) as session:
        session.execute(update(Record).values(publicity_rule=None))
        session.execute(text("UPDATE records SET publicity_start = decision_date"))
        session.execute(
            update(Record)
            .where(Record.id == one.id)
            .values(publicity_end=date(2023, 7, 1), publicity_minimum_end=None)
        )
    out = jobs.recompute()
    assert out.examined == 4
    # 1: end 2023-07-01 → 2023-09-01; 3: not published now; 2 and 4: same dates, rule name only
    assert (out.changed, out.relabelled) == (2, 2)
    after = _records()
    assert after["磐市监处罚〔2026〕1号"].publicity_end == date(2023, 9, 1)
    assert after["磐市监处罚〔2026〕3号"].publicity_start is None
    assert {r.publicity_rule for r in after.values()} == {"220000-2023.1", "national-2019.1"}
    events = _events("publicity_recomputed")
    assert sorted(e.record_id for e in events) == sorted(
        [after["磐市监处罚〔2026〕1号"].id, after["磐市监处罚〔2026〕3号"].id]
    )
    assert all("220000-2023.1" in (e.reason or "") for e in events)
    again = jobs.recompute()
    assert (again.examined, again.changed) == (0, 0)
    assert jobs.recompute(rule="*").changed == 0  # every window already as the rules say
    assert len(_events("publicity_recomputed")) == 2
