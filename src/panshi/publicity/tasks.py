"""Scheduled work of publicity: records whose window ended leave public view (inside `panshi serve`)."""

from __future__ import annotations

from panshi.core.scheduler import ScheduledTask
from panshi.core.settings import get_settings
from panshi.publicity.jobs import run_expiry


def expire() -> str:
    out = run_expiry()
    return f"{out.expired} records left public view (window ended before {out.on})"


def task() -> ScheduledTask:
    """The publicity job every `publicity_job_hours` (0: never), first a minute after start."""
    hours = get_settings().publicity_job_hours
    return ScheduledTask(
        name="publicity.expire", every_seconds=hours * 3600, run=expire, first_after_seconds=60
    )
