"""HTTP (JSON): the signed-in caller's notices."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from panshi.accounts.schemas import Principal
from panshi.api.deps import IdPath, ReadSession, WriteSession, principal
from panshi.notices import service
from panshi.notices.schemas import EmailIn, EmailOut, NoticePage

router = APIRouter(prefix="/api/v1", tags=["notices 通知"])


@router.get("/notices", response_model=NoticePage)
def my_notices(
    who: Annotated[Principal, Depends(principal)],
    session: ReadSession,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> NoticePage:
    """The caller's notices (its subject's, its department's, or the operators'), unread first."""
    return service.list_notices(session, who=who, page=page)


@router.post("/notices/{notice_id}/read", status_code=204)
def read_notice(
    notice_id: IdPath, who: Annotated[Principal, Depends(principal)], session: WriteSession
) -> Response:
    """Mark a notice read."""
    service.mark_read(session, who=who, notice_id=notice_id)
    return Response(status_code=204)


@router.get("/notices/email", response_model=EmailOut)
def my_notice_email(who: Annotated[Principal, Depends(principal)], session: ReadSession) -> EmailOut:
    """The signed-in user's address for notice emails."""
    return service.get_email(session, who=who)


@router.put("/notices/email", response_model=EmailOut)
def set_notice_email(
    body: EmailIn, who: Annotated[Principal, Depends(principal)], session: WriteSession
) -> EmailOut:
    """Set (or clear) the signed-in user's address for notice emails (sent only when SMTP is configured)."""
    return service.set_email(session, who=who, email=body.email)
