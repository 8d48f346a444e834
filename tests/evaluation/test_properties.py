"""Properties: adding a penalty or a broken commitment never raises a score (nor a grade); adding a
red-list entry or a kept commitment never lowers one — in the scoring rules for any records, and end to
end through ingest and SQL."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from evaluation.helpers import AS_OF, add_departments, company, license_row, load, penalty
from panshi.core.db import unit_of_work
from panshi.evaluation.definition import EvaluationModel, Source, load_model
from panshi.evaluation.scoring import SubjectFacts, score
from panshi.evaluation.service import evaluate_subject

MODELS = [
    load_model(f"{code}-{version}")
    for code in ("enterprise", "individual-business", "social-organisation")
    for version in ("2026.1", "2026.2")
]
CATEGORIES = [
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "暂扣许可证件",
    "吊销许可证件",
    "责令关闭",
    "限制从业",
    "其他",
]
RECORD_SOURCES = (Source.penalty, Source.license, Source.list_entry, Source.commitment)
GRADE_ORDER = {"D": 0, "C": 1, "B": 2, "A": 3}
_numbers = count(1)


def contribution(
    model: EvaluationModel, sources: tuple[Source, ...]
) -> st.SearchStrategy[tuple[str, int, date, float]]:
    """One record's (indicator, record_id, decision_date, points) as the SQL gives it: the indicator's
    points times a decay factor in (0, 1]."""
    codes = [i.code for i in model.indicators.values() if i.source in sources]
    return st.builds(
        lambda code, record_id, factor: (code, record_id, AS_OF, model.indicators[code].points * factor),
        st.sampled_from(codes), st.integers(1, 10**9), st.floats(0.001, 1.0),
    )  # fmt: skip


@st.composite
def cases(draw: st.DrawFn, sources: tuple[Source, ...]) -> tuple[EvaluationModel, list, tuple]:  # type: ignore[type-arg]
    model = draw(st.sampled_from([m for m in MODELS if any(m.of_source(s) for s in sources)]))
    existing = draw(st.lists(contribution(model, RECORD_SOURCES), max_size=30))
    added = draw(contribution(model, sources))
    return model, existing, added


def scored(model: EvaluationModel, rows: list, uscc: bool = True) -> tuple[float, str]:  # type: ignore[type-arg]
    facts = SubjectFacts(subject_id=1, kind=model.spec.subject_kinds[0], uscc="X" if uscc else None)
    result = score(model, facts, rows, as_of=AS_OF)
    return result.score, result.grade


@given(cases((Source.penalty,)), st.booleans())
def test_adding_a_penalty_never_raises_the_score(case: tuple, uscc: bool) -> None:  # type: ignore[type-arg]
    model, existing, added = case
    before, grade_before = scored(model, existing, uscc)
    after, grade_after = scored(model, [*existing, added], uscc)
    assert after <= before
    assert GRADE_ORDER[grade_after] <= GRADE_ORDER[grade_before]


@given(cases((Source.list_entry,)))
def test_adding_a_red_list_entry_never_lowers_the_score(case: tuple) -> None:  # type: ignore[type-arg]
    model, existing, added = case
    if model.indicators[added[0]].points < 0:
        return  # a black list: the other property
    before, _ = scored(model, existing)
    after, _ = scored(model, [*existing, added])
    assert after >= before


@given(cases((Source.commitment,)), st.booleans())
def test_a_kept_commitment_never_lowers_and_a_breach_never_raises(case: tuple, uscc: bool) -> None:  # type: ignore[type-arg]
    model, existing, added = case
    before, grade_before = scored(model, existing, uscc)
    after, grade_after = scored(model, [*existing, added], uscc)
    if model.indicators[added[0]].points > 0:
        assert after >= before and GRADE_ORDER[grade_after] >= GRADE_ORDER[grade_before]
    else:
        assert after <= before and GRADE_ORDER[grade_after] <= GRADE_ORDER[grade_before]


@pytest.fixture
def one_company(engine: Engine, tmp_path: Path) -> str:
    """Company 1 with a license (set up once for all the examples of a test)."""
    add_departments()
    load(tmp_path, licenses=[license_row(1)])
    return company(1)[1]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True),
    st.sampled_from(["", "0.5", "5", "10", "80"]),
    st.integers(0, 1500),
)
def test_end_to_end_a_new_penalty_never_raises_the_score(
    one_company: str, tmp_path: Path, categories: list[str], fine: str, days_before: int
) -> None:
    """Penalties pile up on one company, each of any classes, fine and age: the score only falls."""
    code = one_company
    with unit_of_work(write=True) as session:
        before = evaluate_subject(session, code=code, as_of=AS_OF)
    decided = (AS_OF - timedelta(days=days_before)).isoformat()
    number = next(_numbers)
    load(
        tmp_path, penalties=[penalty(1, number, categories=";".join(categories), fine=fine, decided=decided)]
    )
    with unit_of_work(write=True) as session:
        after = evaluate_subject(session, code=code, as_of=AS_OF)
    assert after.score is not None and before.score is not None
    assert after.score <= before.score
    assert GRADE_ORDER[after.grade] <= GRADE_ORDER[before.grade]
