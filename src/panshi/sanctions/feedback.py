"""Stored checks and their receipts, feedback (反馈) on the measures applied, and statistics."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from panshi.accounts.schemas import Principal, Role
from panshi.accounts.service import departments_by_id
from panshi.core.errors import NotAuthorised, NotFound, PanshiError
from panshi.core.timeutil import to_shanghai, today_shanghai, utcnow
from panshi.sanctions import repository
from panshi.sanctions.catalog import load
from panshi.sanctions.models import Check, CheckFeedback
from panshi.sanctions.schemas import (
    OUTCOME_LABELS,
    CheckAnswer,
    CheckRecord,
    CheckStats,
    FeedbackIn,
    FeedbackOut,
    FeedbackOutcome,
    GroupStat,
    MeasureStat,
    PendingCheck,
    PendingPage,
    Receipt,
    SubjectCheck,
    SubjectCheckPage,
    Verification,
)
from panshi.sanctions.service import sign
from panshi.subjects import service as subjects

PENDING_PAGE_SIZE = 50


class FeedbackConflict(PanshiError):
    code = "feedback_conflict"
    status_code = 409


class BadFeedback(PanshiError):
    code = "bad_feedback"
    status_code = 422


def _own_check(session: Session, who: Principal, check_id: str) -> Check:
    """A check the caller may read: its own department's (or its own, without one); operators read all."""
    check = repository.get_check(session, check_id)
    if check is None or not (who.role is Role.operator or _made_by(check, who)):
        raise NotFound(f"未找到编号为 {check_id} 的核查记录")
    return check


def _made_by(check: Check, who: Principal) -> bool:
    if check.department_id is not None:
        return who.department_id == check.department_id
    return who.actor == check.actor


def get_check(
    session: Session, *, who: Principal, check_id: str, caller_hash: str | None = None
) -> CheckRecord:
    """A stored check with its receipt, verified now: the stored answer must still hash to the receipt's
    hash, and the receipt must carry the platform's signature."""
    check = _own_check(session, who, check_id)
    document = json.loads(check.answer)
    digest = hashlib.sha256(check.answer.encode()).hexdigest()
    checked_at = str(document.get("checked_at"))
    data_version = str(document.get("data_version"))
    expected = sign(check.id, checked_at, data_version, check.answer_sha256)
    hash_ok = hmac.compare_digest(digest, check.answer_sha256)
    signature_ok = hmac.compare_digest(expected, check.signature) and data_version == check.data_version
    caller_ok = hmac.compare_digest(caller_hash.strip().lower(), check.answer_sha256) if caller_hash else None
    feedback = repository.get_feedback(session, check.id)
    return CheckRecord(
        answer=CheckAnswer.model_validate(document),
        receipt=Receipt(check_id=check.id, checked_at=document["checked_at"], data_version=check.data_version,
                        answer_sha256=check.answer_sha256, signature=check.signature),
        verification=Verification(
            answer_hash_matches=hash_ok, signature_valid=signature_ok, caller_hash_matches=caller_ok,
            verified=hash_ok and signature_ok and caller_ok is not False, verified_at=utcnow(),
        ),
        feedback=_feedback_out(session, feedback) if feedback else None,
    )  # fmt: skip


def record_feedback(session: Session, *, who: Principal, check_id: str, body: FeedbackIn) -> FeedbackOut:
    """Record a department's feedback on an applied measure: once per check; the same feedback again is
    answered as before, a different one is a conflict."""
    check = repository.get_check(session, check_id)
    if check is None:
        raise NotFound(f"未找到编号为 {check_id} 的核查记录")
    if not _made_by(check, who):
        raise NotAuthorised("只有发起该次核查的单位可以反馈措施实施情况")
    returned = [c for c in check.measure_codes.split(";") if c]
    applied = list(dict.fromkeys(m.strip().upper() for m in body.measures_applied if m.strip()))
    unknown = [m for m in applied if m not in returned]
    if unknown:
        offered = "、".join(returned) or "无"
        raise BadFeedback(f"措施 {'、'.join(unknown)} 不是本次核查返回的措施（本次返回：{offered}）")
    if body.outcome is FeedbackOutcome.applied and returned and not applied:
        raise BadFeedback("结果为“已实施”时，请列出实施的措施")
    if body.outcome is FeedbackOutcome.not_applied and applied:
        raise BadFeedback("结果为“未实施”时，不能列出已实施的措施")
    note = " ".join(body.note.split())
    content = json.dumps({"measures": sorted(applied), "outcome": body.outcome.value, "note": note},
                         ensure_ascii=False, sort_keys=True)  # fmt: skip
    digest = hashlib.sha256(content.encode()).hexdigest()
    existing = repository.get_feedback(session, check.id)
    if existing is None:
        now = utcnow()
        feedback = CheckFeedback(
            check_id=check.id, department_id=check.department_id, actor=who.actor[:200], at=now,
            month=to_shanghai(now).strftime("%Y-%m"), outcome=body.outcome.value, note=note,
            measure_codes=";".join(applied), content_sha256=digest,
        )  # fmt: skip
        try:
            with session.begin_nested():
                repository.add_feedback(session, feedback, applied)
        except IntegrityError:  # the same check's feedback arrived at the same moment
            existing = repository.get_feedback(session, check.id)
        else:
            return _feedback_out(session, feedback, created=True)
    assert existing is not None
    if existing.content_sha256 != digest:
        raise FeedbackConflict(
            f"该核查已于 {to_shanghai(existing.at):%Y-%m-%d %H:%M} 反馈（{OUTCOME_LABELS[FeedbackOutcome(existing.outcome)]}，"
            f"措施：{existing.measure_codes.replace(';', '、') or '无'}），与本次内容不同；如需更正请联系平台运营人员"
        )
    return _feedback_out(session, existing)


