"""The query log (查询登记): record every read of non-public data; let operators and subjects read it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from panshi.accounts.schemas import Principal, Role
from panshi.accounts.service import departments_by_id
from panshi.audit import repository
from panshi.audit.models import QueryLogEntry
from panshi.audit.schemas import QueryLogFilter, QueryLogOut, QueryLogPage
from panshi.core.errors import NotAuthorised
from panshi.core.timeutil import SHANGHAI, utcnow

PAGE_SIZE = 50


def log_query(
    session: Session,
    *,
    who: Principal,
    subject_id: int,
    purpose: str,
    channel: str,
    view: str,
    returned: dict[str, Any],
) -> None:
    """Record that `who` was given non-public data of a subject, and why."""
    repository.add(
        session,
        QueryLogEntry(
            at=utcnow(), actor=who.actor, actor_name=who.display_name, role=who.role.value,
            department_id=who.department_id, subject_id=subject_id, purpose=purpose[:500], channel=channel,
            view=view, returned=returned,
        ),
    )  # fmt: skip


def search_log(session: Session, *, who: Principal, where: QueryLogFilter, page: int = 1) -> QueryLogPage:
    """Operators search the whole log."""
    from panshi.subjects.service import find_subject

    if who.role is not Role.operator:
        raise NotAuthorised("只有平台运营人员可以检索查询登记")
    subject_id = find_subject(session, where.subject).id if where.subject else None
    return _page(
        session, actor=where.actor, subject_id=subject_id, department_id=where.department_id,
        purpose=where.purpose, since=_start_of(where.date_from), until=_start_of(where.date_to, days=1), page=page,
    )  # fmt: skip


def log_of_own_subject(session: Session, *, who: Principal, page: int = 1) -> QueryLogPage:
    """A subject user sees who queried its credit file, when and why."""
    from panshi.subjects.service import subject_by_key

    if who.role is not Role.subject or not who.subject_key:
        raise NotAuthorised("只有信用主体用户可以查看本主体的被查询记录")
    subject = subject_by_key(session, who.subject_key)
    if subject is None:  # bound, but no record names the subject yet: nobody can have queried it
        return QueryLogPage(entries=[], page=1, pages=1, total=0)
    return _page(session, actor=None, subject_id=subject.id, department_id=None, purpose=None,
                 since=None, until=None, page=page)  # fmt: skip


def _page(session: Session, *, page: int, **where: Any) -> QueryLogPage:
    page = max(page, 1)
    entries, total = repository.search(session, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, **where)
    return QueryLogPage(
        entries=_out(session, entries), page=page, pages=max(1, -(-total // PAGE_SIZE)), total=total
    )


def _out(session: Session, entries: list[QueryLogEntry]) -> list[QueryLogOut]:
    from panshi.subjects.service import subjects_by_id

    subjects = subjects_by_id(session, {e.subject_id for e in entries})
    departments = departments_by_id(session, {e.department_id for e in entries if e.department_id})
    return [
        QueryLogOut(
            id=e.id, at=e.at, actor=e.actor, actor_name=e.actor_name, role=e.role,
            department_name=departments[e.department_id].name if e.department_id else None,
            subject_public_id=subjects[e.subject_id].public_id, subject_name=subjects[e.subject_id].name,
            purpose=e.purpose, channel=e.channel, view=e.view, returned=e.returned,
        )
        for e in entries
    ]  # fmt: skip


def _start_of(day: Any, days: int = 0) -> datetime | None:
    """The UTC instant a Shanghai business day starts (plus `days`)."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=days), time(), tzinfo=SHANGHAI)
