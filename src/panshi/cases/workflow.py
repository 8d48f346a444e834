"""The life of a case: its states and steps, who may take each, deadlines, and reading cases.

Objection (异议): submitted → accepted | refused (operator) → with_department (operator forwards it
to the record's source department) → upheld | corrected | withdrawn (that department or an operator).
Repair (信用修复): submitted → approved | refused (the source department or an operator).

A step that changes the record (correct, withdraw, approve) on a record homed at another node is not
taken here: the case waits in `at_home` (归属节点办理中) while the decision travels to the home node as
a request (remote.py); the home's answer takes the same step (the record's change comes back through
the feed) or returns the case to the state it was decided in.

Every step is a conditional update (`WHERE id = ? AND version = ?`): of two reviewers deciding at
once, one wins and the other gets a 409 naming the state the case is in. Every step is an event of
the case, and a notice to the subject's users, the department's users and the operators; where the
record changes (corrected, withdrawn, repaired) the record's history has its own event.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from panshi.access import service as access
from panshi.accounts import service as accounts
from panshi.accounts.schemas import Principal, Role
from panshi.cases import repository
from panshi.cases.models import Case, CaseEvent, Commitment, EvidenceFile
from panshi.cases.rules import load as load_rules
from panshi.cases.schemas import (
    CaseEventOut,
    CaseOut,
    CasePage,
    CaseSummary,
    CommitmentOut,
    DecisionIn,
    EvidenceOut,
)
from panshi.catalog.service import load_catalog
from panshi.core.calendar import CalendarUnknown, working_calendar
from panshi.core.errors import NotAuthorised, NotFound, PanshiError
from panshi.core.timeutil import today_shanghai, utcnow
from panshi.notices.service import Audience, notify
from panshi.records import service as records
from panshi.sanctions import entries
from panshi.sanctions.catalog import LIST_ENTRY
from panshi.subjects import service as subjects

KIND_LABELS = {"objection": "异议", "repair": "信用修复申请"}
STATE_LABELS = {
    "objection": {
        "submitted": "待受理", "accepted": "已受理", "refused": "不予受理", "with_department": "来源单位核查中",
        "upheld": "维持原记录", "corrected": "已更正记录", "withdrawn": "已撤销记录", "at_home": "归属节点办理中",
    },
    "repair": {"submitted": "待审核", "approved": "准予修复", "refused": "不予修复", "at_home": "归属节点办理中"},
}  # fmt: skip
ACTION_LABELS = {
    "file": "提交", "accept": "受理", "refuse": "不予受理/不予修复", "forward": "转交来源单位",
    "uphold": "维持", "correct": "更正", "withdraw": "撤销记录", "approve": "准予修复", "return": "归属节点退回",
}  # fmt: skip
# The allowed edges: state → action → next state. A state with no edges is closed.
EDGES: dict[str, dict[str, dict[str, str]]] = {
    "objection": {
        "submitted": {"accept": "accepted", "refuse": "refused"},
        "accepted": {"forward": "with_department"},
        "with_department": {"uphold": "upheld", "correct": "corrected", "withdraw": "withdrawn"},
        "at_home": {"correct": "corrected", "withdraw": "withdrawn", "return": "with_department"},
    },
    "repair": {
        "submitted": {"approve": "approved", "refuse": "refused"},
        "at_home": {"approve": "approved", "return": "submitted"},
    },
}
AT_HOME = "at_home"  # only the home node's answer moves a case on from here
RECORD_STEPS = ("correct", "withdraw", "approve")  # the steps that change the record
# Steps only operators take; the others also the record's source department.
OPERATOR_ONLY = {("objection", "accept"), ("objection", "refuse"), ("objection", "forward")}
REASON_REQUIRED = {"refuse", "uphold", "correct", "withdraw", "approve"}


class CaseClosed(PanshiError):
    code = "case_closed"
    status_code = 409


class CaseConflict(PanshiError):
    """Another reviewer moved the case since the caller read it."""

    code = "case_conflict"
    status_code = 409


class BadStep(PanshiError):
    code = "bad_step"
    status_code = 409


class BadDecision(PanshiError):
    code = "bad_decision"
    status_code = 422


def is_open(case: Case) -> bool:
    return case.open_key is not None


def state_label(case: Case) -> str:
    return STATE_LABELS[case.kind].get(case.state, case.state)


def deadline(kind: str, state: str, since: date) -> tuple[date | None, bool]:
    """The deadline of `state` entered on `since`: (due date, False), or (None, True) when the
    working-day calendar does not reach it (never guessed), or (None, False) for a closed state."""
    rule = load_rules().deadline(kind, state)
    if rule is None:
        return None, False
    try:
        return working_calendar().add_working_days(since, rule.days), False
    except CalendarUnknown:
        return None, True


def may_act(who: Principal, case: Case, action: str) -> bool:
    if case.state == AT_HOME:
        return False
    if who.role is Role.operator:
        return True
    if (case.kind, action) in OPERATOR_ONLY:
        return False
    return who.role is Role.department and who.department_id == case.department_id


def allowed_actions(who: Principal, case: Case) -> list[str]:
    return [a for a in EDGES[case.kind].get(case.state, {}) if may_act(who, case, a)]


# --- who sees a case -------------------------------------------------------------------------------


def visible_case(session: Session, *, who: Principal, case_id: int) -> Case:
    """A case the caller may see: operators all; a department its records' cases; a subject user its
    own subject's. Any other case is "not found" (no probing)."""
    case = repository.get(session, case_id)
    if case is None or not _may_see(session, who, case):
        raise NotFound(f"未找到编号为 {case_id} 的异议或修复申请")
    return case


