"""Subject self-service (我的信用档案): a subject's own full file, and who has queried it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from panshi.access.schemas import CODE_LABELS, LEVEL_LABELS
from panshi.access.service import own_credit_file
from panshi.accounts.schemas import ROLE_LABELS, Principal
from panshi.api.deps import ReadSession
from panshi.api.web import render
from panshi.audit.service import log_of_own_subject
from panshi.console.pages import SUBJECT, page, pager_links
from panshi.evaluation.service import panel as evaluation_panel
from panshi.sanctions.feedback import checks_of_own_subject

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/me")
def my_file(
    request: Request,
    who: Annotated[Principal, Depends(page(*SUBJECT))],
    session: ReadSession,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    checks_page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Any:
    """The signed-in subject's own file, its query log (查询记录) and the checks of it (被核查记录)."""
    view = own_credit_file(session, who=who)
    grade = evaluation_panel(session, who=who, code=view.subject.code) if view else None
    queries = log_of_own_subject(session, who=who, page=page_number)
    role_labels = {role.value: label for role, label in ROLE_LABELS.items()}
    pages = pager_links("/me", queries.page, queries.pages)
    checks = checks_of_own_subject(session, who=who, page=checks_page)
    check_pages = pager_links("/me", checks.page, checks.pages, param="checks_page", anchor="#checks")
    return render(request, "console/me.html", file=view, grade=grade, queries=queries, pages=pages, checks=checks,
                  check_pages=check_pages, level_labels=LEVEL_LABELS, code_labels=CODE_LABELS,
                  role_labels=role_labels)  # fmt: skip
