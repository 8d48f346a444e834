"""Objections (异议) and credit repair (信用修复) in the browser: a subject files and follows its cases,
departments and operators work the queue by deadline and decide. Every rule is the cases domain's;
these pages only collect the form and show what it answers."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from panshi.access.schemas import LEVEL_LABELS
from panshi.access.service import record as read_record
from panshi.accounts.schemas import Principal, Role
from panshi.api.deps import IdPath, ReadSession, WriteSession
from panshi.api.web import render
from panshi.cases import evidence, filing, workflow
from panshi.cases.schemas import CommitmentIn, DecisionIn, ObjectionIn, RepairIn
from panshi.console.pages import STAFF, SUBJECT, field_labels, page, pager_links
from panshi.core.errors import PanshiError

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

Kind = Literal["objection", "repair"]
APPLICANTS = (Role.subject, Role.operator)
CONCERNED = (Role.subject, Role.operator, Role.department)
MAX_EVIDENCE_FILES = 10
CORRECTION_ROWS = 3  # field/value pairs a correcting reviewer may fill in


@router.get("/console/cases")
def queue(
    request: Request,
    who: Annotated[Principal, Depends(page(*STAFF))],
    session: ReadSession,
    kind: Annotated[Kind | None, Query()] = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Any:
    """The open cases to work, earliest deadline first, overdue ones flagged (待办：异议与信用修复)."""
    cases = workflow.list_cases(session, who=who, kind=kind, queue=True, page=page_number)
    overdue = sum(1 for c in workflow.overdue_cases(session) if _concerns(who, c.department_id))
    return render(request, "cases/queue.html", cases=cases, kind=kind, overdue=overdue,
                  pages=pager_links("/console/cases", cases.page, cases.pages, kind=kind))  # fmt: skip


@router.get("/me/cases")
def my_cases(
    request: Request,
    who: Annotated[Principal, Depends(page(*SUBJECT))],
    session: ReadSession,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Any:
    """The signed-in subject's objections and repair applications, newest first."""
    cases = workflow.list_cases(session, who=who, page=page_number)
    return render(request, "cases/mine.html", cases=cases,
                  pages=pager_links("/me/cases", cases.page, cases.pages))  # fmt: skip


@router.get("/cases/new/{kind}")
def new_case_form(
    request: Request,
    kind: Kind,
    who: Annotated[Principal, Depends(page(*APPLICANTS))],
    session: ReadSession,
    record_id: Annotated[int, Query(alias="record", ge=1, le=2**63 - 1)],
) -> Any:
    """The form to object to a record, or to apply for its repair (free of charge)."""
    return _new_form(request, session, who=who, kind=kind, record_id=record_id, values={}, error=None)


@router.post("/cases/new/{kind}")
def file_case(
    request: Request,
    kind: Kind,
    who: Annotated[Principal, Depends(page(*APPLICANTS))],
    session: WriteSession,
    record_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
    reason: Annotated[str, Form(max_length=2000)] = "",
    files: Annotated[list[UploadFile] | None, Form()] = None,
    legal_representative: Annotated[str, Form(max_length=100)] = "",
    content: Annotated[str, Form(max_length=2000)] = "",
    valid_until: Annotated[str, Form(max_length=10)] = "",
    received_on: Annotated[str, Form(max_length=10)] = "",
) -> Any:
    """File the case with its evidence files; a refusal stores nothing and shows the form again."""
    values = {"reason": reason, "legal_representative": legal_representative, "content": content,
              "valid_until": valid_until, "received_on": received_on}  # fmt: skip
    uploads = [f for f in files or [] if f.filename]
    try:
        if len(uploads) > MAX_EVIDENCE_FILES:
            raise PanshiError(f"一次最多上传 {MAX_EVIDENCE_FILES} 个证明材料文件")
        with evidence.discarded_unless_kept(session) as stored:
            ids = [stored(evidence.store_evidence(session, who=who, filename=f.filename or "", stream=f.file))
                   for f in uploads]  # fmt: skip
            case = _file(session, who=who, kind=kind, record_id=record_id, values=values, evidence_ids=ids)
    except (PanshiError, ValueError) as exc:
        message = exc.message if isinstance(exc, PanshiError) else _first_error(exc)
        status = exc.status_code if isinstance(exc, PanshiError) else 422
        return _new_form(request, session, who=who, kind=kind, record_id=record_id, values=values, error=message,
                         status_code=status)  # fmt: skip
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    case_id: IdPath,
    who: Annotated[Principal, Depends(page(*CONCERNED))],
    session: ReadSession,
) -> Any:
    """A case: its state and deadline, the record, the events, the evidence and the steps the caller may take."""
    return _case_page(request, session, who=who, case_id=case_id, error=None)


