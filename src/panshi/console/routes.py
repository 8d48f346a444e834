"""The operator and department console (管理控制台), sign-in and subject self-service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from panshi.accounts.schemas import Principal, Role
from panshi.api.deps import ReadSession
from panshi.api.web import render
from panshi.console import admin, auth, batches, cases, me, notices, subjects
from panshi.console.pages import CHANNEL_LABELS, CONSOLE, page, record_type_labels
from panshi.ingest.service import own_department, quality_by_department, recent_batches

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
for part in (
    auth.router,
    subjects.router,
    batches.router,
    admin.router,
    me.router,
    cases.router,
    notices.router,
):
    router.include_router(part)

RECENT_BATCHES = 20


@router.get("/console")
def dashboard(
    request: Request, who: Annotated[Principal, Depends(page(*CONSOLE))], session: ReadSession
) -> Any:
    """The console's front page: data quality and recent batches (all for operators, a department's own)."""
    quality: list[Any] = []
    latest: list[Any] = []
    if who.role in (Role.operator, Role.department):
        own = own_department(who)
        quality = quality_by_department(session, department_id=own)
        latest = recent_batches(session, department_id=own, limit=RECENT_BATCHES)
    names = {q.department_id: q.department_name for q in quality}
    return render(request, "console/dashboard.html", quality=quality, latest=latest, department_names=names,
                  record_types=record_type_labels(), channel_labels=CHANNEL_LABELS)  # fmt: skip
