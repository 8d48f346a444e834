"""HTTP (JSON): objections (异议), repair applications (信用修复), evidence files, the review queue."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import FileResponse

from panshi.accounts.schemas import Principal, Role
from panshi.api.deps import IdPath, ReadSession, WriteSession, require, staff
from panshi.cases import evidence, filing, workflow
from panshi.cases.schemas import CaseOut, CasePage, DecisionIn, EvidenceOut, ObjectionIn, RepairIn

router = APIRouter(prefix="/api/v1", tags=["objections and repair 异议与信用修复"])

# Who files: the subject itself, or the credit centre on its behalf.
applicant = require(Role.subject, Role.operator)
# Who reads cases: those a case concerns (each sees only its own; see workflow.visible_case).
concerned = require(Role.subject, Role.operator, Role.department)


@router.post("/objections", status_code=201, response_model=CaseOut)
def file_objection(
    body: ObjectionIn, who: Annotated[Principal, Depends(applicant)], session: WriteSession
) -> CaseOut:
    """Object to a record the caller is named in; it shows 异议处理中 until the case closes."""
    return filing.file_objection(session, who=who, body=body)


@router.post("/repairs", status_code=201, response_model=CaseOut)
def file_repair(
    body: RepairIn, who: Annotated[Principal, Depends(applicant)], session: WriteSession
) -> CaseOut:
    """Apply for credit repair of a penalty or a list entry (free of charge); refused with every unmet condition."""
    return filing.file_repair(session, who=who, body=body)


@router.get("/cases", response_model=CasePage)
def list_cases(
    who: Annotated[Principal, Depends(concerned)],
    session: ReadSession,
    kind: Annotated[Literal["objection", "repair"] | None, Query()] = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> CasePage:
    """The caller's cases, newest first: a subject's own, a department's records', operators' all."""
    return workflow.list_cases(session, who=who, kind=kind, open_only=open_only, page=page)


@router.get("/cases/queue", response_model=CasePage)
def case_queue(
    who: Annotated[Principal, Depends(staff)],
    session: ReadSession,
    kind: Annotated[Literal["objection", "repair"] | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> CasePage:
    """Open cases to work, earliest deadline first, each flagged when overdue (operators and departments)."""
    return workflow.list_cases(session, who=who, kind=kind, queue=True, page=page)


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: IdPath, who: Annotated[Principal, Depends(concerned)], session: ReadSession) -> CaseOut:
    """A case with its events, evidence files, commitment and the steps the caller may take."""
    return workflow.get_case(session, who=who, case_id=case_id)


@router.post("/cases/{case_id}/decision", response_model=CaseOut)
def decide(
    case_id: IdPath, body: DecisionIn, who: Annotated[Principal, Depends(staff)], session: WriteSession
) -> CaseOut:
    """Take a step: accept / refuse / forward (operators), uphold / correct / withdraw / approve / refuse
    (the record's source department or operators). 409 when another reviewer decided first or the case is closed."""
    return workflow.decide(session, who=who, case_id=case_id, decision=body)


@router.post("/evidence", status_code=201, response_model=EvidenceOut)
def upload_evidence(
    file: Annotated[UploadFile, File(description="PDF, PNG or JPEG, up to the size limit (default 10 MB)")],
    who: Annotated[Principal, Depends(applicant)],
    session: WriteSession,
) -> EvidenceOut:
    """Upload an evidence file; name its id in an objection or repair application to attach it."""
    return evidence.store_evidence(session, who=who, filename=file.filename or "", stream=file.file)


@router.get("/evidence/{evidence_id}", response_class=FileResponse)
def download_evidence(
    evidence_id: IdPath, who: Annotated[Principal, Depends(concerned)], session: ReadSession
) -> FileResponse:
    """Download an evidence file (the uploader, the subject, operators, the deciding department); never shown inline."""
    found, path = evidence.open_evidence(session, who=who, evidence_id=evidence_id)
    fallback = f"evidence-{found.id}.{found.file_type}"
    headers = {
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(found.original_name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }
    return FileResponse(path, media_type=found.content_type, headers=headers)
