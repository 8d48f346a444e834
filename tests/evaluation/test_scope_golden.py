"""Golden subjects of the other models of 2026.2 and the subjects no model grades, worked out by hand.

social-organisation-2026.2 is enterprise-2026.2 with a heavy fine from 5 万元 (−60, linear over
1095 days) instead of 10 万元; public-institution-2026.2 is enterprise-2026.2 for 事业单位 (USCC 12…)
(these subjects make no commitments: 2026.2 grades them as 2026.1 did);
机关 (USCC 11…) and natural persons are out of scope: refused with the reason, and skipped by runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from evaluation.helpers import AS_OF, add_departments, load, penalty
from factories import make_uscc
from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError
from panshi.evaluation import runs
from panshi.evaluation.models import Evaluation
from panshi.evaluation.service import evaluate_subject
from panshi.subjects import service as subjects

SOCIAL = ("磐石市测试书法家协会", make_uscc(501, prefix="51220284"))
INSTITUTION = ("磐石市测试第一中学", make_uscc(502, prefix="12220284"))
ORGAN = ("磐石市测试局", make_uscc(503, prefix="11220284"))
NON_PROFIT_FINE = 6  # 万元: heavy for a social organisation (≥ 5), general for an enterprise (< 10)


def of(subject: tuple[str, str]) -> dict[str, str]:
    return {"行政相对人名称": subject[0], "行政相对人代码_1(统一社会信用代码)": subject[1]}


@pytest.fixture
def others(engine: Engine, tmp_path: Path) -> None:
    add_departments()
    fined = {"categories": "罚款", "fine": str(NON_PROFIT_FINE), "decided": "2026-05-05"}  # 180 days before
    load(
        tmp_path,
        penalties=[
            penalty(501, 1, **fined, **of(SOCIAL)),
            penalty(502, 1, **fined, **of(INSTITUTION)),
            penalty(503, 1, **fined, **of(ORGAN)),
        ],
    )


def test_a_social_organisation_has_its_own_model(others: None) -> None:
    with unit_of_work(write=True) as session:
        out = evaluate_subject(session, code=SOCIAL[1], as_of=AS_OF)
    # 6 万元 ≥ 5: heavy fine −60 × (1 − 180/1095) = −50.137; 750 + 30 − 50.137 = 729.86 → B 良
    assert (out.model, out.score, out.grade, out.grade_label) == (
        "social-organisation-2026.2",
        729.86,
        "B",
        "良",
    )
    found = {i.code: i for d in out.dimensions or [] for i in d.indicators}
    assert set(found) == {"uscc_registered", "penalty_heavy_fine"}
    assert found["penalty_heavy_fine"].points == -50.14
    assert found["penalty_heavy_fine"].name == "较大数额罚款（5 万元及以上）"


def test_a_public_institution_is_graded_as_a_legal_person(others: None) -> None:
    with unit_of_work(write=True) as session:
        out = evaluate_subject(session, code=INSTITUTION[1], as_of=AS_OF)
    # 6 万元 < 10: general penalty −20 × (1 − 180/1095) = −16.712; 750 + 30 − 16.712 = 763.29 → B
    assert (out.model, out.score, out.grade) == ("public-institution-2026.2", 763.29, "B")
    found = {i.code: i.points for d in out.dimensions or [] for i in d.indicators}
    assert found == {"uscc_registered": 30, "penalty_general": -16.71}


def test_an_organ_is_out_of_scope_with_its_reason(others: None) -> None:
    with unit_of_work(write=True) as session, pytest.raises(PanshiError) as refused:
        evaluate_subject(session, code=ORGAN[1], as_of=AS_OF)
    assert refused.value.code == "no_model_for_subject"
    assert "机关不参与公共信用综合评价" in refused.value.message and "政务诚信" in refused.value.message
    out = runs.run(as_of=AS_OF)
    assert (out.status, out.total) == ("finished", 3)  # read in its chunk, graded by no model
    with unit_of_work() as session:
        organ = subjects.find_subject(session, ORGAN[1])
        graded = dict(session.execute(select(Evaluation.subject_id, Evaluation.model)).all())
    assert organ.id not in graded
    assert sorted(graded.values()) == ["public-institution-2026.2", "social-organisation-2026.2"]