@router.post("/cases/{case_id}")
def decide(
    request: Request,
    case_id: IdPath,
    who: Annotated[Principal, Depends(page(*STAFF))],
    session: WriteSession,
    action: Annotated[str, Form(max_length=16)],
    version: Annotated[int, Form(ge=1)],
    reason: Annotated[str, Form(max_length=1000)] = "",
    field: Annotated[list[str] | None, Form()] = None,
    value: Annotated[list[str] | None, Form()] = None,
) -> Any:
    """Take a step on the case; when another reviewer decided first, say so and show the case as it is now."""
    corrections = {f: v for f, v in zip(field or [], value or [], strict=False) if f.strip() and v.strip()}
    try:
        with session.begin_nested():
            decision = DecisionIn.model_validate(
                {"action": action, "reason": reason, "version": version, "corrections": corrections}
            )
            workflow.decide(session, who=who, case_id=case_id, decision=decision)
    except (PanshiError, ValueError) as exc:
        message = exc.message if isinstance(exc, PanshiError) else _first_error(exc)
        status = exc.status_code if isinstance(exc, PanshiError) else 422
        return _case_page(request, session, who=who, case_id=case_id, error=message, status_code=status)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


# --- helpers ---------------------------------------------------------------------------------------


def _file(
    session: Any,
    *,
    who: Principal,
    kind: Kind,
    record_id: int,
    values: dict[str, str],
    evidence_ids: list[int],
) -> Any:
    received_on = _date(values["received_on"], "线下受理日期") if values["received_on"].strip() else None
    if kind == "objection":
        objection = ObjectionIn(
            record_id=record_id, reason=values["reason"], evidence_ids=evidence_ids, received_on=received_on
        )
        return filing.file_objection(session, who=who, body=objection)
    commitment = CommitmentIn(
        legal_representative=values["legal_representative"], content=values["content"],
        valid_until=_date(values["valid_until"], "承诺有效期"),
    )  # fmt: skip
    body = RepairIn(record_id=record_id, declaration=values["reason"], evidence_ids=evidence_ids,
                    commitment=commitment, received_on=received_on)  # fmt: skip
    return filing.file_repair(session, who=who, body=body)


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PanshiError(f"请填写{what}（日期，如 2027-12-31）", code="bad_date") from None


def _new_form(
    request: Request,
    session: Any,
    *,
    who: Principal,
    kind: Kind,
    record_id: int,
    values: dict[str, str],
    error: str | None,
    status_code: int = 200,
) -> Any:
    purpose = None if who.role is Role.subject else "代为提出异议或信用修复申请"
    shown = read_record(session, who=who, record_id=record_id, purpose=purpose, channel="web")
    return render(request, "cases/new.html", kind=kind, kind_label=workflow.KIND_LABELS[kind], case_record=shown,
                  values=values, error=error, max_files=MAX_EVIDENCE_FILES, level_labels=LEVEL_LABELS,
                  field_hints={}, status_code=status_code)  # fmt: skip


def _case_page(
    request: Request, session: Any, *, who: Principal, case_id: int, error: str | None, status_code: int = 200
) -> Any:
    case = workflow.get_case(session, who=who, case_id=case_id)
    purpose = None if who.role is Role.subject else "办理异议或信用修复申请"
    try:
        shown = read_record(session, who=who, record_id=case.record_id, purpose=purpose, channel="web")
    except PanshiError:
        shown = None  # a withdrawn record is in no view but the full history
    actions = [(a, _action_label(case.kind, a)) for a in case.allowed_actions]
    return render(request, "cases/case.html", case=case, case_record=shown, actions=actions, error=error,
                  fields=field_labels(case.record_type), correction_rows=range(CORRECTION_ROWS),
                  level_labels=LEVEL_LABELS, field_hints={}, status_code=status_code)  # fmt: skip


def _action_label(kind: str, action: str) -> str:
    """A step as the decision form offers it; a refusal named for the case's kind (不予受理 / 不予修复)."""
    if action == "refuse":
        return workflow.STATE_LABELS[kind]["refused"]
    return workflow.ACTION_LABELS.get(action, action)


def _concerns(who: Principal, department_id: int) -> bool:
    return who.role is Role.operator or who.department_id == department_id


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            return f"填写有误：{found[0].get('msg', '')}"
    return f"填写有误：{exc}"
