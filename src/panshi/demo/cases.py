"""Demo cases: objections and a repair application that the credit centre registered from its service
window (线下受理) in the past days, so that the console's queue has work in every state — one overdue
at acknowledgement, one waiting for the market regulator's decision, one overdue repair. The newcomer
files their own as `demo-subject`."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from rich.console import Console
from sqlalchemy.orm import Session

from panshi.access.service import publicity
from panshi.accounts.schemas import Principal
from panshi.accounts.service import principal_of_user
from panshi.cases.evidence import store_evidence
from panshi.cases.filing import file_objection, file_repair
from panshi.cases.schemas import CommitmentIn, DecisionIn, ObjectionIn, RepairIn
from panshi.cases.workflow import decide, list_cases
from panshi.core.db import unit_of_work
from panshi.core.timeutil import today_shanghai
from panshi.records.service import get_raw

SEARCHED_PAGES = 20


def add_demo_cases(console: Console, *, skip_subject: str | None) -> None:
    """Register the demo cases once (nothing when the store already has cases)."""
    with unit_of_work(write=True) as session:
        operator = principal_of_user(session, "demo-operator")
        department = principal_of_user(session, "demo-dept")
        if operator is None or department is None or department.department_id is None:
            return
        if list_cases(session, who=operator).total:
            return
        found = _penalties(session, department_id=department.department_id, skip_subject=skip_subject)
        if found is None:
            return
        first, second, repairable = found
        _register(session, operator, first, skip_steps=True)
        _register(session, operator, second, skip_steps=False)
        _register_repair(session, operator, repairable)
    console.print("演示案件：信用中心已登记 2 件线下受理的异议和 1 件信用修复申请（管理控制台 → 异议与修复）")


@dataclass(frozen=True)
class EnterprisePenalty:
    subject_code: str
    subject_name: str
    record_id: int
    repairable: bool  # its minimum publicity period has passed


def enterprise_penalties(session: Session, *, department_id: int) -> Iterator[EnterprisePenalty]:
    """Penalties of the department in publicity of enterprises (USCC 91…), newest first, as the public
    listing shows them, each saying whether a repair may be applied for (the demo picks from these)."""
    today = today_shanghai()
    for page in range(1, SEARCHED_PAGES + 1):
        listing = publicity(session, record_type="admin_penalty", department_id=department_id, page=page)
        for item in listing.items:
            if item.subject_code.startswith("91"):
                raw = get_raw(session, item.record.id)
                minimum = raw.publicity_minimum_end if raw is not None else None
                yield EnterprisePenalty(item.subject_code, item.subject_name, item.record.id,
                                        repairable=minimum is not None and minimum < today)  # fmt: skip
        if page >= listing.pages:
            return


def _penalties(
    session: Session, *, department_id: int, skip_subject: str | None
) -> tuple[int, int, int] | None:
    """Three penalties of the department in publicity, of three other enterprises; the third past its
    minimum publicity period (repairable)."""
    plain: list[int] = []
    repairable: int | None = None
    seen: set[str] = {skip_subject} if skip_subject else set()
    for found in enterprise_penalties(session, department_id=department_id):
        if found.subject_code in seen:
            continue
        if found.repairable and repairable is None:
            repairable = found.record_id
        elif len(plain) < 2:
            plain.append(found.record_id)
        else:
            continue
        seen.add(found.subject_code)
        if repairable is not None and len(plain) == 2:
            return plain[0], plain[1], repairable
    return None


def _register(session: Session, operator: Principal, record_id: int, *, skip_steps: bool) -> None:
    today = today_shanghai()
    if skip_steps:  # received eight days ago and not yet acknowledged: overdue
        body = ObjectionIn(record_id=record_id, reason="当事人来窗口反映：处罚决定书所载违法行为发生地址有误，请求核实更正。",
                           received_on=today - timedelta(days=8))  # fmt: skip
        file_objection(session, who=operator, body=body)
        return
    body = ObjectionIn(record_id=record_id, reason="当事人来函称：该罚款已由复议机关决定撤销，公示信息应予撤下。",
                       received_on=today - timedelta(days=3))  # fmt: skip
    case = file_objection(session, who=operator, body=body)
    accepted = decide(session, who=operator, case_id=case.id,
                      decision=DecisionIn(action="accept", reason="材料齐全，予以受理", version=case.version))  # fmt: skip
    decide(session, who=operator, case_id=case.id,
           decision=DecisionIn(action="forward", reason="请来源单位核查", version=accepted.version))  # fmt: skip


def _register_repair(session: Session, operator: Principal, record_id: int) -> None:
    receipt = store_evidence(
        session, who=operator, filename="罚款缴纳凭证（演示）.pdf", stream=io.BytesIO(_receipt_pdf())
    )
    commitment = CommitmentIn(
        legal_representative="演示法定代表人",
        content="本单位已纠正失信行为，承诺今后严格遵守相关法律法规，如违反承诺，自愿接受相应惩戒。",
        valid_until=today_shanghai() + timedelta(days=365 * 2),
    )
    body = RepairIn(record_id=record_id, declaration="已按处罚决定书缴清全部罚款，违法行为已整改完毕。",
                    evidence_ids=[receipt.id], commitment=commitment,
                    received_on=today_shanghai() - timedelta(days=12))  # fmt: skip
    file_repair(session, who=operator, body=body)


def _receipt_pdf() -> bytes:
    """A one-page PDF standing for a fine's payment receipt."""
    from weasyprint import HTML

    return HTML(
        string="<h1>罚款缴纳凭证（演示）</h1><p>本文件为演示数据，仅供体验信用修复流程。</p>"
    ).write_pdf()  # type: ignore[no-any-return]
