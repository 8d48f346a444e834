"""Stateful property tests of both workflows: random sequences of legal and illegal steps by random
actors. Invariants: the state moves only along the allowed edges, every step is an event, a closed case
refuses everything, and the record's public visibility and 异议处理中 mark match the outcome."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete, update

from cases.helpers import PDF, commitment
from factories import OPERATOR_USER, make_uscc
from panshi.access.service import record as read_record
from panshi.accounts.schemas import PUBLIC, Principal, Role
from panshi.accounts.service import subject_key_for
from panshi.cases.evidence import store_evidence
from panshi.cases.filing import file_objection, file_repair
from panshi.cases.models import Case, CaseEvent, Commitment, EvidenceFile
from panshi.cases.schemas import DecisionIn, ObjectionIn, RepairIn
from panshi.cases.workflow import get_case
from panshi.core.db import unit_of_work
from panshi.core.errors import NotAuthorised, NotFound, PanshiError
from panshi.core.timeutil import today_shanghai
from panshi.records.models import Record

# The specification, written out here rather than imported: the workflow must agree with it.
EDGES = {
    "objection": {
        "submitted": {"accept": "accepted", "refuse": "refused"},
        "accepted": {"forward": "with_department"},
        "with_department": {"uphold": "upheld", "correct": "corrected", "withdraw": "withdrawn"},
    },
    "repair": {"submitted": {"approve": "approved", "refuse": "refused"}},
}
OPERATOR_ONLY = {("objection", "accept"), ("objection", "refuse"), ("objection", "forward")}
ACTIONS = ["accept", "refuse", "forward", "uphold", "correct", "withdraw", "approve"]
ACTORS = ["operator", "department", "other_department", "subject"]
SETTINGS = settings(max_examples=12, stateful_step_count=8, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


class Workflow(RuleBasedStateMachine):
    kind = ""
    world: dict[str, Any] = {}

    def __init__(self) -> None:
        super().__init__()
        self.case_id = 0
        self.state = "submitted"
        self.steps = 1
        record_id = self.world["records"][1]
        self.record_id = record_id
        self.actors = {
            "operator": OPERATOR_USER,
            "department": Principal(role=Role.department, actor="user:dept", department_id=self.world["department_id"]),
            "other_department": Principal(role=Role.department, actor="user:other", department_id=999),
            "subject": Principal(role=Role.subject, actor="user:firm", subject_key=subject_key_for(make_uscc(1001))),
        }  # fmt: skip

    def reset(self) -> None:
        with unit_of_work(write=True) as session:
            for table in (Case, CaseEvent, Commitment, EvidenceFile):
                session.execute(delete(table))
            session.execute(update(Record).where(Record.id == self.record_id).values(
                status="active", publicity_end=None, publicity_closed_on=None, publicity_closed_reason=None,
                publicity_minimum_end=today_shanghai() - timedelta(days=1)))  # fmt: skip

    @rule(action=st.sampled_from(ACTIONS), actor=st.sampled_from(ACTORS))
    def step(self, action: str, actor: str) -> None:
        who = self.actors[actor]
        edges = EDGES[self.kind].get(self.state, {})
        decision = DecisionIn(action=action, reason="随机审查理由",  # type: ignore[arg-type]
                              corrections={"fine_amount": "9"} if action == "correct" else {})  # fmt: skip
        try:
            with unit_of_work(write=True) as session:
                out = decide_as(session, who, self.case_id, decision)
        except PanshiError as exc:
            if actor == "other_department":
                assert isinstance(exc, NotFound)
            elif not edges:
                assert exc.code == "case_closed" and exc.status_code == 409
            elif action not in edges:
                assert exc.code == "bad_step" and exc.status_code == 409
            else:
                assert isinstance(exc, NotAuthorised)
                assert actor == "subject" or (actor == "department" and (self.kind, action) in OPERATOR_ONLY)
            return
        assert action in edges, f"{action} from {self.state} must be refused"
        assert actor == "operator" or (actor == "department" and (self.kind, action) not in OPERATOR_ONLY)
        self.state = edges[action]
        self.steps += 1
        assert out.state == self.state

    @invariant()
    def matches_the_store(self) -> None:
        if not self.case_id:
            return
        with unit_of_work() as session:
            case = get_case(session, who=OPERATOR_USER, case_id=self.case_id)
            try:
                view = read_record(session, who=PUBLIC, record_id=self.record_id)
                public, marked = True, view.objection_open
            except NotFound:
                public, marked = False, False
        assert case.state == self.state and case.open == bool(EDGES[self.kind].get(self.state))
        assert len(case.events) == self.steps
        for event in case.events[1:]:
            assert EDGES[self.kind][event.from_state or ""][event.action] == event.to_state
        gone = {"objection": ("withdrawn",), "repair": ("approved",)}[self.kind]
        assert public == (self.state not in gone)
        assert marked == (self.kind == "objection" and case.open)


def decide_as(session: Any, who: Principal, case_id: int, decision: DecisionIn) -> Any:
    from panshi.cases.workflow import decide

    return decide(session, who=who, case_id=case_id, decision=decision)


class ObjectionWorkflow(Workflow):
    kind = "objection"

    @initialize()
    def file(self) -> None:
        self.reset()
        with unit_of_work(write=True) as session:
            self.case_id = file_objection(session, who=self.actors["subject"],
                                          body=ObjectionIn(record_id=self.record_id, reason="记录与事实不符")).id  # fmt: skip


class RepairWorkflow(Workflow):
    kind = "repair"

    @initialize()
    def file(self) -> None:
        self.reset()
        who = self.actors["subject"]
        with unit_of_work(write=True) as session:
            evidence = store_evidence(session, who=who, filename="receipt.pdf", stream=io.BytesIO(PDF))
            body = RepairIn(record_id=self.record_id, declaration="罚款已全部缴清，违法行为已整改完毕。",
                            evidence_ids=[evidence.id], commitment=commitment())  # type: ignore[arg-type]  # fmt: skip
            self.case_id = file_repair(session, who=who, body=body).id


def test_objection_workflow(world: dict[str, Any]) -> None:
    ObjectionWorkflow.world = world
    run_state_machine_as_test(ObjectionWorkflow, settings=SETTINGS)


def test_repair_workflow(world: dict[str, Any]) -> None:
    RepairWorkflow.world = world
    run_state_machine_as_test(RepairWorkflow, settings=SETTINGS)