def _may_see(session: Session, who: Principal, case: Case) -> bool:
    if who.role is Role.operator:
        return True
    if who.role is Role.department:
        return who.department_id == case.department_id
    if who.role is Role.subject:
        subject = subjects.subjects_by_id(session, {case.subject_id}).get(case.subject_id)
        return subject is not None and access.is_own(who, subject)
    return False


# --- steps -----------------------------------------------------------------------------------------


def decide(session: Session, *, who: Principal, case_id: int, decision: DecisionIn) -> CaseOut:
    """Take one step of a case (accept, refuse, forward, uphold, correct, withdraw, approve) as `who`,
    with its effect on the record; 409 when the case is closed, the step is not one of its state, or
    another reviewer moved it first."""
    case = visible_case(session, who=who, case_id=case_id)
    reason = " ".join(decision.reason.split())
    if decision.action in REASON_REQUIRED and len(reason) < 2:
        raise BadDecision(f"“{ACTION_LABELS[decision.action]}”须说明理由（至少 2 个字）")
    if decision.action == "correct" and not decision.corrections:
        raise BadDecision("更正须给出更正后的字段值（corrections）")
    if decision.action != "correct" and decision.corrections:
        raise BadDecision("只有“更正”可以给出 corrections")
    record = records.get_raw(session, case.record_id)
    home = record.home_region if record is not None and decision.action in RECORD_STEPS else None
    if home is not None:
        from panshi.exchange import service as exchange  # the exchange calls back into cases

        if not exchange.reaches_home(session, home):
            raise BadDecision(
                f"该记录归属 {home} 的平台（经名单互认收到），不在本平台的上下级体系内，本平台的决定无法送达："
                f"“{ACTION_LABELS[decision.action]}”须由其归属平台办理，请告知申请人向该平台提出"
            )
    move(
        session, case=case, who=who, action=decision.action, reason=reason or None, expected=decision.version,
        to_home=home is not None,
    )  # fmt: skip
    if home is not None:
        from panshi.cases import remote  # remote steps post through the exchange, which calls back here

        remote.ask_home(session, case=case, record=record, who=who, decision=decision, reason=reason)
    else:
        record_effect(
            session, record_id=case.record_id, record_type=case.record_type, action=decision.action,
            corrections=decision.corrections, actor=who.actor, note=f"{KIND_LABELS[case.kind]} #{case.id}：{reason}",
        )  # fmt: skip
    return case_out(session, case, who=who)


