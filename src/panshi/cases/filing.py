"""Filing an objection (异议) or a repair application (信用修复申请), with the platform's checks.

Anyone named in a record may object or apply: the subject user of the record's subject, or an
operator on its behalf. A record the caller may not see is "not found" (404, as everywhere); a record
it sees but is not named in is refused (403). A repair application is checked for eligibility
(Order No. 58): the minimum publicity period served, the obligations declared fulfilled with at least
one evidence file, and a 信用修复型 commitment made. Every unmet condition is named in the refusal.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from panshi.access import service as access
from panshi.access.schemas import KIND_LABELS as SUBJECT_KIND_LABELS
from panshi.accounts import service as accounts
from panshi.accounts.schemas import Principal, Role
from panshi.cases import repository
from panshi.cases.models import Case, Commitment
from panshi.cases.rules import CaseRules
from panshi.cases.rules import load as load_rules
from panshi.cases.schemas import CaseOut, CommitmentIn, ObjectionIn, RepairIn
from panshi.cases.workflow import KIND_LABELS, case_out, deadline, record_event, record_label, state_label
from panshi.core.errors import NotAuthorised, NotFound, PanshiError
from panshi.core.settings import get_settings
from panshi.core.timeutil import add_months, today_shanghai, utcnow
from panshi.records import service as records
from panshi.records.schemas import status_label
from panshi.sanctions.catalog import LIST_ENTRY
from panshi.sanctions.catalog import load as load_lists
from panshi.sanctions.entries import entry_of
from panshi.subjects import service as subjects

REASON_MIN = 5
DECLARATION_MIN = 10
COMMITMENT_BACKDATE_DAYS = 30
OFFLINE_BACKDATE_DAYS = 30  # how late an application received at the window or by post may be registered
CLOSED_REASONS = {"expired": "公示期届满", "repaired": "信用修复", "withdrawn": "撤销"}


class CaseRefused(PanshiError):
    """A filing the rules do not admit; nothing was stored."""

    code = "case_refused"
    status_code = 409


class DuplicateCase(PanshiError):
    code = "case_open"
    status_code = 409


class RepairIneligible(PanshiError):
    """A repair application that does not meet the conditions; the message names each unmet one."""

    code = "repair_ineligible"
    status_code = 422


class BadEvidenceList(PanshiError):
    code = "bad_evidence"
    status_code = 422


def named_record(session: Session, *, who: Principal, record_id: int) -> tuple[Any, Any]:
    """The record and its subject, when `who` is named in it (its subject user) or is an operator."""
    if who.role is Role.subject:
        access.record(session, who=who, record_id=record_id)  # NotFound when the caller may not see it
    elif who.role is not Role.operator:
        raise NotAuthorised("异议和信用修复申请由信用主体本人提出，或由信用中心代为提出")
    record = records.get_raw(session, record_id)
    if record is None:
        raise NotFound(f"未找到编号为 {record_id} 的信用记录")
    subject = subjects.subjects_by_id(session, {record.subject_id})[record.subject_id]
    if who.role is Role.subject and not access.is_own(who, subject):
        raise NotAuthorised("只能对记载本主体的信用记录提出异议或申请信用修复")
    return record, subject


def file_objection(session: Session, *, who: Principal, body: ObjectionIn) -> CaseOut:
    """File an objection to a record; the record shows 异议处理中 from now until the case closes."""
    record, subject = named_record(session, who=who, record_id=body.record_id)
    if record.status != "active":
        raise CaseRefused(f"记录 #{record.id} {status_label(record.status)}，不能再提出异议")
    reason = " ".join(body.reason.split())
    if len(reason) < REASON_MIN:
        raise CaseRefused(f"请说明异议理由（至少 {REASON_MIN} 个字）", code="reason_required")
    _no_open_case(session, "objection", record.id)
    case = _new_case(
        session, who=who, kind="objection", record=record, reason=reason, received_on=body.received_on
    )
    _attach(session, who=who, case=case, evidence_ids=body.evidence_ids, rules=load_rules())
    record_event(
        session, case=case, who=who, action="file", from_state=None, reason=_filed_note(case, reason)
    )
    return case_out(session, case, who=who)


def file_repair(session: Session, *, who: Principal, body: RepairIn) -> CaseOut:
    """Apply for the repair of a penalty record (early end of its publicity) or of a list entry its
    rules allow; refused, with every unmet condition, when not eligible."""
    rules = load_rules()
    record, subject = named_record(session, who=who, record_id=body.record_id)
    today = today_shanghai()
    minimum_end, what = _minimum_end(rules, record, today)
    problems = []
    if minimum_end >= today:
        problems.append(f"{what}至 {minimum_end.isoformat()} 届满，届满后方可申请")
    objection = repository.open_case(session, "objection", record.id)
    if objection is not None:
        problems.append(f"该记录有处理中的异议 #{objection.id}，异议办结后方可申请修复")
    declaration = " ".join(body.declaration.split())
    if len(declaration) < DECLARATION_MIN:
        problems.append(f"请声明已履行行政处罚等决定所定的义务（至少 {DECLARATION_MIN} 个字）")
    if not body.evidence_ids:
        problems.append("请上传至少一份已履行义务的证明材料（如罚款缴纳凭证）")
    problems += _commitment_problems(body.commitment, subject=subject, rules=rules, today=today)
    if problems:
        raise RepairIneligible("不符合信用修复申请条件：" + "；".join(problems))
    _no_open_case(session, "repair", record.id)
    case = _new_case(
        session, who=who, kind="repair", record=record, reason=declaration, received_on=body.received_on
    )
    _attach(session, who=who, case=case, evidence_ids=body.evidence_ids, rules=rules)
    _add_commitment(session, case=case, record=record, subject=subject, commitment=body.commitment, rules=rules,
                    today=today)  # fmt: skip
    record_event(
        session, case=case, who=who, action="file", from_state=None, reason=_filed_note(case, declaration)
    )
    return case_out(session, case, who=who)


def _minimum_end(rules: CaseRules, record: Any, today: date) -> tuple[date, str]:
    """The last day of the record's minimum period, by its kind's rule; refusal when not repairable."""
    if record.status != "active":
        raise CaseRefused(f"记录 #{record.id} {status_label(record.status)}，无需申请信用修复")
    if record.record_type == LIST_ENTRY:
        catalog = load_lists()
        entry = entry_of(record, catalog)
        if entry is None:
            raise CaseRefused(f"记录 #{record.id} 的名单类型已不在名单目录中，不能申请信用修复")
        rule = rules.repair.list_types.get(entry.list_type.code)
        if rule is None:
            raise CaseRefused(f"“{entry.list_type.name}”不适用信用修复申请", code="not_repairable")
        if not rule.repairable:
            raise CaseRefused(rule.refusal, code="not_repairable")
        if not entry.in_force(today):
            raise CaseRefused(f"该名单信息（{entry.state(today)}）已不在有效期内，无需申请信用修复")
        return rule.minimum_end(entry.start_date), "最短列入期限"
    if record.record_type not in rules.repair.record_types:
        raise CaseRefused(f"{record_label(record.record_type)}信息不适用信用修复申请", code="not_repairable")
    if record.publicity_closed_on is not None:
        why = CLOSED_REASONS.get(record.publicity_closed_reason or "", record.publicity_closed_reason or "")
        raise CaseRefused(
            f"该记录已于 {record.publicity_closed_on.isoformat()} 结束公示（{why}），无需申请信用修复"
        )
    if record.publicity_minimum_end is None:
        raise CaseRefused(
            "该记录的最短公示期尚未按公示规则确定，暂不能受理信用修复申请；请稍后再试，或联系信用中心",
            code="minimum_unknown",
        )
    return record.publicity_minimum_end, "最短公示期"


def _commitment_problems(c: CommitmentIn, *, subject: Any, rules: CaseRules, today: date) -> list[str]:
    problems = []
    if subject.kind != "natural_person" and len(c.legal_representative.strip()) < 2:
        problems.append("信用承诺须填写法定代表人/负责人")
    if len(" ".join(c.content.split())) < DECLARATION_MIN:
        problems.append(f"请填写承诺内容（至少 {DECLARATION_MIN} 个字）")
    made_on = c.made_on or today
    if made_on > today or (today - made_on).days > COMMITMENT_BACKDATE_DAYS:
        problems.append(f"承诺日期须在最近 {COMMITMENT_BACKDATE_DAYS} 天内，且不晚于今天")
    longest = add_months(made_on, rules.repair.commitment.maximum_term_months)
    if not made_on < c.valid_until <= longest:
        problems.append(
            f"承诺有效期须晚于承诺日期，且不超过 {rules.repair.commitment.maximum_term_months} 个月"
        )
    return problems


def _no_open_case(session: Session, kind: str, record_id: int) -> None:
    existing = repository.open_case(session, kind, record_id)
    if existing is not None:
        raise DuplicateCase(
            f"该记录已有处理中的{KIND_LABELS[kind]} #{existing.id}（{state_label(existing)}），办结后才能再次提出"
        )


def _new_case(
    session: Session, *, who: Principal, kind: str, record: Any, reason: str, received_on: date | None
) -> Case:
    rules = load_rules()
    today = _received_on(who, received_on)
    due, unknown = deadline(kind, "submitted", today)
    case = Case(
        kind=kind, record_id=record.id, record_type=record.record_type, subject_id=record.subject_id,
        department_id=record.department_id, state="submitted", version=1,
        open_key=repository.open_key(kind, record.id), reason=reason[:2000], filed_by=who.actor[:200],
        filed_by_role=who.role.value, filed_at=utcnow(), received_on=today, state_since=today, due_on=due, deadline_unknown=unknown,
        rules_version=rules.version,
    )  # fmt: skip
    try:
        with session.begin_nested():
            return repository.add_case(session, case)
    except IntegrityError:  # another filing for the same record committed between the check and now
        raise DuplicateCase(f"该记录已有处理中的{KIND_LABELS[kind]}，办结后才能再次提出") from None


def _received_on(who: Principal, received_on: date | None) -> date:
    """The day the application was received: today, or for an application the credit centre received
    at its window or by post (线下受理) and registers now, that day — its deadlines run from it."""
    today = today_shanghai()
    if received_on is None or received_on == today:
        return today
    if who.role is not Role.operator:
        raise CaseRefused("线下受理日期只能由信用中心运营人员登记", code="received_on_not_allowed")
    if received_on > today:
        raise CaseRefused(f"线下受理日期 {received_on.isoformat()} 晚于今天", code="bad_received_on")
    if (today - received_on).days > OFFLINE_BACKDATE_DAYS:
        raise CaseRefused(
            f"线下受理日期 {received_on.isoformat()} 早于 {OFFLINE_BACKDATE_DAYS} 天前：请及时登记线下收到的申请",
            code="bad_received_on",
        )
    return received_on


def _filed_note(case: Case, text: str) -> str:
    if case.received_on == today_shanghai():
        return text
    return f"{text}（线下受理，收到日期 {case.received_on.isoformat()}）"


def _attach(
    session: Session, *, who: Principal, case: Case, evidence_ids: list[int], rules: CaseRules
) -> None:
    wanted = sorted(set(evidence_ids))
    if len(wanted) > rules.evidence.max_files_per_case:
        raise BadEvidenceList(f"每件申请最多附 {rules.evidence.max_files_per_case} 份证明材料")
    attached = repository.attach_evidence(
        session, case_id=case.id, evidence_ids=wanted, uploaded_by=who.actor
    )
    if attached != len(wanted):
        raise BadEvidenceList(
            "所附证明材料中有的不存在、已附于其他申请，或不是由您上传的；请重新上传后再提交"
        )


def _add_commitment(
    session: Session, *, case: Case, record: Any, subject: Any, commitment: CommitmentIn, rules: CaseRules,
    today: date,
) -> None:  # fmt: skip
    department = accounts.departments_by_id(session, {record.department_id})[record.department_id]
    number = record.data.get("decision_number") or f"记录 #{record.id}"
    cause = (
        " ".join(commitment.cause.split()) or f"申请信用修复：{record_label(record.record_type)}（{number}）"
    )
    made_on = commitment.made_on or today
    row = repository.add_commitment(
        session,
        Commitment(
            case_id=case.id, code=None, commitment_type=rules.repair.commitment.type, subject_name=subject.name,
            subject_code=subjects.url_code(subject), subject_category=SUBJECT_KIND_LABELS.get(subject.kind, subject.kind),
            legal_representative=commitment.legal_representative.strip(), cause=cause[:500],
            content=" ".join(commitment.content.split()), liability=rules.repair.commitment.liability,
            made_on=made_on, valid_until=commitment.valid_until, acceptor=department.name,
            acceptor_code=department.uscc, disclosure=commitment.disclosure, fulfilment=None,
            note=commitment.note.strip(), created_at=utcnow(),
        ),
    )  # fmt: skip
    # 承诺编码: 6-digit region + 8-digit date + 6-digit serial (the row's own number).
    row.code = f"{get_settings().node_region_code}{made_on:%Y%m%d}{row.id % 1_000_000:06d}"
    session.flush()
