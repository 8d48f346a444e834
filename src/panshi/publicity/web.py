"""HTML: the console's timeliness page (公示及时率), for operators and department users."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from panshi.accounts.schemas import Principal, Role
from panshi.accounts.service import list_departments
from panshi.api.deps import ReadSession
from panshi.api.web import render
from panshi.console.pages import STAFF, page
from panshi.core.errors import PanshiError
from panshi.publicity import service
from panshi.publicity.schemas import Timeliness

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

SORTS = {"department": "按单位", "worst": "及时率由低到高", "late": "逾期条数由多到少"}


def _sorted(rows: list[Any], sort: str) -> list[Any]:
    if sort == "worst":  # not judged at all last
        return sorted(rows, key=lambda r: (r.share is None, r.share if r.share is not None else 0, -r.late))
    if sort == "late":
        return sorted(rows, key=lambda r: (-r.late, r.department_name, r.month))
    return rows


@router.get("/console/timeliness")
def timeliness_page(
    request: Request,
    session: ReadSession,
    who: Annotated[Principal, Depends(page(*STAFF))],
    month_from: Annotated[str | None, Query(alias="from", max_length=7)] = None,
    month_to: Annotated[str | None, Query(alias="to", max_length=7)] = None,
    department: Annotated[str | None, Query(max_length=20)] = None,
    sort: Annotated[str, Query(max_length=20)] = "department",
) -> Any:
    """公示及时率: by department and month, sortable by the worst share."""
    department_id = int(department) if department and department.isdigit() else None
    error = None
    try:
        figures = service.timeliness(session, who=who, month_from=month_from or None, month_to=month_to or None,
                                     department_id=department_id)  # fmt: skip
    except PanshiError as exc:
        if exc.status_code == 403:
            raise
        error = exc.message
        figures = service.timeliness(
            session, who=who, month_from=None, month_to=None, department_id=department_id
        )
    sort = sort if sort in SORTS else "department"
    shown = Timeliness(**{**figures.model_dump(), "rows": []})
    departments = list_departments(session) if who.role is Role.operator else []
    return render(request, "console/timeliness.html", figures=shown, rows=_sorted(figures.rows, sort), sort=sort,
                  sorts=SORTS, departments=departments, department_id=department_id, error=error,
                  active="timeliness")  # fmt: skip
