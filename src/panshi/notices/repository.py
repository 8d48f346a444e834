"""All SQL of notices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, update
from sqlalchemy.orm import Session

from panshi.notices.models import Notice, NoticeAddress, NoticeRead


def add(session: Session, notices: Sequence[Notice]) -> None:
    session.add_all(list(notices))
    session.flush()


def addressed_to(audiences: Sequence[tuple[str, str]]) -> ColumnElement[bool]:
    """Notices to any of these (audience, key) pairs."""
    return or_(false(), *[and_(Notice.audience == a, Notice.audience_key == k) for a, k in audiences])


def page(
    session: Session, *, audiences: Sequence[tuple[str, str]], reader: str, offset: int, limit: int
) -> tuple[list[tuple[Notice, bool]], int, int]:
    """A page of the notices to these audiences, unread (by `reader`) first, then newest first; the
    total and the unread count."""
    read = (
        select(NoticeRead.notice_id)
        .where(NoticeRead.notice_id == Notice.id, NoticeRead.reader == reader)
        .exists()
        .label("read")
    )
    mine = addressed_to(audiences)
    query = select(Notice, read).where(mine).order_by(read, Notice.created_at.desc(), Notice.id.desc())
    rows = [(n, bool(r)) for n, r in session.execute(query.offset(offset).limit(limit))]
    total = session.scalar(select(func.count()).select_from(Notice).where(mine)) or 0
    unread = session.scalar(select(func.count()).select_from(Notice).where(mine, ~read)) or 0
    return rows, total, unread


def get(session: Session, notice_id: int) -> Notice | None:
    return session.get(Notice, notice_id)


def mark_read(session: Session, *, notice_id: int, reader: str, at: datetime) -> None:
    if session.get(NoticeRead, (notice_id, reader)) is None:
        session.add(NoticeRead(notice_id=notice_id, reader=reader, read_at=at))
        session.flush()


def set_address(session: Session, address: NoticeAddress | None, *, user_id: int) -> None:
    existing = session.get(NoticeAddress, user_id)
    if existing is not None:
        session.delete(existing)
        session.flush()
    if address is not None:
        session.add(address)
        session.flush()


def address_of(session: Session, user_id: int) -> NoticeAddress | None:
    return session.get(NoticeAddress, user_id)


def pending_email(session: Session, *, limit: int) -> list[Notice]:
    query = select(Notice).where(Notice.email_state == "pending").order_by(Notice.id).limit(limit)
    return list(session.scalars(query))


def addresses_for(session: Session, notice: Notice) -> list[NoticeAddress]:
    """The addresses of the accounts a notice's audience covers."""
    query = select(NoticeAddress)
    if notice.audience == "subject":
        query = query.where(NoticeAddress.role == "subject", NoticeAddress.subject_key == notice.audience_key)
    elif notice.audience == "department":
        department_id = int(notice.audience_key)
        query = query.where(NoticeAddress.role == "department", NoticeAddress.department_id == department_id)
    else:
        query = query.where(NoticeAddress.role == "operator")
    return list(session.scalars(query))


def set_email_state(session: Session, *, notice_id: int, state: str) -> None:
    statement: Any = (
        update(Notice)
        .where(Notice.id == notice_id)
        .values(email_state=state, email_attempts=Notice.email_attempts + 1)
    )
    session.execute(statement)
