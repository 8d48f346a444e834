"""Scheduled work of evaluation: re-grade the subjects whose records changed (inside `panshi serve`)."""

from __future__ import annotations

from panshi.core.scheduler import ScheduledTask
from panshi.core.settings import get_settings
from panshi.evaluation.runs import EvaluationBusy, UnfinishedRun, regrade_changed


def regrade() -> str:
    """One sweep; while a batch run holds the lease (or awaits resuming), skip this turn and say so."""
    try:
        out = regrade_changed(actor="scheduler")
    except (EvaluationBusy, UnfinishedRun) as exc:
        return f"skipped: {exc.message}"
    return f"run {out.id}: {out.done} subjects re-graded"


def task() -> ScheduledTask:
    """Re-grading after changes, every `evaluation_regrade_minutes` (0: never)."""
    minutes = get_settings().evaluation_regrade_minutes
    return ScheduledTask(
        name="evaluation.regrade", every_seconds=minutes * 60, run=regrade, first_after_seconds=60
    )
