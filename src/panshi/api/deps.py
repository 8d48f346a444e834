"""Request dependencies: the unit of work and the caller's principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.orm import Session

from panshi.accounts.service import Principal, authenticate
from panshi.core.db import unit_of_work
from panshi.core.errors import NotAuthorised


def read_session() -> Iterator[Session]:
    """The request's unit of work (commits on success, rolls back on error)."""
    with unit_of_work() as session:
        yield session


def write_session() -> Iterator[Session]:
    """A unit of work that will write: on SQLite it takes the write lock at its start."""
    with unit_of_work(write=True) as session:
        yield session


def principal(
    session: Annotated[Session, Depends(read_session)],
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    """The caller behind `Authorization: Bearer <token>`; refused when there is none."""
    token = None
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    return authenticate(session, token)


def operator(who: Annotated[Principal, Depends(principal)]) -> Principal:
    if who.role != "operator":
        raise NotAuthorised("此操作需要运营人员（operator）令牌")
    return who
