"""In-app notices (通知) in the browser: the signed-in user's, unread first; opening one marks it read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from panshi.accounts.schemas import Principal, Role
from panshi.api.deps import IdPath, ReadSession, WriteSession
from panshi.api.web import render
from panshi.console.pages import page, pager_links
from panshi.core.errors import PanshiError
from panshi.notices import service

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
SIGNED_IN = (Role.operator, Role.department, Role.subject)


@router.get("/notices")
def notices_page(
    request: Request,
    who: Annotated[Principal, Depends(page(*SIGNED_IN))],
    session: ReadSession,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Any:
    """The signed-in user's notices and, when SMTP is configured, the address they are emailed to."""
    notices = service.list_notices(session, who=who, page=page_number)
    email = service.get_email(session, who=who)
    pages = pager_links("/notices", notices.page, notices.pages)
    return render(request, "console/notices.html", notices=notices, pages=pages, email=email, error=None)


@router.post("/notices/{notice_id}/read")
def open_notice(
    notice_id: IdPath, who: Annotated[Principal, Depends(page(*SIGNED_IN))], session: WriteSession
) -> Any:
    """Mark the notice read and go to its case (or back to the list)."""
    service.mark_read(session, who=who, notice_id=notice_id)
    found = next((n for n in service.list_notices(session, who=who).items if n.id == notice_id), None)
    target = f"/cases/{found.case_id}" if found and found.case_id else "/notices"
    return RedirectResponse(target, status_code=303)


@router.post("/notices/email")
def set_email(
    request: Request,
    who: Annotated[Principal, Depends(page(*SIGNED_IN))],
    session: WriteSession,
    email: Annotated[str, Form(max_length=254)] = "",
) -> Any:
    """Set or clear the address notices are emailed to."""
    try:
        with session.begin_nested():
            service.set_email(session, who=who, email=email)
    except PanshiError as exc:
        notices = service.list_notices(session, who=who)
        return render(request, "console/notices.html", notices=notices, pages={}, email=service.get_email(
            session, who=who), error=exc.message, status_code=exc.status_code)  # fmt: skip
    return RedirectResponse("/notices", status_code=303)