def _feedback_out(session: Session, feedback: CheckFeedback, *, created: bool = False) -> FeedbackOut:
    department = departments_by_id(session, [feedback.department_id]) if feedback.department_id else {}
    return FeedbackOut(
        check_id=feedback.check_id,
        department_name=department[feedback.department_id].name if feedback.department_id in department else None,
        actor=feedback.actor, at=_utc(feedback.at), outcome=FeedbackOutcome(feedback.outcome),
        outcome_label=OUTCOME_LABELS[FeedbackOutcome(feedback.outcome)],
        measures_applied=[c for c in feedback.measure_codes.split(";") if c], note=feedback.note, created=created,
    )  # fmt: skip


def _utc(moment: datetime) -> datetime:
    """A stored time as UTC (SQLite hands times back without their zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- statistics ------------------------------------------------------------------------------------


def _month(text: str | None, default: str) -> str:
    if not text:
        return default
    try:
        date.fromisoformat(f"{text}-01")
    except ValueError:
        raise PanshiError(f"月份 {text!r} 应为 YYYY-MM，如 2026-03", code="bad_month") from None
    return text


def stats(
    session: Session,
    *,
    month_from: str | None = None,
    month_to: str | None = None,
    department_id: int | None = None,
) -> CheckStats:
    """Checks and feedback by measure, by department and by month (default: the last twelve months)."""
    today = today_shanghai()
    year, month = (today.year - 1, today.month + 1) if today.month < 12 else (today.year, 1)
    first, last = _month(month_from, f"{year:04d}-{month:02d}"), _month(month_to, f"{today:%Y-%m}")
    if first > last:
        raise PanshiError("起始月份不能晚于截止月份", code="bad_month")
    catalog = load()
    where: dict[str, Any] = {"month_from": first, "month_to": last, "department_id": department_id}
    returned, applied = repository.measure_counts(session, codes=list(catalog.measures), **where)
    by_measure = [
        MeasureStat(code=m.code, name=m.name, kind_label=m.kind_label, returned=returned.get(m.code, 0),
                    applied=applied.get(m.code, 0))
        for m in catalog.measures.values()
    ]  # fmt: skip
    by_department = repository.grouped_counts(session, by="department", **where)
    names = departments_by_id(session, [r.key for r in by_department if r.key is not None])
    return CheckStats(
        month_from=first, month_to=last, department_id=department_id, by_measure=by_measure,
        by_department=[
            _group(names[r.key].name if r.key in names else "平台运营（无所属单位）", r, department_id=r.key)
            for r in by_department
        ],
        by_month=[_group(str(r.key), r) for r in repository.grouped_counts(session, by="month", **where)],
    )  # fmt: skip


def _group(key: str, row: object, *, department_id: int | None = None) -> GroupStat:
    values = {name: int(getattr(row, name) or 0) for name in
              ("checks", "on_lists", "with_measures", "with_feedback", "measures_applied")}  # fmt: skip
    return GroupStat(key=key, department_id=department_id, **values)


def pending_feedback(session: Session, *, department_id: int | None = None, page: int = 1) -> PendingPage:
    """Checks that answered measures to apply and never got feedback, newest first."""
    page = max(1, page)
    rows, total = repository.pending_feedback(
        session, department_id=department_id, offset=(page - 1) * PENDING_PAGE_SIZE, limit=PENDING_PAGE_SIZE
    )
    catalog = load()
    names = departments_by_id(session, [r.department_id for r in rows if r.department_id is not None])
    owners = subjects.subjects_by_id(session, {r.subject_id for r in rows})
    items = [
        PendingCheck(
            check_id=r.id, at=_utc(r.at), department_name=names[r.department_id].name if r.department_id in names else None,
            scenario_name=catalog.scenarios[r.scenario].name if r.scenario in catalog.scenarios else r.scenario,
            subject_name=owners[r.subject_id].name, case_reference=r.case_reference,
            measures=[c for c in r.measure_codes.split(";") if c],
        )
        for r in rows
    ]  # fmt: skip
    return PendingPage(items=items, page=page, pages=max(1, -(-total // PENDING_PAGE_SIZE)), total=total)


def checks_of_own_subject(session: Session, *, who: Principal, page: int = 1) -> SubjectCheckPage:
    """A subject user sees which systems checked it (联合奖惩核查), when, in which scenario and why —
    as it sees who read its credit file (查询登记)."""
    if who.role is not Role.subject or not who.subject_key:
        raise NotAuthorised("只有信用主体用户可以查看本主体被核查的记录")
    own = subjects.subject_by_key(session, who.subject_key)
    if own is None:
        return SubjectCheckPage(items=[], page=1, pages=1, total=0)
    page = max(1, page)
    rows, total = repository.checks_of_subject(
        session, subject_id=own.id, offset=(page - 1) * PENDING_PAGE_SIZE, limit=PENDING_PAGE_SIZE
    )
    catalog = load()
    names = departments_by_id(session, [r.department_id for r in rows if r.department_id is not None])
    items = [
        SubjectCheck(
            at=_utc(r.at), department_name=names[r.department_id].name if r.department_id in names else None,
            scenario_name=catalog.scenarios[r.scenario].name if r.scenario in catalog.scenarios else r.scenario,
            purpose=r.purpose, channel=r.channel,
        )
        for r in rows
    ]  # fmt: skip
    return SubjectCheckPage(items=items, page=page, pages=max(1, -(-total // PENDING_PAGE_SIZE)), total=total)
