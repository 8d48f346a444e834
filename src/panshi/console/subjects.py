"""Looking up a subject's full credit file with a stated purpose (查询事由), through the access layer."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from panshi.access.schemas import CODE_LABELS, LEVEL_LABELS
from panshi.access.service import BadPurpose, credit_file
from panshi.accounts.schemas import Principal
from panshi.api.deps import ReadSession, WriteSession
from panshi.api.web import render
from panshi.console.pages import CONSOLE, page
from panshi.core.errors import NotFound
from panshi.evaluation.service import panel as evaluation_panel
from panshi.subjects.service import find_subject, url_code

router = APIRouter(prefix="/console/subjects", include_in_schema=False, default_response_class=HTMLResponse)

Code = Annotated[str, Form(max_length=64)]
Purpose = Annotated[str, Form(max_length=200)]


@router.get("")
def lookup_form(request: Request, _who: Annotated[Principal, Depends(page(*CONSOLE))]) -> Any:
    """The lookup form: a code and a purpose."""
    return _form(request, code="", purpose="", error=None)


@router.post("")
def lookup(
    request: Request,
    _who: Annotated[Principal, Depends(page(*CONSOLE))],
    session: ReadSession,
    code: Code = "",
    purpose: Purpose = "",
) -> Any:
    """Find the subject and go to its file; posted, so that an ID number never lands in a URL or a log."""
    code, purpose = code.strip(), " ".join(purpose.split())
    if not code:
        return _form(request, code=code, purpose=purpose, error="请输入统一社会信用代码、旧代码或身份证号码")
    if not purpose:
        return _form(
            request, code=code, purpose=purpose, error="请填写查询事由：查询非公开信息须说明事由，并将登记"
        )
    try:
        subject = find_subject(session, code)
    except NotFound as exc:
        return _form(request, code=code, purpose=purpose, error=exc.message, status_code=404)
    target = f"/console/subjects/{quote(url_code(subject), safe='')}?{urlencode({'purpose': purpose})}"
    return RedirectResponse(target, status_code=303)


@router.get("/{code}")
def subject_file(
    request: Request,
    code: str,
    who: Annotated[Principal, Depends(page(*CONSOLE))],
    session: WriteSession,
    purpose: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    """A subject's file as the caller's role allows with the stated purpose; the read is logged."""
    if not purpose or not purpose.strip():
        return _form(request, code=code, purpose="", error=None)
    try:
        view = credit_file(session, who=who, code=code, purpose=purpose, channel="web")
    except BadPurpose as exc:
        return _form(request, code=code, purpose=purpose, error=exc.message, status_code=400)
    grade = evaluation_panel(
        session, who=who, code=code, purpose=purpose, channel="web", logged_by_page=view.logged
    )
    return render(request, "console/subject.html", file=view, grade=grade, level_labels=LEVEL_LABELS,
                  code_labels=CODE_LABELS)  # fmt: skip


def _form(request: Request, *, code: str, purpose: str, error: str | None, status_code: int = 200) -> Any:
    if error and status_code == 200:
        status_code = 400
    return render(request, "console/subjects.html", status_code=status_code, code=code, purpose=purpose,
                  error=error)  # fmt: skip
