"""The demo's cases: two objections and a repair application registered from the service window, in the
queue with their working-day deadlines, registered once."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.engine import Engine

from cases.helpers import published_penalty, set_minimum_end
from factories import ingest, write_csv
from panshi.accounts.service import principal_of_user
from panshi.cases.workflow import list_cases
from panshi.core.db import unit_of_work
from panshi.demo import service as demo
from panshi.demo.cases import add_demo_cases
from panshi.records.models import Record


def test_demo_cases_fill_the_queue_once(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from panshi.core.settings import get_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PANSHI_EVIDENCE_DIR", str(tmp_path / "evidence"))
    get_settings.cache_clear()
    ingest(write_csv(tmp_path / "p.csv", [published_penalty(n) for n in range(1, 6)]))
    with unit_of_work() as session:
        ids = session.scalars(select(Record.id).order_by(Record.id)).all()
    for record_id in ids[:2]:
        set_minimum_end(record_id, date.today() - timedelta(days=1))
    accounts = demo.add_demo_accounts(Console(file=io.StringIO()))
    subject = next(a.subject_code for a in accounts if a.role == "subject")

    add_demo_cases(Console(file=io.StringIO()), skip_subject=subject)
    add_demo_cases(Console(file=io.StringIO()), skip_subject=subject)  # a second run registers nothing

    with unit_of_work() as session:
        operator = principal_of_user(session, "demo-operator")
        department = principal_of_user(session, "demo-dept")
        assert operator is not None and department is not None
        queue = list_cases(session, who=operator, queue=True).items
        waiting = list_cases(session, who=department, queue=True).items
    assert sorted((c.kind, c.state, c.overdue) for c in queue) == [
        ("objection", "submitted", True),
        ("objection", "with_department", False),
        ("repair", "submitted", True),
    ]
    assert {c.subject_code for c in queue}.isdisjoint({subject})
    assert [c.state for c in waiting if c.state == "with_department"] == ["with_department"]
    get_settings.cache_clear()
