"""HTTP (JSON): 双公示 timeliness (及时率) by department and month."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from panshi.accounts.schemas import Principal
from panshi.api.deps import MAX_ID, ReadSession, staff
from panshi.api.web import combined
from panshi.publicity import service
from panshi.publicity.schemas import Timeliness

router = APIRouter(prefix="/api/v1", tags=["publicity 公示"])


@router.get("/timeliness", response_model=Timeliness)
def timeliness(
    who: Annotated[Principal, Depends(staff)],
    session: ReadSession,
    month_from: Annotated[
        str | None, Query(alias="from", max_length=7, description="YYYY-MM (default: 11 months ago)")
    ] = None,
    month_to: Annotated[
        str | None, Query(alias="to", max_length=7, description="YYYY-MM (default: this month)")
    ] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Timeliness:
    """Each department's 双公示 records per decision month published within 7 working days (operators:
    every department; a department user: its own)."""
    return service.timeliness(
        session, who=who, month_from=month_from, month_to=month_to, department_id=department_id
    )


def _all_routers() -> APIRouter:
    from panshi.publicity.web import router as web_router

    return combined(router, web_router)


# The JSON API and the console page, included by the application together.
routers = _all_routers()
