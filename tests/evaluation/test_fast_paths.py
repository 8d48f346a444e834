"""The optimised paths give the answers of the plain ones, on a generated population (both engines):
the scoring statement that reads each record type once per chunk (a materialized CTE) against the
same statement inlined, as it was before; the re-grading sweep's high-water mark against testing
every subject."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from evaluation.helpers import add_departments, company, license_row, listed, load, penalty
from panshi.core.db import unit_of_work
from panshi.core.timeutil import today_shanghai
from panshi.evaluation import repository, runs
from panshi.evaluation.definition import model_set
from panshi.evaluation.models import EvaluationRun
from panshi.evaluation.scoring import SubjectFacts
from panshi.evaluation.service import grade_subjects
from panshi.records.models import RecordHistory
from panshi.subjects import service as subjects

COMPANIES = 24
CATEGORIES = ["警告", "罚款", "通报批评", "没收违法所得", "吊销许可证件", "责令停产停业", "暂扣许可证件", "警告;罚款",
              "吊销许可证件;罚款", "没收非法财物;罚款"]  # fmt: skip
FINES = ["", "0.5", "1", "10", "25.3"]
LIST_TYPES = ["serious_dishonest", "trustworthy", "judgment_defaulter"]


def population(tmp_path: Path, seed: int) -> None:
    """Companies with random penalties (classes, fines, ages up to five years), licenses in and out of
    force, and list entries, ingested as their departments send them."""
    rnd = random.Random(seed)
    today = today_shanghai()

    def day_back(most: int) -> str:
        return (today - timedelta(days=rnd.randrange(1, most))).isoformat()

    penalties, licenses, entries = [], [], []
    for n in range(1, COMPANIES + 1):
        for k in range(rnd.randrange(0, 5)):
            penalties.append(penalty(n, k + 1, categories=rnd.choice(CATEGORIES), fine=rnd.choice(FINES),
                                     decided=day_back(5 * 365)))  # fmt: skip
        for k in range(rnd.randrange(1, 3)):  # one at least: every company is a subject
            licenses.append(license_row(n, k + 1, 当前状态=rnd.choice(["1", "1", "2"]),
                                        有效期至=rnd.choice(["2099-12-31", day_back(400)])))  # fmt: skip
        if rnd.random() < 0.3:
            entries.append(listed(n, rnd.choice(LIST_TYPES), start=day_back(3 * 365), number=n))
    add_departments()
    load(tmp_path, penalties=penalties, licenses=licenses, entries=entries)


def graded_all(as_of: date) -> list[tuple[str, float, str, dict[str, Any]]]:
    with unit_of_work() as session:
        found = [subjects.find_subject(session, company(n)[1]) for n in range(1, COMPANIES + 1)]
        facts = [SubjectFacts(subject_id=s.id, kind=s.kind, uscc=s.uscc) for s in found]
        graded = grade_subjects(session, models=model_set(), subjects=facts, as_of=as_of)
    return [(m.id, s.score, s.grade, s.explanation) for m, s in graded]


@pytest.mark.parametrize("seed", [1, 2])
def test_scoring_reads_once_and_scores_as_before(
    engine: Engine, tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    population(tmp_path, seed)
    for as_of in (today_shanghai(), today_shanghai() - timedelta(days=400)):
        fast = graded_all(as_of)
        with monkeypatch.context() as m:
            m.setattr(repository, "_read_once", lambda rows: rows)  # the statement as it was: inlined
            plain = graded_all(as_of)
        assert fast == plain
    indicators = {i["code"] for _, _, _, x in fast for d in x["dimensions"] for i in d["indicators"]}
    assert {"valid_licenses", "penalty_light"} <= indicators  # the population exercises the scoring
    assert len({score for _, score, _, _ in fast}) > 5


def changed(monkeypatch: pytest.MonkeyPatch, *, exhaustive: bool) -> list[tuple[int, str, str | None]]:
    models = model_set()
    with unit_of_work() as session, monkeypatch.context() as m:
        if exhaustive:
            m.setattr(repository, "_high_water_mark", lambda session, model_ids: None)
        return repository.changed_subjects(
            session, model_ids=[x.id for x in models.models], kinds=models.kinds, after=0, limit=1000
        )


def test_the_sweeps_high_water_mark_finds_what_testing_everyone_finds(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    population(tmp_path, 3)
    assert len(changed(monkeypatch, exhaustive=False)) == COMPANIES  # no run yet: every one, no mark
    assert runs.run().status == "finished"
    assert changed(monkeypatch, exhaustive=False) == changed(monkeypatch, exhaustive=True) == []
    yesterday = (today_shanghai() - timedelta(days=1)).isoformat()
    load(tmp_path, penalties=[penalty(n, 9, categories="警告", decided=yesterday) for n in (2, 5, 11)],
         licenses=[license_row(COMPANIES + 1)])  # fmt: skip
    with unit_of_work(write=True) as session:  # as if that ingest had begun before the run: its rows
        # are stamped before the mark, and count from their batches' completion, after it
        mark = session.scalar(select(func.max(EvaluationRun.started_at)))
        late = session.scalars(select(RecordHistory).where(RecordHistory.at > mark)).all()
        assert len(late) == 4
        for row in late:
            row.at = row.at - timedelta(days=1)
    fast = changed(monkeypatch, exhaustive=False)
    assert fast == changed(monkeypatch, exhaustive=True)
    assert {uscc for _, _, uscc in fast} == {company(n)[1] for n in (2, 5, 11, COMPANIES + 1)}
    sweep = runs.regrade_changed()
    assert sweep.done == 4
    # a sweep is not a mark (most subjects kept older results): the answer stays exact
    assert changed(monkeypatch, exhaustive=False) == changed(monkeypatch, exhaustive=True) == []
