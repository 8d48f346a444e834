"""HTTP: a subject's credit file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from panshi.accounts.service import Principal
from panshi.api.deps import operator, read_session
from panshi.subjects import service
from panshi.subjects.schemas import CreditFileOut

router = APIRouter(prefix="/api/v1/subjects", tags=["subjects 信用主体"])


@router.get("/{code}", response_model=CreditFileOut)
def get_subject(
    code: str,
    _who: Annotated[Principal, Depends(operator)],
    session: Annotated[Session, Depends(read_session)],
) -> CreditFileOut:
    """A subject's full credit file by any of its codes (operator token)."""
    return service.credit_file(session, code)
