"""In-app notices (站内通知) to the people a case concerns, and their email outbox.

A notice is addressed to an audience — a subject's users, a department's users, or the operators —
so that one state change writes three rows whatever the number of accounts. Email goes out after the
commit, never inside the transaction: a notice written while SMTP is configured waits in the outbox
(`email_state` pending) and the scheduled task `send_pending` sends it (at least once).
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy.orm import Session

from panshi.accounts import service as accounts
from panshi.accounts.schemas import Principal, Role
from panshi.core.db import unit_of_work
from panshi.core.errors import NotFound, PanshiError
from panshi.core.settings import get_settings
from panshi.core.timeutil import utcnow
from panshi.notices import repository
from panshi.notices.models import Notice, NoticeAddress
from panshi.notices.schemas import EmailOut, NoticeOut, NoticePage

log = logging.getLogger("panshi.notices")

PAGE_SIZE = 20
EMAIL_BATCH = 100
MAX_EMAIL_ATTEMPTS = 5
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


@dataclass(frozen=True)
class Audience:
    """Who a notice is for: `subject` (key: its subject key), `department` (key: its id) or `operators`."""

    kind: str
    key: str = ""

    @staticmethod
    def subject(subject_key: str) -> Audience:
        return Audience("subject", subject_key)

    @staticmethod
    def department(department_id: int) -> Audience:
        return Audience("department", str(department_id))

    @staticmethod
    def operators() -> Audience:
        return Audience("operators")


def smtp_configured() -> bool:
    settings = get_settings()
    return bool(settings.smtp_host and settings.smtp_from)


def notify(
    session: Session, *, audiences: Sequence[Audience], case_id: int | None, event: str, title: str, body: str
) -> None:
    """Write one notice to each audience (emailed later, after the commit, when SMTP is configured)."""
    email_state = "pending" if smtp_configured() else "off"
    now = utcnow()
    repository.add(
        session,
        [
            Notice(audience=a.kind, audience_key=a.key, case_id=case_id, event=event, title=title[:200],
                   body=body[:2000], created_at=now, email_state=email_state, email_attempts=0)
            for a in dict.fromkeys(audiences)
        ],
    )  # fmt: skip


def audiences_of(who: Principal) -> list[tuple[str, str]]:
    """The audiences a caller belongs to."""
    if who.role is Role.operator:
        return [("operators", "")]
    if who.role is Role.department and who.department_id is not None:
        return [("department", str(who.department_id))]
    if who.role is Role.subject and who.subject_key:
        return [("subject", who.subject_key)]
    return []


def list_notices(session: Session, *, who: Principal, page: int = 1) -> NoticePage:
    """The caller's notices, unread first, then newest first."""
    page = max(1, page)
    rows, total, unread = repository.page(
        session, audiences=audiences_of(who), reader=who.actor, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    items = [
        NoticeOut(id=n.id, case_id=n.case_id, event=n.event, title=n.title, body=n.body, created_at=n.created_at,
                  read=read)
        for n, read in rows
    ]  # fmt: skip
    return NoticePage(
        items=items, unread=unread, page=page, pages=max(1, -(-total // PAGE_SIZE)), total=total
    )


def mark_read(session: Session, *, who: Principal, notice_id: int) -> None:
    """Mark one of the caller's notices read (again: no change)."""
    notice = repository.get(session, notice_id)
    if notice is None or (notice.audience, notice.audience_key) not in audiences_of(who):
        raise NotFound(f"未找到编号为 {notice_id} 的通知")
    repository.mark_read(session, notice_id=notice_id, reader=who.actor, at=utcnow())


def set_email(session: Session, *, who: Principal, email: str) -> EmailOut:
    """Set (or, empty, remove) the signed-in user's address for notice emails."""
    if who.user_id is None:
        raise PanshiError("只有登录账号可以设置通知邮箱（API 令牌没有邮箱）", code="no_account")
    email = email.strip()
    if email and not EMAIL.match(email):
        raise PanshiError(f"邮箱地址格式不正确：{email}", code="bad_email")
    address = None
    if email:
        address = NoticeAddress(user_id=who.user_id, email=email, role=who.role.value, subject_key=who.subject_key,
                                department_id=who.department_id, updated_at=utcnow())  # fmt: skip
    repository.set_address(session, address, user_id=who.user_id)
    return EmailOut(email=email, smtp_configured=smtp_configured())


def get_email(session: Session, *, who: Principal) -> EmailOut:
    address = repository.address_of(session, who.user_id) if who.user_id is not None else None
    return EmailOut(email=address.email if address else "", smtp_configured=smtp_configured())


# --- the email outbox ----------------------------------------------------------------------------


def send_pending(*, limit: int = EMAIL_BATCH) -> str:
    """Send the notices waiting in the outbox: read them in one unit of work, send with no
    transaction open, mark each sent (or failed after MAX_EMAIL_ATTEMPTS) in another."""
    if not smtp_configured():
        return "SMTP 未配置，不发送邮件"
    with unit_of_work() as session:
        active = {u.id for u in accounts.list_users(session) if u.active}
        work = [
            (n.id, n.title, n.body, n.email_attempts,
             sorted({a.email for a in repository.addresses_for(session, n) if a.user_id in active}))
            for n in repository.pending_email(session, limit=limit)
        ]  # fmt: skip
    sent = failed = 0
    outcomes: dict[int, str] = {}
    for notice_id, title, body, attempts, recipients in work:
        try:
            if recipients:
                _send(title, body, recipients)
            outcomes[notice_id] = "sent"
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("notice %s: email failed (%s)", notice_id, type(exc).__name__)
            outcomes[notice_id] = "failed" if attempts + 1 >= MAX_EMAIL_ATTEMPTS else "pending"
            failed += 1
    with unit_of_work(write=True) as session:
        for notice_id, state in outcomes.items():
            repository.set_email_state(session, notice_id=notice_id, state=state)
    return f"通知邮件：发送 {sent} 条，失败 {failed} 条"


def _send(title: str, body: str, recipients: list[str]) -> None:
    settings = get_settings()
    message = EmailMessage()
    message["Subject"] = f"【{settings.node_name}】{title}"
    message["From"] = settings.smtp_from
    message["To"] = settings.smtp_from  # recipients in Bcc: one account's address is not shown to another
    message["Bcc"] = ", ".join(recipients)
    message.set_content(body + "\n\n此邮件由系统自动发送，请登录平台查看详情。")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_user:
            smtp.starttls()
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
