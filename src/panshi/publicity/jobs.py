"""The publicity job and the window backfill, each chunk its own unit of work: interrupted, a rerun
finishes the work; run twice, the second finds nothing to do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from panshi.core.db import unit_of_work
from panshi.core.timeutil import today_shanghai
from panshi.publicity import service
from panshi.publicity.schemas import ExpiryRun, RecomputeRun

EXPIRY_CHUNK = 10_000
RECOMPUTE_CHUNK = 5_000


def run_expiry(*, on: date | None = None, chunk: int = EXPIRY_CHUNK) -> ExpiryRun:
    """Take every record whose window ended before `on` (default today) out of public view."""
    day = on or today_shanghai()
    expired = 0
    while True:
        with unit_of_work(write=True) as session:
            closed = service.end_expired(session, on=day, limit=chunk)
        expired += closed
        if closed < chunk:
            break
    with unit_of_work() as session:
        remaining = service.count_expired(session, on=day)
    return ExpiryRun(on=day, expired=expired, remaining=remaining)


def recompute(
    *,
    rule: str | None = None,
    chunk: int = RECOMPUTE_CHUNK,
    on_start: Callable[[int], None] | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> RecomputeRun:
    """Recompute the windows of open 双公示 records whose stored rule is `rule` (None: none yet, the
    records stored before rule data; "*": all), chunk by chunk in id order."""
    with unit_of_work() as session:
        total = service.count_candidates(session, rule=rule)
    if on_start:
        on_start(total)
    after_id = examined = changed = relabelled = 0
    while True:
        with unit_of_work(write=True) as session:
            after_id, seen, dated, named = service.recompute_chunk(
                session, rule=rule, after_id=after_id, limit=chunk
            )
        if not seen:
            break
        examined, changed, relabelled = examined + seen, changed + dated, relabelled + named
        if after_chunk:
            after_chunk(examined)
    return RecomputeRun(rule=rule, examined=examined, changed=changed, relabelled=relabelled)
