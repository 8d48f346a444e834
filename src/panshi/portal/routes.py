"""The public portal (公众门户): server-rendered pages in Simplified Chinese, no JavaScript needed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from panshi.accounts.schemas import Principal
from panshi.api.deps import caller, read_session
from panshi.api.web import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/")
def home(
    request: Request,
    _who: Annotated[Principal, Depends(caller)],
    session: Annotated[Session, Depends(read_session)],
) -> Any:
    """Home: search box and what the platform holds."""
    from panshi.accounts.service import count_departments
    from panshi.records.service import count_records
    from panshi.subjects.service import count_subjects

    counts = {
        "信用主体": count_subjects(session),
        "信用记录": count_records(session),
        "数据来源单位": count_departments(session),
    }
    return render(request, "portal/home.html", counts=counts)
