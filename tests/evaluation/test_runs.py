"""Batch runs: the whole population, resumable after an interruption, one run at a time, and the same
results as grading each subject on its own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from evaluation.helpers import (
    AS_OF,
    add_departments,
    company,
    license_row,
    listed,
    load,
    penalty,
    sole_trader,
)
from panshi.cli import app
from panshi.core.db import unit_of_work
from panshi.core.timeutil import utcnow
from panshi.evaluation import runs
from panshi.evaluation.definition import model_set
from panshi.evaluation.models import Evaluation, EvaluationRun
from panshi.evaluation.service import evaluate_subject

SUBJECTS = 7  # companies 1-6 and one sole trader


class Injected(Exception):
    """The failure injected after the first chunk."""


@pytest.fixture
def population(engine: Engine, tmp_path: Path) -> None:
    add_departments()
    name, uscc = sole_trader(7)
    load(
        tmp_path,
        licenses=[license_row(n) for n in range(1, 7)],
        penalties=[
            penalty(2, 1, categories="吊销许可证件", decided="2025-11-01"),
            penalty(5, 1, categories="警告;罚款", fine="12", decided="2026-03-01"),
            penalty(7, 1, categories="警告;罚款", fine="6", decided="2026-09-01", **{
                "行政相对人名称": name, "行政相对人类别": "个体工商户", "行政相对人代码_1(统一社会信用代码)": uscc}),
        ],
        entries=[listed(3, "serious_dishonest", start="2026-10-01"), listed(4, "trustworthy", start="2026-05-01")],
    )  # fmt: skip


def results(run_id: int) -> dict[int, tuple[str, float, str, Any]]:
    with unit_of_work() as session:
        rows = session.scalars(select(Evaluation).where(Evaluation.run_id == run_id)).all()
        return {e.subject_id: (e.model, e.score, e.grade, e.explanation) for e in rows}


def test_a_run_grades_every_subject_with_its_kind_s_model(population: None) -> None:
    out = runs.run(as_of=AS_OF, chunk_size=3)
    assert (out.status, out.total, out.done, out.resumed) == ("finished", SUBJECTS, SUBJECTS, False)
    graded = results(out.id)
    assert len(graded) == SUBJECTS
    models = sorted(m for m, *_ in graded.values())
    assert models == ["enterprise-2026.2"] * 6 + ["individual-business-2026.2"]
    with unit_of_work() as session:
        trader = evaluate_subject(session, code=sole_trader(7)[1], as_of=AS_OF)
    # individual-business: USCC +20, and its fine of 6 万元 is "heavy" under this model (≥ 5):
    # −60 × (1 − 61/1095) = −56.66; 750 + 20 − 56.66 = 713.34 → B
    assert trader.score == round(750 + 20 - 60 * (1 - 61 / 1095), 2) == 713.34
    assert trader.grade == "B"


def test_batch_and_single_subject_agree(population: None) -> None:
    out = runs.run(as_of=AS_OF, chunk_size=2)
    batch = results(out.id)
    codes = [company(n)[1] for n in range(1, 7)] + [sole_trader(7)[1]]
    with unit_of_work(write=True) as session:
        single = [evaluate_subject(session, code=c, as_of=AS_OF) for c in codes]
    by_batch = sorted((m, s, g) for m, s, g, _ in batch.values())
    assert by_batch == sorted((o.model, o.score, o.grade) for o in single)
    with unit_of_work() as session:
        on_demand = session.scalars(select(Evaluation).where(Evaluation.run_id.is_(None))).all()
        assert {e.subject_id: e.explanation for e in on_demand} == {k: v[3] for k, v in batch.items()}


def test_an_interrupted_run_resumes_without_duplicates(population: None) -> None:
    clean = results(runs.run(as_of=AS_OF, chunk_size=7).id)

    def fail_after_first_chunk(held: runs.Claim) -> None:
        raise Injected

    with pytest.raises(Injected):
        runs.run(as_of=AS_OF, chunk_size=3, after_chunk=fail_after_first_chunk)
    with unit_of_work() as session:
        run = session.scalars(select(EvaluationRun).where(EvaluationRun.slot == 1)).one()
        assert (run.status, run.done) == ("interrupted", 3)
        assert session.scalar(select(func.count()).where(Evaluation.run_id == run.id)) == 3
    resumed = runs.run(chunk_size=3)
    assert (resumed.id, resumed.resumed, resumed.status, resumed.done) == (run.id, True, "finished", SUBJECTS)
    assert resumed.as_of == AS_OF  # the interrupted run's evaluation date, not today
    again = results(resumed.id)
    assert len(again) == SUBJECTS  # unique (run_id, subject_id): no subject twice
    assert {k: v[:3] for k, v in again.items()} == {k: v[:3] for k, v in clean.items()}
    assert {k: v[3] for k, v in again.items()} == {k: v[3] for k, v in clean.items()}


def test_a_second_run_is_refused_while_one_holds_its_lease(population: None) -> None:
    with unit_of_work(write=True) as session:
        held = runs.claim(session, models=model_set(), as_of=AS_OF, actor="test")
    with pytest.raises(runs.EvaluationBusy, match="正在运行"):
        runs.run(as_of=AS_OF)
    # a chunk of the refused process could not be written either: the run is not its own
    with unit_of_work(write=True) as session:
        session.execute(update(EvaluationRun).values(owner="someone-else"))
    with pytest.raises(runs.LeaseLost):
        runs._next_chunk(held, chunk_size=2, engine=None)
    assert results(held.run_id) == {}
    # a process that died without a word: its lease runs out, and the next run takes over
    with unit_of_work(write=True) as session:
        session.execute(update(EvaluationRun).values(lease_until=utcnow() - timedelta(seconds=1)))
    out = runs.run()
    assert (out.id, out.resumed, out.done) == (held.run_id, True, SUBJECTS)


def test_an_unfinished_run_of_another_date_is_resumed_or_abandoned(population: None) -> None:
    with pytest.raises(Injected):
        runs.run(as_of=AS_OF, chunk_size=2, after_chunk=lambda held: (_ for _ in ()).throw(Injected()))
    with pytest.raises(runs.UnfinishedRun, match="--abandon"):
        runs.run(as_of=AS_OF + timedelta(days=1))
    out = runs.run(as_of=AS_OF + timedelta(days=1), abandon=True)
    assert (out.resumed, out.done, out.as_of) == (False, SUBJECTS, AS_OF + timedelta(days=1))


def test_cli_grades_all_and_one(population: None) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["evaluate", "--as-of", AS_OF.isoformat(), "--chunk", "4", "--json"])
    assert result.exit_code == 0, result.output
    assert '"status": "finished"' in result.stdout
    one = runner.invoke(app, ["evaluate", "--subject", company(3)[1], "--as-of", AS_OF.isoformat()])
    assert one.exit_code == 0, one.output
    assert "385" in one.stdout and "D 差" in one.stdout
    unknown = runner.invoke(app, ["evaluate", "--subject", company(99)[1]])
    assert unknown.exit_code == 1
