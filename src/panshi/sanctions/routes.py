"""HTTP (JSON): checks (核查) with receipts, feedback, statistics, list entries and the public lists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from panshi.accounts.schemas import Principal, Role
from panshi.api.deps import ReadSession, WriteSession, caller, operator, require
from panshi.api.web import combined
from panshi.records.schemas import HistoryEventOut
from panshi.sanctions import entries, feedback, service
from panshi.sanctions.catalog import ListType, Measure, Scenario, load
from panshi.sanctions.pipeline import pipeline
from panshi.sanctions.schemas import (
    BatchCheckIn,
    BatchCheckOut,
    CheckIn,
    CheckOut,
    CheckRecord,
    CheckStats,
    EntryOut,
    EntryPage,
    ExtendIn,
    FeedbackIn,
    FeedbackOut,
    PendingPage,
    PublicListPage,
    RemoveIn,
    SubjectCheckPage,
)
from panshi.sanctions.service import AmbiguousSubject

router = APIRouter(prefix="/api/v1", tags=["joint rewards and punishments 联合奖惩"])

# Systems that check before they act: other departments' systems, source departments, operators.
checker = require(Role.operator, Role.government, Role.department)


def ambiguous_body(exc: AmbiguousSubject) -> dict[str, Any]:
    """The error answer to a name several subjects may bear: the candidates to choose from."""
    return {"error": exc.code, "message": exc.message, "candidates": [c.model_dump() for c in exc.candidates]}


def _ambiguous(exc: AmbiguousSubject) -> JSONResponse:
    return JSONResponse(ambiguous_body(exc), status_code=exc.status_code)


@router.post(
    "/checks",
    status_code=201,
    response_model=CheckOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CheckIn.model_json_schema()}},
        }
    },
    responses={409: {"description": "名称对应多个主体：candidates 列出候选（按得分排序）"}},
)
async def create_check(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Any:
    """Check a subject (any code, or an exact name) in a scenario: its lists now, the measures to apply, a receipt.

    The answer is sent once the check is logged; `answer` is in the canonical form its receipt's hash covers.
    The caller is authenticated and authorised before the body is read (401/403 come before 422)."""
    scheme, _, token = (authorization or "").partition(" ")
    body = await request.body()
    try:
        if scheme.lower() == "bearer" and token.strip():  # a system: authenticated with its group of checks
            result = await pipeline.submit(body, authorise=checker, token=token.strip())
        else:  # a signed-in browser (or nobody: refused as require() refuses)
            who = checker(await run_in_threadpool(caller, request, authorization))
            result = await pipeline.submit(body, authorise=checker, who=who)
    except AmbiguousSubject as exc:
        return _ambiguous(exc)
    return Response(result.json_bytes(), status_code=201, media_type="application/json")


@router.post("/checks/batch", response_model=BatchCheckOut)
def create_batch_check(
    body: BatchCheckIn,
    who: Annotated[Principal, Depends(checker)],
    session: WriteSession,
) -> BatchCheckOut:
    """批量比对: up to 1,000 subjects in one scenario; each gets its check and receipt, or its error."""
    return service.check_batch(session, who=who, body=body)


@router.get("/checks/stats", response_model=CheckStats)
def check_stats(
    _who: Annotated[Principal, Depends(operator)],
    session: ReadSession,
    month_from: Annotated[str | None, Query(alias="from", description="YYYY-MM")] = None,
    month_to: Annotated[str | None, Query(alias="to", description="YYYY-MM")] = None,
    department: Annotated[int | None, Query(description="Department id")] = None,
) -> CheckStats:
    """Checks and feedback by measure, department and month (operators)."""
    return feedback.stats(session, month_from=month_from, month_to=month_to, department_id=department)


@router.get("/checks/pending-feedback", response_model=PendingPage)
def checks_without_feedback(
    _who: Annotated[Principal, Depends(operator)],
    session: ReadSession,
    department: Annotated[int | None, Query(description="Department id")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> PendingPage:
    """Checks that answered measures and never got feedback, newest first (operators)."""
    return feedback.pending_feedback(session, department_id=department, page=page)


@router.get("/me/checks", response_model=SubjectCheckPage)
def my_checks(
    who: Annotated[Principal, Depends(require(Role.subject))],
    session: ReadSession,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> SubjectCheckPage:
    """Which government systems checked the caller's own subject (联合奖惩核查), when and why (subject users)."""
    return feedback.checks_of_own_subject(session, who=who, page=page)


