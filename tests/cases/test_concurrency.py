"""Two reviewers deciding the same case at once: one wins, the other is told (409), on real PostgreSQL
with two sessions; and a stale version is refused on both engines."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from cases.helpers import record
from factories import OPERATOR_USER
from panshi.accounts.schemas import Principal, Role
from panshi.cases.filing import file_objection
from panshi.cases.schemas import DecisionIn, ObjectionIn
from panshi.cases.workflow import CaseClosed, CaseConflict, decide
from panshi.core.db import unit_of_work


def _case_with_department(world: dict[str, Any]) -> tuple[int, Principal]:
    with unit_of_work(write=True) as session:
        case = file_objection(session, who=OPERATOR_USER,
                              body=ObjectionIn(record_id=world["records"][1], reason="代为提出异议：记录有误"))  # fmt: skip
        decide(session, who=OPERATOR_USER, case_id=case.id, decision=DecisionIn(action="accept"))
        decide(session, who=OPERATOR_USER, case_id=case.id, decision=DecisionIn(action="forward"))
    reviewer = Principal(role=Role.department, actor="user:reviewer", department_id=world["department_id"])
    return case.id, reviewer


def test_two_reviewers_at_once_on_postgres(world: dict[str, Any], engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the row lock race is PostgreSQL's; SQLite serialises writers at BEGIN IMMEDIATE")
    case_id, reviewer = _case_with_department(world)
    first, second = Session(engine), Session(engine)
    outcome: dict[str, Any] = {}
    try:
        decide(
            first,
            who=reviewer,
            case_id=case_id,
            decision=DecisionIn(action="uphold", reason="记录无误", version=3),
        )

        def late() -> None:
            try:
                decide(second, who=OPERATOR_USER, case_id=case_id,
                       decision=DecisionIn(action="withdraw", reason="撤销记录", version=3))  # fmt: skip
                second.commit()
                outcome["result"] = "decided"
            except (CaseClosed, CaseConflict) as exc:
                second.rollback()
                outcome["result"] = exc

        thread = threading.Thread(target=late)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the second decision must wait for the first one's row lock"
        first.commit()
        thread.join(timeout=10)
    finally:
        first.close()
        second.close()
    refused = outcome["result"]
    assert isinstance(refused, CaseClosed) and refused.status_code == 409
    assert "维持原记录" in refused.message
    assert record(world["records"][1]).status == "active"  # the loser's withdrawal left nothing behind
    with unit_of_work() as session:
        from panshi.cases.workflow import get_case

        case = get_case(session, who=OPERATOR_USER, case_id=case_id)
    assert case.state == "upheld" and [e.action for e in case.events][-1] == "uphold"
    assert len(case.events) == 4


def test_a_stale_version_is_refused(world: dict[str, Any]) -> None:
    case_id, reviewer = _case_with_department(world)
    with unit_of_work(write=True) as session, pytest.raises(CaseConflict) as refused:
        decide(
            session,
            who=reviewer,
            case_id=case_id,
            decision=DecisionIn(action="uphold", reason="无误", version=2),
        )
    assert refused.value.status_code == 409 and "来源单位核查中" in refused.value.message
    response = world["client"].post(
        f"/api/v1/cases/{case_id}/decision", json={"action": "uphold", "reason": "无误", "version": 1},
        headers={"Authorization": f"Bearer {world['tokens']['department']}"},
    )  # fmt: skip
    assert response.status_code == 409 and response.json()["error"] == "case_conflict"
