"""Operators' pages: the query log (查询登记) and accounts and API tokens (账号与令牌)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from panshi.access.schemas import LEVEL_LABELS
from panshi.accounts import service as accounts
from panshi.accounts.schemas import ROLE_LABELS, Principal, Role
from panshi.api.deps import ReadSession, WriteSession
from panshi.api.web import render
from panshi.audit.schemas import QueryLogFilter, QueryLogPage
from panshi.audit.service import search_log
from panshi.console.pages import OPERATOR, form_int, page
from panshi.core.errors import PanshiError

router = APIRouter(prefix="/console", include_in_schema=False, default_response_class=HTMLResponse)

Operator = Annotated[Principal, Depends(page(*OPERATOR))]
Text = Annotated[str, Query(max_length=200)]
ACCOUNT_ROLES = [(role.value, ROLE_LABELS[role]) for role in accounts.ACCOUNT_ROLES]
# What a redirect after a change may announce; only these fixed texts are shown, nothing from the URL.
NOTICES = {
    "added": "账号已创建。",
    "disabled": "账号已停用，其所有登录会话已失效。",
    "enabled": "账号已启用。",
    "revoked": "令牌已吊销，立即失效。",
}


# --- query log -----------------------------------------------------------------------------------


@router.get("/query-log")
def query_log(
    request: Request,
    who: Operator,
    session: ReadSession,
    actor: Text = "",
    subject: Annotated[str, Query(max_length=64)] = "",
    department: Annotated[str, Query(max_length=20)] = "",
    purpose: Annotated[str, Query(max_length=100)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Any:
    """Search the query log by actor, subject, department, purpose words and dates (operators)."""
    asked = {"actor": actor.strip(), "subject": subject.strip(), "department": department.strip(),
             "purpose": purpose.strip(), "from": date_from.strip(), "to": date_to.strip()}  # fmt: skip
    error = None
    found = QueryLogPage(entries=[], page=1, pages=1, total=0)
    try:
        where = QueryLogFilter.model_validate({
            "actor": asked["actor"] or None, "subject": asked["subject"] or None,
            "department_id": form_int(asked["department"]), "purpose": asked["purpose"] or None,
            "date_from": asked["from"] or None, "date_to": asked["to"] or None,
        })  # fmt: skip
        if where.date_from and where.date_to and where.date_from > where.date_to:
            raise PanshiError("起始日期不能晚于截止日期")
        found = search_log(session, who=who, where=where, page=page_number)
    except ValidationError:
        error = "日期格式应为 YYYY-MM-DD"
    except PanshiError as exc:
        error = exc.message
    pages = {
        "previous": _page_link(asked, found.page - 1) if found.page > 1 else None,
        "next": _page_link(asked, found.page + 1) if found.page < found.pages else None,
    }
    return render(request, "console/query_log.html", status_code=400 if error else 200, asked=asked,
                  found=found, pages=pages, error=error, departments=accounts.list_departments(session),
                  level_labels=LEVEL_LABELS, role_labels=_role_labels())  # fmt: skip


def _page_link(asked: dict[str, str], number: int) -> str:
    return "/console/query-log?" + urlencode({**{k: v for k, v in asked.items() if v}, "page": number})


# --- accounts and tokens -------------------------------------------------------------------------


@router.get("/accounts")
def accounts_page(
    request: Request,
    _who: Operator,
    session: ReadSession,
    notice: Annotated[str, Query(max_length=20)] = "",
) -> Any:
    """Every account and API token, with the forms that change them (operators)."""
    return _accounts(request, session, notice=NOTICES.get(notice))


@router.post("/accounts")
def add_account(
    request: Request,
    _who: Operator,
    session: WriteSession,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    department_id: Annotated[str, Form(max_length=20)] = "",
    subject_code: Annotated[str, Form(max_length=64)] = "",
) -> Any:
    """Create an account; its role decides whether it needs a department or a subject code."""
    entered = {"username": username.strip(), "role": role, "display_name": display_name,
               "department_id": department_id, "subject_code": subject_code}  # fmt: skip
    try:
        department, subject = _bindings(role, department_id, subject_code)
        with session.begin_nested():
            accounts.add_user(
                session, username=entered["username"], password=password, role=role, display_name=display_name,
                department_id=department, subject_code=subject,
            )  # fmt: skip
    except PanshiError as exc:
        return _accounts(request, session, error=exc.message, entered=entered, status_code=exc.status_code)
    return RedirectResponse("/console/accounts?notice=added", status_code=303)


@router.post("/accounts/{user_id}/disable")
def disable_account(request: Request, user_id: int, who: Operator, session: WriteSession) -> Any:
    """Disable an account: it can no longer sign in and its sessions end at once."""
    if user_id == who.user_id:
        return _accounts(request, session, error="不能停用自己正在使用的账号", status_code=400)
    accounts.set_user_active(session, user_id=user_id, active=False)
    return RedirectResponse("/console/accounts?notice=disabled", status_code=303)


@router.post("/accounts/{user_id}/enable")
def enable_account(user_id: int, _who: Operator, session: WriteSession) -> Any:
    """Enable a disabled account."""
    accounts.set_user_active(session, user_id=user_id, active=True)
    return RedirectResponse("/console/accounts?notice=enabled", status_code=303)


@router.post("/tokens")
def issue_token(
    request: Request,
    _who: Operator,
    session: WriteSession,
    role: Annotated[str, Form(max_length=32)] = "",
    label: Annotated[str, Form(max_length=200)] = "",
    department_id: Annotated[str, Form(max_length=20)] = "",
    subject_code: Annotated[str, Form(max_length=64)] = "",
) -> Any:
    """Issue an API token and show it once: only its hash is kept, so this page is the only copy."""
    try:
        department, subject = _bindings(role, department_id, subject_code)
        with session.begin_nested():
            token = accounts.issue_token(
                session, role=role, label=label.strip(), department_id=department, subject_code=subject
            )
    except PanshiError as exc:
        return _accounts(request, session, error=exc.message, status_code=exc.status_code)
    return render(request, "console/token_issued.html", token=token, role_label=ROLE_LABELS[Role(role)],
                  label=label.strip(), headers={"Cache-Control": "no-store"})  # fmt: skip


@router.post("/tokens/{token_id}/revoke")
def revoke_token(token_id: int, _who: Operator, session: WriteSession) -> Any:
    """Revoke an API token at once."""
    accounts.revoke_token(session, token_id)
    return RedirectResponse("/console/accounts?notice=revoked", status_code=303)


def _bindings(role: str, department_id: str, subject_code: str) -> tuple[int | None, str | None]:
    """The department or subject the role binds to: the form sends both fields whatever the role."""
    chosen = next((r for r in accounts.ACCOUNT_ROLES if r.value == role), None)
    if chosen is None:
        raise PanshiError("请选择角色", code="bad_account")
    department = form_int(department_id) if chosen in accounts.NEEDS_DEPARTMENT else None
    subject = subject_code.strip() or None if chosen is Role.subject else None
    return department, subject


def _accounts(
    request: Request,
    session: Session,
    *,
    notice: str | None = None,
    error: str | None = None,
    entered: dict[str, str] | None = None,
    status_code: int = 200,
) -> Any:
    departments = accounts.list_departments(session)
    return render(
        request, "console/accounts.html", status_code=status_code, users=accounts.list_users(session),
        tokens=accounts.list_tokens(session), departments=departments,
        department_names={d.id: d.name for d in departments}, roles=ACCOUNT_ROLES, role_labels=_role_labels(),
        notice=notice, error=error, entered=entered or {},
    )  # fmt: skip


def _role_labels() -> dict[str, str]:
    return {role.value: label for role, label in ROLE_LABELS.items()}
