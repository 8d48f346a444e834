"""HTTP (JSON): a subject's latest evaluation with its explanation, as the caller may see it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from panshi.accounts.schemas import Principal
from panshi.api.deps import ReadSession, caller
from panshi.evaluation import service
from panshi.evaluation.schemas import EvaluationView

router = APIRouter(prefix="/api/v1", tags=["evaluation 公共信用综合评价"])


@router.get("/subjects/{code}/evaluation", response_model=EvaluationView)
def subject_evaluation(
    code: str,
    who: Annotated[Principal, Depends(caller)],
    session: ReadSession,
    purpose: Annotated[
        str | None, Query(max_length=200, description="查询事由: needed for the full evaluation; logged")
    ] = None,
) -> EvaluationView:
    """A subject's latest grade; with a purpose (staff) or for the subject itself, the score, each
    indicator's contribution and the records behind it."""
    return service.view(session, who=who, code=code, purpose=purpose, channel="api")