def move(
    session: Session,
    *,
    case: Case,
    who: Principal,
    action: str,
    reason: str | None,
    expected: int | None,
    to_home: bool = False,
    by_home: bool = False,
) -> str:
    """Move `case` along one allowed edge as `who`, with its event and notices; the new state.
    `to_home`: the step is asked of the record's home node (the case waits in AT_HOME); `by_home`: the
    home node's answer moves it on from there."""
    label = KIND_LABELS[case.kind]
    if not is_open(case):
        raise CaseClosed(f"{label} #{case.id} 已办结（{state_label(case)}），不能再{ACTION_LABELS[action]}")
    edges = EDGES[case.kind].get(case.state, {})
    if action not in edges:
        raise BadStep(f"{label} #{case.id} 现为“{state_label(case)}”，不能{ACTION_LABELS[action]}")
    if by_home != (case.state == AT_HOME):
        raise BadStep(f"{label} #{case.id} 现为“{state_label(case)}”，须待归属节点答复")
    if not by_home and not may_act(who, case, action):
        raise NotAuthorised(f"{ACTION_LABELS[action]}须由信用中心（平台运营人员）办理")
    from_state, to_state = case.state, AT_HOME if to_home else edges[action]
    closing = not EDGES[case.kind].get(to_state)
    today = today_shanghai()
    due, unknown = (None, False) if closing else deadline(case.kind, to_state, today)
    values: dict[str, Any] = {
        "state": to_state,
        "state_since": today,
        "due_on": due,
        "deadline_unknown": unknown,
    }
    if closing:
        values |= {"open_key": None, "closed_at": utcnow(), "decision_reason": reason}
    if by_home:
        values["home_request"] = None
    if not repository.advance(
        session, case_id=case.id, expected_version=expected or case.version, values=values
    ):
        repository.refresh(session, case)
        if not is_open(case):
            raise CaseClosed(f"{label} #{case.id} 已由他人办结（{state_label(case)}），本次操作未执行")
        raise CaseConflict(
            f"{label} #{case.id} 已被他人处理（现为“{state_label(case)}”，版本 {case.version}），请刷新后重新审查"
        )
    repository.refresh(session, case)
    record_event(session, case=case, who=who, action=action, from_state=from_state, reason=reason)
    return to_state


def record_event(
    session: Session, *, case: Case, who: Principal, action: str, from_state: str | None, reason: str | None
) -> None:
    """The case's event for a step, and a notice of it to everyone the case concerns."""
    repository.add_event(
        session,
        CaseEvent(case_id=case.id, action=action, from_state=from_state, to_state=case.state, actor=who.actor[:200],
                  actor_role=who.role.value, at=utcnow(), reason=reason[:1000] if reason else None),
    )  # fmt: skip
    subject = subjects.subjects_by_id(session, {case.subject_id})[case.subject_id]
    audiences = [Audience.department(case.department_id), Audience.operators()]
    if subject.subject_key:
        audiences.insert(0, Audience.subject(subject.subject_key))
    title = f"{KIND_LABELS[case.kind]} #{case.id}：{state_label(case)}"
    body = f"关于记录 #{case.record_id} 的{KIND_LABELS[case.kind]} #{case.id}：{ACTION_LABELS[action]}，现为“{state_label(case)}”。"
    if reason:
        body += f"理由：{reason}"
    if case.due_on is not None:
        body += f" 下一步办理期限：{case.due_on.isoformat()}。"
    notify(session, audiences=audiences, case_id=case.id, event=action, title=title, body=body)


def record_effect(
    session: Session,
    *,
    record_id: int,
    record_type: str,
    action: str,
    corrections: dict[str, Any] | None,
    actor: str,
    note: str,
) -> None:
    """A decision's effect on the record, in the same unit of work as the step: of a case decided here,
    or, at the record's home node, of a case decided at another node (remote.py)."""
    if action == "correct":
        records.amend(session, record_id=record_id, record_type=record_type, changes=corrections or {},
                      actor=actor, reason=note)  # fmt: skip
    elif action == "withdraw":
        records.withdraw(session, record_id=record_id, actor=actor, reason=note)
    elif action == "approve":
        records.end_publicity(session, record_id=record_id, on=today_shanghai(), reason="repaired", actor=actor,
                              note=note)  # fmt: skip
        if record_type == LIST_ENTRY:
            entries.remove(session, record_id=record_id, reason=f"信用修复：{note}", actor=actor)


# --- reading cases ---------------------------------------------------------------------------------


def case_out(session: Session, case: Case, *, who: Principal) -> CaseOut:
    """A case with its events, evidence files and commitment, and the steps the caller may take."""
    summary = summaries(session, [case])[0]
    commitment = repository.commitment_of(session, case.id)
    return CaseOut(
        **summary.model_dump(), reason=case.reason, decision_reason=case.decision_reason, closed_at=case.closed_at,
        rules_version=case.rules_version, allowed_actions=allowed_actions(who, case),
        events=[_event_out(case.kind, e) for e in repository.events_of(session, case.id)],
        evidence=[evidence_out(f) for f in repository.evidence_of(session, case.id)],
        commitment=commitment_out(commitment) if commitment else None,
    )  # fmt: skip


