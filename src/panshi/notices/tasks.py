"""Scheduled work of notices: sending the email outbox."""

from __future__ import annotations

from panshi.core.scheduler import ScheduledTask
from panshi.core.settings import get_settings
from panshi.notices.service import send_pending, smtp_configured


def task() -> ScheduledTask:
    """The email outbox, every `notice_email_seconds` while SMTP is configured (never otherwise)."""
    every = get_settings().notice_email_seconds if smtp_configured() else 0
    return ScheduledTask(name="notice-email", every_seconds=every, run=send_pending)
