"""Golden subjects: scores, grades and explanations worked out by hand from enterprise-2026.1.yaml, as
the current version 2026.2 grades them (2026.1 plus commitments: these subjects have none; see
test_commitment_golden.py).

The model: base 750; 已取得统一社会信用代码 +30; each valid license +5 (cap 30); penalties by the first
class they match — severe -150 with a half-life of 730 days, fines of 10 万元 or more -60 and other
fines -20 linearly to nothing over 1095 days, the rest -5 linearly over 365 days; 严重失信主体名单 -400
and 守信激励对象 +100 while in force. Grades: D < 550 ≤ C < 700 ≤ B < 850 ≤ A.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from evaluation.helpers import AS_OF, add_departments, company, license_row, listed, load, penalty
from panshi.core.db import unit_of_work
from panshi.evaluation.schemas import EvaluationOut
from panshi.evaluation.service import evaluate_subject


@pytest.fixture
def golden(engine: Engine, tmp_path: Path) -> None:
    add_departments()
    load(
        tmp_path,
        licenses=[license_row(1), license_row(2), license_row(3), license_row(4), license_row(5)],
        penalties=[
            penalty(2, 1, categories="吊销许可证件;罚款", fine="20", decided="2025-11-01"),
            penalty(5, 1, categories="警告;罚款", fine="1", decided="2025-11-01"),
            penalty(5, 2, categories="警告", decided="2026-05-05"),
            penalty(5, 3, categories="通报批评", decided="2025-10-01"),  # 396 days: fully decayed
            penalty(5, 4, categories="警告", decided="2026-11-20"),  # after the evaluation date
        ],
        entries=[
            listed(3, "serious_dishonest", start="2026-10-01"),
            listed(4, "trustworthy", start="2026-05-01"),
            listed(4, "judgment_defaulter", start="2023-01-01", number=2),  # ended 2024-12-31: no effect
        ],
    )


def grade(n: int) -> EvaluationOut:
    with unit_of_work(write=True) as session:
        return evaluate_subject(session, code=company(n)[1], as_of=AS_OF)


def indicators(out: EvaluationOut) -> dict[str, Any]:
    return {i.code: i for d in out.dimensions or [] for i in d.indicators}


def test_clean_enterprise(golden: None) -> None:
    out = grade(1)
    # 750 + 30 (USCC) + 5 (one valid license) = 785 → B 良
    assert (out.score, out.grade, out.grade_label, out.model) == (785, "B", "良", "enterprise-2026.2")
    assert set(indicators(out)) == {"uscc_registered", "valid_licenses"}
    assert len(indicators(out)["valid_licenses"].records) == 1


def test_severe_penalty_counts_once_in_its_most_severe_class(golden: None) -> None:
    out = grade(2)
    # 吊销 with a fine of 20 万元: severe only (not also a heavy fine). 365 of 730 days: × 2^-0.5.
    severe = round(-150 * 2**-0.5, 2)
    assert severe == -106.07
    assert out.score == round(750 + 30 + 5 + severe, 2) == 678.93
    assert out.grade == "C"
    found = indicators(out)
    assert "penalty_heavy_fine" not in found
    assert found["penalty_severe"].points == severe
    assert [r.decision_date.isoformat() for r in found["penalty_severe"].records] == ["2025-11-01"]


def test_black_list(golden: None) -> None:
    out = grade(3)
    # listed 2026-10-01 without an end: in force for 36 months. 750 + 30 + 5 − 400 = 385 → D 差
    assert (out.score, out.grade, out.grade_label) == (385, "D", "差")
    dishonesty = next(d for d in out.dimensions or [] if d.code == "dishonesty")
    assert dishonesty.points == -400
    assert [i.code for i in dishonesty.indicators] == ["serious_dishonest"]


def test_red_list_and_an_expired_black_list(golden: None) -> None:
    out = grade(4)
    # 守信激励对象 +100; the 失信被执行人 entry of 2023-01-01 (24 months) ended 2024-12-31.
    # 750 + 30 + 5 + 100 = 885 → A 优
    assert (out.score, out.grade, out.grade_label) == (885, "A", "优")
    assert "judgment_defaulter" not in indicators(out)


def test_decay_over_time(golden: None) -> None:
    out = grade(5)
    # 警告;罚款 of 1 万元, 365 days old: a general penalty, −20 × (1 − 365/1095) = −13.33
    # 警告 180 days old: light, −5 × (1 − 180/365) = −2.53; 通报批评 396 days old: nothing left;
    # the 警告 of 2026-11-20 is after the evaluation date.
    general, light = round(-20 * (1 - 365 / 1095), 2), round(-5 * (1 - 180 / 365), 2)
    assert (general, light) == (-13.33, -2.53)
    assert out.score == round(750 + 30 + 5 + general + light, 2) == 769.14
    assert out.grade == "B"
    found = indicators(out)
    assert found["penalty_general"].points == general
    assert found["penalty_light"].points == light
    assert len(found["penalty_light"].records) == 1


def test_decay_lets_a_severe_penalty_fade(golden: None) -> None:
    with unit_of_work(write=True) as session:
        later = evaluate_subject(session, code=company(2)[1], as_of=AS_OF.replace(year=2027))
    # two years after 2025-11-01 (730 days): half of −150
    assert indicators(later)["penalty_severe"].points == -75
    assert later.score == 750 + 30 + 5 - 75
    assert math.isclose(later.score, 710) and later.grade == "B"


def test_results_keep_history_and_name_the_model(golden: None) -> None:
    first, second = grade(1), grade(1)
    assert first.model == second.model == "enterprise-2026.2"
    assert first.model_version == "2026.2"
    assert second.computed_at >= first.computed_at
    assert first.run_id is None  # re-graded on demand, not by a run
