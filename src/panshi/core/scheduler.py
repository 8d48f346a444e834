"""Scheduled work inside `panshi serve`: one daemon thread in the serving process runs each task when
it is due. Tasks must be idempotent (a run interrupted by a restart is simply run again) and open their
own unit of work; a task that fails is logged and retried at its next turn, never stops the others."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("panshi.scheduler")


@dataclass
class ScheduledTask:
    """`run` every `every_seconds` (0 or less: never), first `first_after_seconds` after start."""

    name: str
    every_seconds: float
    run: Callable[[], str | None]  # returns a one-line summary for the log
    first_after_seconds: float = 5.0
    next_at: float = field(default=0.0, init=False)


def run_due(tasks: list[ScheduledTask], now: float) -> None:
    """Run every task whose time has come, once; set its next time."""
    for task in tasks:
        if task.every_seconds <= 0 or now < task.next_at:
            continue
        task.next_at = now + task.every_seconds
        try:
            summary = task.run()
            log.info("%s: %s", task.name, summary or "done")
        except Exception:  # a task's fault is logged and retried next turn; the loop goes on
            log.exception("%s failed; retried in %.0f s", task.name, task.every_seconds)


def start(tasks: list[ScheduledTask], *, tick_seconds: float = 5.0) -> threading.Event | None:
    """Start the scheduler thread; set the returned event to stop it. None when nothing is scheduled."""
    active = [t for t in tasks if t.every_seconds > 0]
    if not active:
        return None
    tick_seconds = min(tick_seconds, *(t.every_seconds for t in active))  # a task due every second runs so
    stop = threading.Event()
    started = time.monotonic()
    for task in active:
        task.next_at = started + task.first_after_seconds

    def loop() -> None:
        while not stop.wait(tick_seconds):
            run_due(active, time.monotonic())

    threading.Thread(target=loop, name="panshi-scheduler", daemon=True).start()
    return stop


def scheduled_tasks() -> list[ScheduledTask]:
    """Every domain's scheduled task (each domain's `tasks.py`), with its interval from the settings."""
    tasks: list[ScheduledTask] = []
    # Domains append theirs here, e.g. `from panshi.publicity.tasks import task as publicity; tasks.append(publicity())`.
    from panshi.evaluation.tasks import task as evaluation_regrade

    tasks.append(evaluation_regrade())
    from panshi.notices.tasks import task as notice_email

    tasks.append(notice_email())
    from panshi.publicity.tasks import task as publicity_expire

    tasks.append(publicity_expire())
    from panshi.exchange.tasks import task as exchange_sync

    tasks.append(exchange_sync())
    return tasks