def get_case(session: Session, *, who: Principal, case_id: int) -> CaseOut:
    """One case as the caller may see it."""
    return case_out(session, visible_case(session, who=who, case_id=case_id), who=who)


def list_cases(
    session: Session,
    *,
    who: Principal,
    kind: str | None = None,
    open_only: bool = False,
    queue: bool = False,
    page: int = 1,
    size: int = 20,
) -> CasePage:
    """The caller's cases: a subject user its subject's, a department its records', operators all;
    the queue (`queue`) is the open ones, earliest deadline first (unknown deadlines last)."""
    if kind is not None and kind not in EDGES:
        raise PanshiError(f"未知的案件类别 {kind!r}；可选：objection、repair", code="bad_kind")
    subject_ids: list[int] | None = None
    department_id: int | None = None
    if who.role is Role.subject:
        own = subjects.subject_by_key(session, who.subject_key) if who.subject_key else None
        subject_ids = [own.id] if own is not None else []
    elif who.role is Role.department:
        department_id = who.department_id or -1
    elif who.role is not Role.operator:
        raise NotAuthorised("此操作仅限：operator、department、subject")
    states = None
    if open_only or queue:
        kinds = [kind] if kind else list(EDGES)
        states = sorted({s for k in kinds for s in EDGES[k]})
    page = max(1, page)
    rows, total = repository.page(
        session, kind=kind, states=states, subject_ids=subject_ids, department_id=department_id,
        by_deadline=queue, offset=(page - 1) * size, limit=size,
    )  # fmt: skip
    return CasePage(items=summaries(session, rows), page=page, pages=max(1, -(-total // size)), total=total)


def overdue_cases(session: Session) -> list[CaseSummary]:
    """Open cases past their deadline today, and open cases whose deadline the calendar cannot give."""
    return summaries(session, repository.overdue(session, today=today_shanghai()))


def summaries(session: Session, cases: list[Case]) -> list[CaseSummary]:
    owners = subjects.subjects_by_id(session, {c.subject_id for c in cases})
    departments = accounts.departments_by_id(session, {c.department_id for c in cases})
    today = today_shanghai()
    out = []
    for c in cases:
        owner = owners[c.subject_id]
        rule = load_rules().deadline(c.kind, c.state) if is_open(c) else None
        out.append(
            CaseSummary(
                id=c.id, kind=c.kind, kind_label=KIND_LABELS[c.kind], record_id=c.record_id, record_type=c.record_type,
                subject_code=subjects.url_code(owner), subject_name=owner.name, department_id=c.department_id,
                department_name=departments[c.department_id].name if c.department_id in departments else "",
                state=c.state, state_label=state_label(c), open=is_open(c), version=c.version, filed_by=c.filed_by,
                filed_at=c.filed_at, received_on=c.received_on, state_since=c.state_since, due_on=c.due_on, deadline_unknown=c.deadline_unknown,
                overdue=is_open(c) and c.due_on is not None and today > c.due_on,
                waiting_for=rule.action if rule else None,
            )
        )  # fmt: skip
    return out


def _event_out(kind: str, e: CaseEvent) -> CaseEventOut:
    return CaseEventOut(
        action=e.action, action_label=ACTION_LABELS.get(e.action, e.action), from_state=e.from_state,
        to_state=e.to_state, to_state_label=STATE_LABELS[kind].get(e.to_state, e.to_state), actor=e.actor,
        actor_role=e.actor_role, at=e.at, reason=e.reason,
    )  # fmt: skip


def evidence_out(f: EvidenceFile) -> EvidenceOut:
    return EvidenceOut(
        id=f.id, case_id=f.case_id, original_name=f.original_name, file_type=f.file_type,
        content_type=f.content_type, size=f.size, sha256=f.sha256, uploaded_by=f.uploaded_by,
        uploaded_at=f.uploaded_at,
    )  # fmt: skip


def commitment_out(c: Commitment) -> CommitmentOut:
    return CommitmentOut(
        code=c.code, commitment_type=c.commitment_type, subject_name=c.subject_name, subject_code=c.subject_code,
        subject_category=c.subject_category, legal_representative=c.legal_representative, cause=c.cause,
        content=c.content, liability=c.liability, made_on=c.made_on, valid_until=c.valid_until,
        acceptor=c.acceptor, acceptor_code=c.acceptor_code, disclosure=c.disclosure, fulfilment=c.fulfilment,
        note=c.note,
    )  # fmt: skip


def record_label(record_type: str) -> str:
    found = load_catalog().record_types.get(record_type)
    return found.label if found else record_type
