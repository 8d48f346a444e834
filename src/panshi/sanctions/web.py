"""HTML: the public red and black lists (/lists) and the console's list management and statistics."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from panshi.accounts.schemas import Principal, Role
from panshi.accounts.service import list_departments
from panshi.api.deps import ReadSession, WriteSession, caller
from panshi.api.web import render
from panshi.console.pages import page
from panshi.core.errors import PanshiError
from panshi.core.timeutil import today_shanghai
from panshi.sanctions import entries, feedback, repository
from panshi.sanctions.catalog import load
from panshi.sanctions.schemas import OUTCOME_LABELS

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

# Console pages: an anonymous visitor is sent to the sign-in page (the console's rule), operators only.
Operator = Annotated[Principal, Depends(page(Role.operator))]


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


@router.get("/lists")
def public_lists(
    request: Request,
    session: ReadSession,
    _who: Annotated[Principal, Depends(caller)],
    type: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Any:
    """红黑名单: the entries in force of the lists the rules make public."""
    listing = entries.public_lists(session, list_type=type or None, q=q or None, page=page)
    return render(request, "sanctions/lists.html", listing=listing, filters={"type": type or "", "q": q or ""},
                  query=_query(type=type, q=q))  # fmt: skip


# --- console ---------------------------------------------------------------------------------------


@router.get("/console/sanctions")
def overview(request: Request, session: ReadSession, _who: Operator) -> Any:
    """联合奖惩: list types with their entries in force, and the latest checks."""
    catalog = load()
    counts = {code: entries.entries_page(session, list_type=code).total for code in catalog.list_types}
    recent = repository.recent_checks(session, department_id=None, limit=20)
    pending = feedback.pending_feedback(session).total
    return render(request, "sanctions/overview.html", catalog=catalog, counts=counts, recent=recent,
                  pending=pending, active="overview")  # fmt: skip


@router.get("/console/sanctions/catalog")
def catalog_page(request: Request, _who: Operator) -> Any:
    """名单类型与措施清单."""
    return render(request, "sanctions/catalog.html", catalog=load(), active="catalog")


@router.get("/console/sanctions/entries")
def entries_list(
    request: Request,
    session: ReadSession,
    _who: Operator,
    type: Annotated[str | None, Query(max_length=64)] = None,
    state: Annotated[str, Query(max_length=16)] = "active",
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Any:
    """名单管理: every list's entries by state."""
    listing = entries.entries_page(session, list_type=type or None, state=state, q=q or None, page=page)
    return render(request, "sanctions/entries.html", listing=listing, catalog=load(), states=entries.STATES,
                  filters={"type": type or "", "state": state, "q": q or ""},
                  query=_query(type=type, state=state, q=q), active="entries")  # fmt: skip


@router.get("/console/sanctions/entries/{record_id}")
def entry_page(
    request: Request,
    record_id: int,
    session: ReadSession,
    _who: Operator,
    done: Annotated[str | None, Query(max_length=20)] = None,
    error: Annotated[str | None, Query(max_length=300)] = None,
) -> Any:
    """One entry: its details, its history, and the forms to extend it or remove it early."""
    entry, owner = entries.get_entry(session, record_id)
    today = today_shanghai()
    return render(request, "sanctions/entry.html", entry=entries.entry_out(entry, owner, on=today),
                  subject=entries.subject_label(owner), history=entries.entry_history(session, record_id),
                  list_type=entry.list_type, today=today, done=done, error=error, active="entries")  # fmt: skip


def _after(record_id: int, *, done: str | None = None, error: str | None = None) -> RedirectResponse:
    return RedirectResponse(
        f"/console/sanctions/entries/{record_id}?{_query(done=done, error=error)}", status_code=303
    )


@router.post("/console/sanctions/entries/{record_id}/extend")
def extend_entry(
    record_id: int,
    session: WriteSession,
    who: Operator,
    end_date: Annotated[date, Form()],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Any:
    """Extend an entry (new 移出日期, with a reason)."""
    try:
        entries.extend(session, record_id=record_id, end_date=end_date, reason=reason, actor=who.actor)
    except PanshiError as exc:
        session.rollback()
        return _after(record_id, error=exc.message)
    return _after(record_id, done="extended")


@router.post("/console/sanctions/entries/{record_id}/remove")
def remove_entry(
    record_id: int,
    session: WriteSession,
    who: Operator,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Any:
    """Remove an entry early, with a reason."""
    try:
        entries.remove(session, record_id=record_id, reason=reason, actor=who.actor)
    except PanshiError as exc:
        session.rollback()
        return _after(record_id, error=exc.message)
    return _after(record_id, done="removed")


@router.get("/console/sanctions/stats")
def stats_page(
    request: Request,
    session: ReadSession,
    _who: Operator,
    month_from: Annotated[str | None, Query(alias="from", max_length=7)] = None,
    month_to: Annotated[str | None, Query(alias="to", max_length=7)] = None,
    department: Annotated[str | None, Query(max_length=20)] = None,
) -> Any:
    """核查与反馈统计: by measure, by department, by month."""
    department_id = int(department) if department and department.isdigit() else None
    figures = feedback.stats(session, month_from=month_from or None, month_to=month_to or None,
                             department_id=department_id)  # fmt: skip
    return render(request, "sanctions/stats.html", stats=figures, departments=list_departments(session),
                  department_id=department_id, active="stats")  # fmt: skip


@router.get("/console/sanctions/pending")
def pending_page(
    request: Request,
    session: ReadSession,
    _who: Operator,
    department: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Any:
    """Checks that answered measures and never got feedback."""
    department_id = int(department) if department and department.isdigit() else None
    listing = feedback.pending_feedback(session, department_id=department_id, page=page)
    return render(request, "sanctions/pending.html", listing=listing, departments=list_departments(session),
                  department_id=department_id, query=_query(department=department_id), active="pending")  # fmt: skip


@router.get("/console/sanctions/checks/{check_id}")
def check_page(request: Request, check_id: str, session: ReadSession, who: Operator) -> Any:
    """One check as answered, its receipt verified now, and its feedback."""
    record = feedback.get_check(session, who=who, check_id=check_id)
    return render(
        request, "sanctions/check.html", record=record, outcome_labels=OUTCOME_LABELS, active="overview"
    )
