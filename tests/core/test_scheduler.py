"""The serve-time scheduler runs due tasks once per turn and survives a failing task."""

from __future__ import annotations

from panshi.core.scheduler import ScheduledTask, run_due


def test_due_tasks_run_once_per_interval_and_a_failure_does_not_stop_the_others() -> None:
    ran: list[str] = []

    def failing() -> str:
        ran.append("bad")
        raise RuntimeError("boom")

    tasks = [
        ScheduledTask("bad", 10, failing),
        ScheduledTask("good", 10, lambda: ran.append("good") or "ok"),
        ScheduledTask("off", 0, lambda: ran.append("off") or "never"),
    ]
    run_due(tasks, now=100)
    run_due(tasks, now=105)  # not due again yet
    run_due(tasks, now=111)
    assert ran == ["bad", "good", "bad", "good"]
