"""Golden subjects of commitments (信用承诺), worked out by hand from enterprise-2026.2.yaml.

2026.2 is 2026.1 plus: each commitment assessed (认定) on or before the evaluation date counts once —
全部履行 +10 (cap 50) in 守信激励, 全部未履行 −100 (cap 300) and 部分履行 −40 (cap 200) in the dimension
信用承诺履行 (min −300) — decaying linearly to nothing over 1095 days from its 履行状态认定日期. A
commitment not yet assessed, or assessed after the evaluation date, counts for nothing. Base 750, USCC +30.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from evaluation.helpers import AS_OF, add_departments, commitment, company, load
from panshi.core.db import unit_of_work
from panshi.evaluation.schemas import EvaluationOut
from panshi.evaluation.service import evaluate_subject
from panshi.records.models import Record


@pytest.fixture
def golden(engine: Engine, tmp_path: Path) -> None:
    add_departments()
    load(
        tmp_path,
        commitments=[
            # 11: kept, assessed 180 days before; its 公开类型 does not matter to the grade
            commitment(11, 1, made="2026-03-02", fulfilment="全部履行", assessed="2026-05-05",
                       公开类型="特定范围内公开"),
            # 12: six kept on the evaluation date (cap 50), one not assessed, one assessed after it
            *[commitment(12, i, made="2026-06-01", fulfilment="全部履行", assessed="2026-11-01") for i in range(1, 7)],
            commitment(12, 7, made="2026-06-01"),
            commitment(12, 8, made="2026-06-01", fulfilment="全部履行", assessed="2026-11-20"),
            # 13: a breach 90 days old, a partial breach 365 days old, a breach 1127 days old (gone)
            commitment(13, 1, made="2026-07-01", fulfilment="全部未履行", assessed="2026-08-03"),
            commitment(13, 2, made="2025-09-01", fulfilment="部分履行", assessed="2025-11-01"),
            commitment(13, 3, made="2023-06-01", fulfilment="全部未履行", assessed="2023-10-01"),
            # 14: four breaches on the evaluation date: −400, capped at −300
            *[commitment(14, i, made="2026-10-01", fulfilment="全部未履行", assessed="2026-11-01") for i in range(1, 5)],
        ],
    )  # fmt: skip


def grade(n: int) -> EvaluationOut:
    with unit_of_work(write=True) as session:
        return evaluate_subject(session, code=company(n)[1], as_of=AS_OF)


def indicators(out: EvaluationOut) -> dict[str, Any]:
    return {i.code: i for d in out.dimensions or [] for i in d.indicators}


def dimension(out: EvaluationOut, code: str) -> Any:
    return next(d for d in out.dimensions or [] if d.code == code)


def test_a_kept_commitment_counts_in_incentives_decayed_from_its_assessment(golden: None) -> None:
    out = grade(11)
    # 750 + 30 + 10 × (1 − 180/1095) = 788.36 → B
    assert (out.score, out.grade, out.model) == (788.36, "B", "enterprise-2026.2")
    kept = indicators(out)["commitment_kept"]
    assert kept.points == 8.36 and len(kept.records) == 1
    assert kept.records[0].decision_date.isoformat() == "2026-05-05"  # the assessment, not the date made
    assert dimension(out, "incentive").points == 8.36


def test_kept_commitments_are_capped_and_unassessed_ones_do_not_count(golden: None) -> None:
    out = grade(12)
    # six × 10 = 60, capped at 50: 750 + 30 + 50 = 830 → B
    assert (out.score, out.grade) == (830, "B")
    kept = indicators(out)["commitment_kept"]
    assert (kept.raw_points, kept.points, len(kept.records)) == (60, 50, 6)


def test_breaches_count_by_how_much_was_not_kept_and_fade(golden: None) -> None:
    out = grade(13)
    # −100 × (1 − 90/1095) = −91.78; −40 × (1 − 365/1095) = −26.67; the 2023 breach has decayed away:
    # 750 + 30 − 118.45 = 661.55 → C
    assert (out.score, out.grade) == (661.55, "C")
    found = indicators(out)
    assert found["commitment_breached"].points == -91.78 and len(found["commitment_breached"].records) == 1
    assert found["commitment_partly_breached"].points == -26.67
    assert dimension(out, "commitment").name == "信用承诺履行"


def test_breaches_are_capped_by_indicator_and_dimension(golden: None) -> None:
    out = grade(14)
    # 4 × −100 = −400, capped at −300 (also the dimension's floor): 750 + 30 − 300 = 480 → D
    assert (out.score, out.grade) == (480, "D")
    assert indicators(out)["commitment_breached"].raw_points == -400
    assert dimension(out, "commitment").points == -300


def test_a_reported_breach_of_a_commitment_lowers_the_next_grade(golden: None, tmp_path: Path) -> None:
    """The accepting department reports the 履行状态 later, as an update of the same 承诺编码."""
    load(tmp_path, commitments=[commitment(15, 1, made="2026-09-01")])
    before = grade(15)
    assert (before.score, before.grade) == (780, "B")
    load(
        tmp_path,
        commitments=[commitment(15, 1, made="2026-09-01", fulfilment="全部未履行", assessed="2026-11-01")],
    )
    after = grade(15)
    # 780 − 100 = 680 → C
    assert (after.score, after.grade) == (680, "C")
    # the same commitment, now in its second version: not a second record
    with unit_of_work() as session:
        versions = session.execute(
            select(Record.id, Record.version).where(Record.record_type == "credit_commitment",
                                                    Record.natural_key.contains("2202842026090101500"))
        ).all()  # fmt: skip
    assert [v for _, v in versions] == [2]
    assert indicators(after)["commitment_breached"].records[0].id == versions[0][0]
