"""Re-grading after a change to a subject's records: exactly the changed subjects (and those never
graded), by the same scoring as the batch, under the run lease; and its scheduled task."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from evaluation.helpers import add_departments, company, license_row, load, penalty
from panshi.cli import app
from panshi.core.db import unit_of_work
from panshi.core.scheduler import scheduled_tasks
from panshi.core.settings import get_settings
from panshi.core.timeutil import today_shanghai
from panshi.evaluation import runs, tasks
from panshi.evaluation.definition import model_set
from panshi.evaluation.models import Evaluation, EvaluationRun
from panshi.evaluation.service import latest_evaluation
from panshi.records import service as records
from panshi.subjects import service as subjects

COMPANIES = range(1, 5)


@pytest.fixture
def graded(engine: Engine, tmp_path: Path) -> None:
    """Four companies with a license each, all graded today by a batch run."""
    add_departments()
    load(tmp_path, licenses=[license_row(n) for n in COMPANIES])
    out = runs.run()
    assert (out.status, out.done) == ("finished", len(COMPANIES))


def latest(n: int) -> Evaluation:
    with unit_of_work() as session:
        found = latest_evaluation(session, subjects.find_subject(session, company(n)[1]).id)
        assert found is not None
        session.expunge(found)
        return found


def regraded(out_id: int) -> set[str]:
    with unit_of_work() as session:
        ids = session.scalars(select(Evaluation.subject_id).where(Evaluation.run_id == out_id)).all()
        return {s.uscc or "" for s in subjects.subjects_by_id(session, set(ids)).values()}


def test_nothing_changed_grades_nobody(graded: None) -> None:
    out = runs.regrade_changed()
    assert (out.status, out.total, out.done) == ("finished", 0, 0)
    assert regraded(out.id) == set()


def test_a_new_penalty_regrades_its_subject_only(graded: None, tmp_path: Path) -> None:
    before = latest(2)
    assert (before.score, before.grade) == (785, "B")  # 750 + 30 (USCC) + 5 (one license)
    yesterday = (today_shanghai() - timedelta(days=1)).isoformat()
    load(tmp_path, penalties=[penalty(2, 1, categories="吊销许可证件", decided=yesterday)])
    out = runs.regrade_changed(chunk_size=1)
    assert (out.done, out.total, out.as_of) == (1, 1, today_shanghai())
    assert regraded(out.id) == {company(2)[1]}
    after = latest(2)
    # a severe penalty one day old: −150 × 2^(−1/730) = −149.86 → 635.14, C 中
    assert (after.score, after.grade) == (round(785 - 150 * 2 ** (-1 / 730), 2), "C") == (635.14, "C")
    found = {i["code"]: i for d in after.explanation["dimensions"] for i in d["indicators"]}
    assert [r["decision_date"] for r in found["penalty_severe"]["records"]] == [yesterday]
    assert latest(1).id == latest(1).id and latest(1).run_id != out.id  # the others are untouched
    assert regraded(runs.regrade_changed().id) == set()  # and once graded, it is no longer changed


def test_an_amendment_and_a_new_subject_count_as_changes(graded: None, tmp_path: Path) -> None:
    with unit_of_work(write=True) as session:
        subject = subjects.find_subject(session, company(3)[1])
        record_id = records.of_type_for_subjects(session, "admin_license", [subject.id])[0][0].id
        records.amend(session, record_id=record_id, record_type="admin_license", changes={}, status="withdrawn",
                      actor="test", reason="来源单位撤回")  # fmt: skip
    load(tmp_path, licenses=[license_row(9)])  # a subject never graded
    out = runs.regrade_changed()
    assert regraded(out.id) == {company(3)[1], company(9)[1]}
    assert latest(3).score == 780  # its only license withdrawn: 750 + 30


def test_a_sweep_never_interleaves_with_a_batch(graded: None) -> None:
    with unit_of_work(write=True) as session:
        held = runs.claim(session, models=model_set(), as_of=None, actor="test")
    with pytest.raises(runs.EvaluationBusy):
        runs.regrade_changed()
    assert tasks.regrade().startswith("skipped: 评价任务")  # the scheduled turn says why, and waits
    with unit_of_work(write=True) as session:
        runs.repository.end_run(session, run_id=held.run_id, owner=held.owner, status="interrupted",
                                now=runs.utcnow())  # fmt: skip
    with pytest.raises(runs.UnfinishedRun, match="续跑"):  # an interrupted batch is not buried by a sweep
        runs.regrade_changed()
    assert runs.run().resumed


def test_an_interrupted_sweep_is_dropped_not_resumed(graded: None, tmp_path: Path) -> None:
    load(tmp_path, licenses=[license_row(9), license_row(10)])

    def stop(held: runs.Claim) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runs.regrade_changed(chunk_size=1, after_chunk=stop)
    with unit_of_work() as session:
        assert session.scalar(select(func.count()).where(EvaluationRun.slot == 1)) == 0
        assert (
            session.scalar(select(EvaluationRun.status).order_by(EvaluationRun.id.desc()).limit(1))
            == "abandoned"
        )
    with unit_of_work() as session:
        first = set(
            session.scalars(select(Evaluation.subject_id).where(Evaluation.run_id.is_not(None))).all()
        )
    out = runs.regrade_changed()
    rest = regraded(out.id)
    assert len(rest) == 1 and rest < {company(9)[1], company(10)[1]}  # one was graded before the stop
    assert len(first) == len(COMPANIES) + 1


def test_cli_and_schedule(graded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load(tmp_path, licenses=[license_row(9)])
    result = CliRunner().invoke(app, ["evaluate", "--changed"])
    assert result.exit_code == 0, result.output
    assert "重新评价了 1 个主体" in result.stdout
    refused = CliRunner().invoke(app, ["evaluate", "--changed", "--as-of", "2026-01-01"])
    assert refused.exit_code == 1
    (task,) = [t for t in scheduled_tasks() if t.name == "evaluation.regrade"]
    assert task.every_seconds == get_settings().evaluation_regrade_minutes * 60 == 300
    monkeypatch.setattr(get_settings(), "evaluation_regrade_minutes", 0)
    assert tasks.task().every_seconds == 0  # 0 disables
    assert task.run().endswith(": 0 subjects re-graded")
