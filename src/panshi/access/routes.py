"""HTTP (JSON): search, credit files, records, 双公示 listings and departments — each caller gets the
view its role allows, from the access layer."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from panshi.access import service
from panshi.access.schemas import (
    CreditFileView,
    DepartmentOut,
    DepartmentPage,
    PublicityPage,
    RecordView,
    SearchPage,
)
from panshi.accounts.schemas import Principal, Role
from panshi.api.deps import MAX_ID, IdPath, ReadSession, caller, require
from panshi.api.web import rate_limit
from panshi.core.errors import NotFound
from panshi.core.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["credit files 信用档案"])

# A credit file's records per page in the API by default, and at most (a whole file of a few hundred
# records in one answer, for systems that want it).
RECORDS_PAGE_SIZE = 50
RECORDS_PAGE_SIZE_MAX = 500


def json_response(model: BaseModel) -> Response:
    """The model as JSON, serialised once (the route's response_model documents it)."""
    return Response(model.__pydantic_serializer__.to_json(model), media_type="application/json")


Purpose = Annotated[
    str | None,
    Query(max_length=200, description="查询事由: stated purpose; needed for non-public data, and logged"),
]


def limit_search(request: Request, who: Principal) -> None:
    """Public searches are rate limited per address (HTTP 429 with Retry-After past the limit)."""
    if who.is_public:
        rate_limit(request, bucket="search", rule=get_settings().search_rate_limit)


async def search_limited(request: Request, who: Annotated[Principal, Depends(caller)]) -> Principal:
    """The caller of a search, counted against the public search limit."""
    limit_search(request, who)
    return who


@router.get("/search", response_model=SearchPage)
def search(
    who: Annotated[Principal, Depends(search_limited)],
    session: ReadSession,
    q: Annotated[str, Query(description="A name (partial) or any code")] = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    """Find subjects by name (partial, tolerant) or by any code."""
    return json_response(service.search(session, who=who, q=q, page=page))


@router.get("/subjects/{code}", response_model=CreditFileView)
def get_subject(
    code: str,
    who: Annotated[Principal, Depends(caller)],
    session: ReadSession,
    purpose: Purpose = None,
    records_page: Annotated[int, Query(ge=1, le=100_000, description="Page of records (from 1)")] = 1,
    records_page_size: Annotated[
        int,
        Query(
            ge=1,
            le=RECORDS_PAGE_SIZE_MAX,
            description=f"Records per page (newest decision first); up to {RECORDS_PAGE_SIZE_MAX}",
        ),
    ] = RECORDS_PAGE_SIZE,
) -> Response:
    """A subject's credit file by its USCC, old code or opaque id — the view the caller's role allows,
    its records a page at a time (`records_total` says how many the caller may see)."""
    pages = service.RecordPages(size=records_page_size, page=records_page)
    view = service.credit_file(session, who=who, code=code, purpose=purpose, channel="api", pages=pages)
    return json_response(view)


@router.get("/records/{record_id}", response_model=RecordView)
def get_record(
    record_id: IdPath,
    who: Annotated[Principal, Depends(caller)],
    session: ReadSession,
    purpose: Purpose = None,
) -> RecordView:
    """One record, if the caller may see it (otherwise 404, whether or not it exists)."""
    return service.record(session, who=who, record_id=record_id, purpose=purpose, channel="api")


@router.get("/publicity", response_model=PublicityPage)
def publicity(
    session: ReadSession,
    _who: Annotated[Principal, Depends(caller)],
    type: Annotated[str | None, Query(description="admin_penalty | admin_license")] = None,
    department: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Department id")] = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> PublicityPage:
    """双公示: licenses and penalties in their publicity period, newest decision first."""
    return service.publicity(
        session,
        record_type=type or None,
        department_id=department,
        date_from=date_from,
        date_to=date_to,
        page=page,
    )


@router.get("/departments", response_model=list[DepartmentOut])
def departments(session: ReadSession, _who: Annotated[Principal, Depends(caller)]) -> list[DepartmentOut]:
    """Source departments (数据来源单位)."""
    return service.departments(session)


@router.get("/departments/{department_id}", response_model=DepartmentPage)
def department(
    department_id: IdPath,
    session: ReadSession,
    _who: Annotated[Principal, Depends(caller)],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> DepartmentPage:
    """A department: records it has sent, by type, and its records in publicity."""
    return service.department_page(session, department_id=department_id, page=page)


@router.get("/me", response_model=CreditFileView)
def my_credit_file(
    who: Annotated[Principal, Depends(require(Role.subject))],
    session: ReadSession,
) -> CreditFileView:
    """A subject user's own full credit file."""
    view = service.own_credit_file(session, who=who)
    if view is None:
        raise NotFound("平台尚无本主体的信用记录")
    return view
