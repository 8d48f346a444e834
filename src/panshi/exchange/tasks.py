"""Scheduled work of the exchange: a sync round with every enabled peer (inside `panshi serve`)."""

from __future__ import annotations

from panshi.core.scheduler import ScheduledTask
from panshi.core.settings import get_settings
from panshi.exchange.sync import summary, sync_peers


def sync_round() -> str:
    """Pull (and push) until caught up with each peer; an uninitialised node or one without peers skips."""
    return summary(sync_peers())


def task() -> ScheduledTask:
    """The exchange round every `exchange_sync_seconds` (0: never)."""
    seconds = get_settings().exchange_sync_seconds
    return ScheduledTask(
        name="exchange.sync", every_seconds=seconds, run=sync_round, first_after_seconds=min(seconds, 5.0)
    )