@router.get("/checks/{check_id}", response_model=CheckRecord)
def get_check(
    check_id: str,
    who: Annotated[Principal, Depends(checker)],
    session: ReadSession,
    answer_sha256: Annotated[
        str | None, Query(max_length=64, description="The hash kept from the receipt")
    ] = None,
) -> CheckRecord:
    """A check as answered, its receipt, and whether they verify now (the calling department or operators)."""
    return feedback.get_check(session, who=who, check_id=check_id, caller_hash=answer_sha256)


@router.post("/checks/{check_id}/feedback", status_code=201, response_model=FeedbackOut)
def post_feedback(
    check_id: str,
    body: FeedbackIn,
    response: Response,
    who: Annotated[Principal, Depends(checker)],
    session: WriteSession,
) -> FeedbackOut:
    """Report which of the check's measures were applied and the outcome (the calling department only).
    The same report again answers 200 with the stored one; a different one is 409."""
    out = feedback.record_feedback(session, who=who, check_id=check_id, body=body)
    if not out.created:
        response.status_code = 200
    return out


# --- lists ---------------------------------------------------------------------------------------


@router.get("/lists", response_model=PublicListPage)
def public_lists(
    session: ReadSession,
    _who: Annotated[Principal, Depends(caller)],
    type: Annotated[str | None, Query(description="名单类型代码或名称")] = None,
    q: Annotated[str | None, Query(max_length=100, description="主体名称或统一社会信用代码")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> PublicListPage:
    """Red and black lists as published: entries in force of the list types whose rules make them public."""
    return entries.public_lists(session, list_type=type, q=q, page=page)


@router.get("/lists/types", response_model=list[ListType])
def list_types(_who: Annotated[Principal, Depends(caller)]) -> list[ListType]:
    """The catalog of list types: red or black, who may list, legal basis, default duration, public or not."""
    return list(load().list_types.values())


@router.get("/lists/scenarios", response_model=list[Scenario])
def scenarios(_who: Annotated[Principal, Depends(caller)]) -> list[Scenario]:
    """The scenarios a check may name (政府采购, 招标投标 ...)."""
    return list(load().scenarios.values())


@router.get("/lists/measures", response_model=list[Measure])
def measures(_who: Annotated[Principal, Depends(caller)]) -> list[Measure]:
    """The measures catalog (措施清单): per measure its lists, scenarios, departments and legal basis."""
    return list(load().measures.values())


@router.get("/lists/entries", response_model=EntryPage)
def list_entries(
    _who: Annotated[Principal, Depends(operator)],
    session: ReadSession,
    type: Annotated[str | None, Query(description="名单类型代码或名称")] = None,
    state: Annotated[str, Query(description="active | removed | all")] = "active",
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> EntryPage:
    """Every list's entries, by state (operators)."""
    return entries.entries_page(session, list_type=type, state=state, q=q, page=page)


@router.get("/lists/entries/{record_id}/history", response_model=list[HistoryEventOut])
def entry_history(
    record_id: int,
    _who: Annotated[Principal, Depends(operator)],
    session: ReadSession,
) -> list[HistoryEventOut]:
    """An entry's history: created, updated by a new submission, amended (extended, removed) with reasons."""
    entries.get_entry(session, record_id)
    return entries.entry_history(session, record_id)


@router.post("/lists/entries/{record_id}/extend", response_model=EntryOut)
def extend_entry(
    record_id: int,
    body: ExtendIn,
    who: Annotated[Principal, Depends(operator)],
    session: WriteSession,
) -> EntryOut:
    """Move an entry's 移出日期 later, with a reason (operators); the history keeps the old date."""
    entry = entries.extend(
        session, record_id=record_id, end_date=body.end_date, reason=body.reason, actor=who.actor
    )
    return _entry_out(session, entry.record_id)


@router.post("/lists/entries/{record_id}/remove", response_model=EntryOut)
def remove_entry(
    record_id: int,
    body: RemoveIn,
    who: Annotated[Principal, Depends(operator)],
    session: WriteSession,
) -> EntryOut:
    """Take an entry off its list early, with a reason (operators); it stays in the store with its history."""
    entry = entries.remove(session, record_id=record_id, reason=body.reason, actor=who.actor)
    return _entry_out(session, entry.record_id)


def _entry_out(session: Session, record_id: int) -> EntryOut:
    from panshi.core.timeutil import today_shanghai

    entry, owner = entries.get_entry(session, record_id)
    return entries.entry_out(entry, owner, on=today_shanghai())


def _all_routers() -> APIRouter:
    from panshi.sanctions.web import router as web_router

    return combined(router, web_router)


# The JSON API and the HTML pages (public lists, console), included by the application together.
routers = _all_routers()
