"""HTTP (JSON): the query log (查询登记) for operators, and a subject's own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from panshi.accounts.schemas import Principal, Role
from panshi.api.deps import ReadSession, operator, require
from panshi.audit import service
from panshi.audit.schemas import QueryLogFilter, QueryLogPage

router = APIRouter(prefix="/api/v1", tags=["query log 查询登记"])


@router.get("/query-log", response_model=QueryLogPage)
def search_log(
    who: Annotated[Principal, Depends(operator)],
    session: ReadSession,
    where: Annotated[QueryLogFilter, Query()],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> QueryLogPage:
    """Search the query log: who read which subject's non-public data, why and when (operators)."""
    return service.search_log(session, who=who, where=where, page=page)


@router.get("/me/query-log", response_model=QueryLogPage)
def my_query_log(
    who: Annotated[Principal, Depends(require(Role.subject))],
    session: ReadSession,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> QueryLogPage:
    """Who queried the caller's own credit file, when and why (subject users)."""
    return service.log_of_own_subject(session, who=who, page=page)
