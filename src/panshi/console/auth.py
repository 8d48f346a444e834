"""Signing in and out of the web (登录、退出): a server-side session behind an HttpOnly cookie."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from panshi.accounts import service as accounts
from panshi.accounts.schemas import Principal
from panshi.api.deps import WriteSession, caller
from panshi.api.web import SESSION_COOKIE, rate_limit, render
from panshi.console.pages import home_of, local_path
from panshi.core.errors import NotAuthenticated
from panshi.core.settings import get_settings

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

MAX_FIELD = 200


@router.get("/login")
def login_form(
    request: Request,
    who: Annotated[Principal, Depends(caller)],
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Any:
    """The sign-in form (a signed-in user goes straight on)."""
    if not who.is_public and who.via_cookie:
        return RedirectResponse(local_path(next) or home_of(who), status_code=303)
    return render(request, "console/login.html", next=local_path(next) or "", username="", error=None)


@router.post("/login")
def login(
    request: Request,
    session: WriteSession,
    _who: Annotated[Principal, Depends(caller)],
    username: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    password: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Any:
    """Check the password, open a session and go on to `next` (a local path) or the user's home."""
    rate_limit(request, bucket="sign-in", rule=get_settings().sign_in_rate_limit)
    username = username.strip()
    if not username or not password:
        return render(request, "console/login.html", status_code=400, next=local_path(next) or "",
                      username=username, error="请输入用户名和密码")  # fmt: skip
    try:
        token = accounts.sign_in(session, username=username, password=password)
    except NotAuthenticated as exc:
        # One message for an unknown user, a wrong password and a disabled account: no probing for names.
        return render(request, "console/login.html", status_code=401, next=local_path(next) or "",
                      username=username, error=exc.message)  # fmt: skip
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        accounts.sign_out(session, previous)  # a new sign-in never keeps an older session of this browser
    who = accounts.session_principal(session, token)
    assert who is not None  # the session was opened just now
    response = RedirectResponse(local_path(next) or home_of(who), status_code=303)
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.session_hours * 3600, path="/", httponly=True,
        samesite="lax", secure=settings.cookie_secure,
    )  # fmt: skip
    return response


@router.post("/logout")
def logout(request: Request, session: WriteSession) -> Any:
    """End the session on the server (the cookie stops working everywhere) and drop the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.sign_out(session, token)
    response = RedirectResponse("/", status_code=303)
    settings = get_settings()
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.cookie_secure
    )
    return response
