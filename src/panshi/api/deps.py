"""Request dependencies: the unit of work and who is calling (deny by default)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlalchemy.orm import Session

from panshi.accounts.schemas import PUBLIC, Principal, Role
from panshi.accounts.service import authenticate, session_principal
from panshi.api.web import SESSION_COOKIE
from panshi.core.db import unit_of_work
from panshi.core.errors import NotAuthenticated, NotAuthorised


def read_session() -> Iterator[Session]:
    """The request's unit of work (commits on success, rolls back on error)."""
    with unit_of_work() as session:
        yield session


def write_session() -> Iterator[Session]:
    """A unit of work that will write: on SQLite it takes the write lock at its start."""
    with unit_of_work(write=True) as session:
        yield session


# The unit of work ends (commits or rolls back) before the response is sent, so a client never
# holds an answer whose writes failed to commit (FastAPI's default would close it afterwards).
ReadSession = Annotated[Session, Depends(read_session, scope="function")]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]


# Database ids are 64-bit: a larger number is a bad request, never a query.
MAX_ID = 2**63 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def caller(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    """Who is calling: a bearer token (systems), a signed-in browser, or the anonymous public.

    A bearer token that is wrong is refused rather than treated as anonymous."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not authorization and not cookie:
        who = PUBLIC  # the anonymous public, most of the traffic: no database session
    else:
        with unit_of_work() as session:
            if authorization:
                scheme, _, token = authorization.partition(" ")
                if scheme.lower() != "bearer":
                    raise NotAuthenticated("Authorization 须为 Bearer <token>")
                who = authenticate(session, token.strip())
            else:
                who = session_principal(session, cookie) or PUBLIC
    request.state.who = who
    return who


def require(*roles: Role) -> Callable[..., Principal]:
    """A dependency that admits only `roles` (401 for the anonymous, 403 for other roles)."""

    def dependency(who: Annotated[Principal, Depends(caller)]) -> Principal:
        if who.role in roles:
            return who
        if who.is_public:
            raise NotAuthenticated("请先登录，或在请求头中提供 API 令牌")
        allowed = "、".join(r.value for r in roles)
        raise NotAuthorised(f"此操作仅限：{allowed}")

    dependency.__name__ = "require_" + "_".join(r.value for r in roles)
    return dependency


# The roles most routes need, named once.
principal = require(Role.operator, Role.department, Role.government, Role.subject)
operator = require(Role.operator)
staff = require(Role.operator, Role.department)
