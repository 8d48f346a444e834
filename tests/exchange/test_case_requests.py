"""Cases decided at another tier than the record's home: the decision travels home as a request, the
change is made there and comes back through the feeds with the answer; nothing is edited in two places."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from exchange.conftest import CHILD, PARENT, Tiers, direct_fetch, serving
from exchange.test_console import _operator
from exchange.test_flow import state
from exchange.test_sync import CITY_COURT
from factories import ingest, penalty_row, write_csv
from panshi.accounts.schemas import Principal, Role
from panshi.cases import workflow
from panshi.cases.filing import file_objection
from panshi.cases.schemas import DecisionIn, ObjectionIn
from panshi.core.db import unit_of_work
from panshi.exchange.client import pull_from
from panshi.exchange.models import ExchangeMessage
from panshi.records import service as records
from panshi.records.models import Record, RecordHistory
from sanctions.helpers import entry_row

OPERATOR = Principal(role=Role.operator, actor="user:reviewer", display_name="信用中心审核员")


def record_id_of(engine: Engine, record_type: str) -> int:
    with unit_of_work(engine) as s:
        found = s.scalar(select(Record.id).where(Record.record_type == record_type).order_by(Record.id))
        assert found is not None
        return found


def objection_at(engine: Engine, record_id: int) -> int:
    """An objection filed, accepted and forwarded at the node of `engine`: ready for a decision."""
    with serving(engine), unit_of_work(engine, write=True) as s:
        case = file_objection(
            s, who=OPERATOR, body=ObjectionIn(record_id=record_id, reason="处罚对象登记有误")
        )
        for action in ("accept", "forward"):
            workflow.decide(s, who=OPERATOR, case_id=case.id, decision=DecisionIn(action=action))
        return case.id


def decide(engine: Engine, case_id: int, decision: DecisionIn) -> str:
    with serving(engine), unit_of_work(engine, write=True) as s:
        return workflow.decide(s, who=OPERATOR, case_id=case_id, decision=decision).state


def case_of(engine: Engine, case_id: int) -> workflow.CaseOut:
    with serving(engine), unit_of_work(engine) as s:
        return workflow.get_case(s, who=OPERATOR, case_id=case_id)


def _county_pulls(tiers: Tiers) -> None:
    result = pull_from(PARENT, fetch=direct_fetch(tiers.parent, reader=CHILD), engine=tiers.child)
    assert result.refused == []


def test_a_correction_decided_at_the_city_is_made_at_the_county_and_comes_back(
    tiers: Tiers, tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1), penalty_row(2)]))
    tiers.pull()
    case_id = objection_at(tiers.parent, record_id_of(tiers.parent, "admin_penalty"))
    fix = DecisionIn(action="correct", reason="核实后更正备注", corrections={"remarks": "经异议核实更正"})
    assert decide(tiers.parent, case_id, fix) == "at_home"
    waiting = case_of(tiers.parent, case_id)
    assert waiting.open and waiting.allowed_actions == []  # nobody here decides again meanwhile
    with unit_of_work(tiers.parent) as s:  # the replica is untouched: only its home changes it
        assert (
            s.scalar(select(Record.version).where(Record.id == record_id_of(tiers.parent, "admin_penalty")))
            == 1
        )
    _county_pulls(tiers)  # the request reaches the county with the city's down feed
    with unit_of_work(tiers.child) as s:
        corrected = s.get(Record, record_id_of(tiers.child, "admin_penalty"))
        assert corrected is not None and corrected.version == 2
        assert corrected.data["remarks"] == "经异议核实更正"
        event = s.scalars(select(RecordHistory).where(RecordHistory.record_id == corrected.id)).all()[-1]
        assert event.event == "amended" and event.actor.startswith(f"node:{PARENT}:user:reviewer")
        assert "异议" in (event.reason or "") and str(case_id) in (event.reason or "")
    _operator(tiers.client)  # the county's console lists the request it carried out and its answer
    page = tiers.client.get("/console/exchange").text
    assert "案件办理请求" in page and "案件办理答复" in page and "已办理" in page and PARENT in page
    tiers.pull()  # the change and the answer climb back
    assert state(tiers.parent) == state(tiers.child)
    done = case_of(tiers.parent, case_id)
    assert (done.state, done.open) == ("corrected", False)
    assert [e.action for e in done.events][-2:] == ["correct", "correct"]
    assert "已办理" in (done.events[-1].reason or "")
    # Nothing left to carry and nothing doubled on another round.
    assert tiers.pull().applied_batches == 0  # type: ignore[attr-defined]
    _county_pulls(tiers)
    with unit_of_work(tiers.child) as s:
        assert s.get(Record, record_id_of(tiers.child, "admin_penalty")).version == 2  # type: ignore[union-attr]


def test_a_decision_on_a_version_the_home_has_moved_past_is_returned_with_the_reason(
    tiers: Tiers, tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    tiers.pull()
    case_id = objection_at(tiers.parent, record_id_of(tiers.parent, "admin_penalty"))
    assert decide(tiers.parent, case_id, DecisionIn(action="withdraw", reason="处罚决定已撤销")) == "at_home"
    with unit_of_work(tiers.child, write=True) as s:  # meanwhile the county corrects the record itself
        records.amend(s, record_id=record_id_of(tiers.child, "admin_penalty"), record_type="admin_penalty",
                      changes={"remarks": "来源单位自行更正"}, actor="test", reason="来源单位更正")  # fmt: skip
    _county_pulls(tiers)
    with unit_of_work(tiers.child) as s:
        kept = s.get(Record, record_id_of(tiers.child, "admin_penalty"))
        assert kept is not None and (kept.status, kept.version) == ("active", 2)
        [request] = s.scalars(select(ExchangeMessage).where(ExchangeMessage.kind == "case_request")).all()
        assert request.outcome == "failed" and "第 2 版" in (request.note or "")
    tiers.pull()
    back = case_of(tiers.parent, case_id)
    assert (back.state, back.open) == ("with_department", True)
    assert "未予办理" in (back.events[-1].reason or "") and "第 2 版" in (back.events[-1].reason or "")
    assert "withdraw" in back.allowed_actions  # decided again, on the version the city now holds
    assert decide(tiers.parent, case_id, DecisionIn(action="withdraw", reason="处罚决定已撤销")) == "at_home"
    _county_pulls(tiers)
    tiers.pull()
    assert case_of(tiers.parent, case_id).state == "withdrawn"
    assert state(tiers.parent) == state(tiers.child)
    with unit_of_work(tiers.parent) as s:
        assert s.scalar(select(Record.status).where(Record.record_type == "admin_penalty")) == "withdrawn"


def test_an_objection_at_the_county_to_the_citys_list_entry_is_decided_at_the_city(
    tiers: Tiers, tmp_path: Path
) -> None:
    with serving(tiers.parent):
        assert ingest(write_csv(tmp_path / "l.csv", [entry_row(1, **CITY_COURT)]), "list_entry").accepted == 1
    _county_pulls(tiers)
    case_id = objection_at(tiers.child, record_id_of(tiers.child, "list_entry"))
    assert decide(tiers.child, case_id, DecisionIn(action="withdraw", reason="认定已被撤销")) == "at_home"
    tiers.pull()  # the request climbs with the county's up feed
    with unit_of_work(tiers.parent) as s:
        assert s.scalar(select(Record.status).where(Record.record_type == "list_entry")) == "withdrawn"
    _county_pulls(tiers)  # the change flows down with the answer
    assert case_of(tiers.child, case_id).state == "withdrawn"
    with unit_of_work(tiers.child) as s:
        assert s.scalar(select(Record.status).where(Record.record_type == "list_entry")) == "withdrawn"


def test_a_replica_cannot_be_changed_where_it_is_not_homed(tiers: Tiers, tmp_path: Path) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    tiers.pull()
    with unit_of_work(tiers.parent, write=True) as s:
        with pytest.raises(records.HomedElsewhere, match="归属节点 220284"):
            records.amend(s, record_id=record_id_of(tiers.parent, "admin_penalty"), record_type="admin_penalty",
                          changes={"remarks": "x"}, actor="test", reason="不应生效")  # fmt: skip
        with pytest.raises(records.HomedElsewhere):
            records.withdraw(
                s, record_id=record_id_of(tiers.parent, "admin_penalty"), actor="t", reason="不应生效"
            )
    # Nor by a file submitted where it is not homed: the row is sent back, the replica stays as it came.
    changed = penalty_row(1, **{"处罚内容": "在市级改写的内容"})
    with serving(tiers.parent):
        result = ingest(write_csv(tmp_path / "again.csv", [changed, penalty_row(3)]))
    assert (result.accepted, result.rejected) == (1, 1)
    [issue] = result.errors
    assert (issue.row, issue.code) == (1, "homed_elsewhere") and CHILD in issue.message
    assert state(tiers.parent)[0] == state(tiers.child)[0]
