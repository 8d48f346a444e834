"""Publicity (双公示) rules applied to stored records: closing expired windows, recomputing windows,
and each department's timeliness (及时率). Services flush; the caller's unit of work commits."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from panshi.accounts.schemas import Principal, Role
from panshi.accounts.service import departments_by_id
from panshi.catalog.service import get_record_type
from panshi.core.calendar import working_calendar
from panshi.core.errors import NotAuthorised, PanshiError
from panshi.core.timeutil import add_months, today_shanghai
from panshi.publicity import windows
from panshi.publicity.rules import LICENSE, PENALTY, rule_set
from panshi.publicity.schemas import Timeliness, TimelinessRow
from panshi.records import service as records

JOB_ACTOR = "system:publicity"
RULED_TYPES = (PENALTY, LICENSE)  # the 双公示 records: their windows come from the rules
WINDOW_FIELDS = records.PUBLICITY_WINDOW_FIELDS
_DATES = ("publicity_start", "publicity_end", "publicity_minimum_end")


# --- the publicity job: windows that ended leave public view -----------------------------------


def end_expired(session: Session, *, on: date, limit: int) -> int:
    """Close up to `limit` records whose window ended before `on` (expired, from the day after the end)."""
    return records.end_expired_publicity(session, on=on, actor=JOB_ACTOR, limit=limit)


def count_expired(session: Session, *, on: date) -> int:
    return records.count_expired_publicity(session, on=on)


# --- recomputing stored windows (backfill, or after a rule version change) ---------------------


def count_candidates(session: Session, *, rule: str | None) -> int:
    return records.count_window_candidates(session, record_types=RULED_TYPES, rule=rule)


def recompute_chunk(
    session: Session, *, rule: str | None, after_id: int, limit: int
) -> tuple[int, int, int, int]:
    """Recompute the windows of the next `limit` open records by id after `after_id` whose stored rule
    is `rule` (None: none yet; "*": any). (last id, examined, dates changed, rule name alone changed)."""
    rows = records.window_chunk(session, record_types=RULED_TYPES, rule=rule, after_id=after_id, limit=limit)
    if not rows:
        return after_id, 0, 0, 0
    changes: list[dict[str, Any]] = []
    by_type: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_type[row.record_type].append(row)
    for record_type, of_type in by_type.items():
        changes += _changed_windows(record_type, of_type)
    records.set_windows(session, changes, actor=JOB_ACTOR)
    dated = sum(1 for c in changes if c["event_reason"])
    return rows[-1].id, len(rows), dated, len(changes) - dated


def _changed_windows(record_type_key: str, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """The rows whose computed window differs from the stored one: new window, and the event's reason
    when its dates changed (None when only the rule's name did)."""
    record_type = get_record_type(record_type_key)
    schema = {f.name: pl.String for f in record_type.fields}
    data = pl.from_dicts([r.data or {} for r in rows], schema=schema)
    dates = [f.name for f in record_type.fields if f.type.value == "date"]
    data = data.with_columns(pl.col(n).str.to_date("%Y-%m-%d", strict=False) for n in dates)
    new = windows.compute(data, record_type, rule_set())
    old = pl.DataFrame(
        {
            "id": [r.id for r in rows],
            **{f"old_{f}": [getattr(r, f) for r in rows] for f in WINDOW_FIELDS},
        },
        schema={"id": pl.Int64, **{f"old_{f}": windows.WINDOW_SCHEMA[f] for f in WINDOW_FIELDS}},
    )
    both = pl.concat([old, new], how="horizontal")
    dates_differ = pl.any_horizontal(pl.col(f).ne_missing(pl.col(f"old_{f}")) for f in _DATES)
    shown = {f: pl.col(f).dt.to_string("%Y-%m-%d").fill_null("—") for f in _DATES}
    was = {f: pl.col(f"old_{f}").dt.to_string("%Y-%m-%d").fill_null("—") for f in _DATES}
    reason = pl.format(
        "按公示规则 {} 重新计算公示期：{} 至 {}（最短公示期至 {}）；原为 {} 至 {}",
        pl.col("publicity_rule").fill_null("—"), shown["publicity_start"], shown["publicity_end"],
        shown["publicity_minimum_end"], was["publicity_start"], was["publicity_end"],
    )  # fmt: skip
    changed = both.filter(dates_differ | pl.col("publicity_rule").ne_missing(pl.col("old_publicity_rule")))
    return changed.select(
        "id", *WINDOW_FIELDS, pl.when(dates_differ).then(reason).otherwise(None).alias("event_reason")
    ).to_dicts()


# --- timeliness (及时率): published within N working days of the decision ----------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(text: str | None, default: date) -> date:
    """The first day of month `text` (YYYY-MM), or of `default`'s month."""
    if not text:
        return default.replace(day=1)
    found = _MONTH.match(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
        raise PanshiError(f"月份 {text!r} 应为 YYYY-MM，如 2026-03", code="bad_month")
    return date(int(found.group(1)), int(found.group(2)), 1)


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def timeliness_scope(who: Principal, department_id: int | None) -> int | None:
    """The department a caller may see timeliness of: operators any (None: all), a department user its
    own only; nobody else."""
    if who.role is Role.operator:
        return department_id
    if who.role is Role.department and who.department_id is not None:
        if department_id is not None and department_id != who.department_id:
            raise NotAuthorised("数据来源单位只能查看本单位的公示及时率")
        return who.department_id
    raise NotAuthorised("公示及时率仅限平台运营人员和数据来源单位查看")


def timeliness(
    session: Session,
    *,
    who: Principal,
    month_from: str | None,
    month_to: str | None,
    department_id: int | None,
) -> Timeliness:
    """Each department's 双公示 records per decision month: on time (arrived within the rule's working
    days of the decision, 7), late, and not judged (the calendar does not reach the deadline yet)."""
    department_id = timeliness_scope(who, department_id)
    today = today_shanghai()
    first = _month(month_from, add_months(today.replace(day=1), -11))  # default: the last twelve months
    last = _month_end(_month(month_to, today))
    if first > last:
        raise PanshiError("起始月份不能晚于截止月份", code="bad_month")
    if (last.year - first.year) * 12 + last.month - first.month >= 120:
        raise PanshiError("一次最多统计 120 个月", code="bad_month")
    counts = records.arrivals(
        session, record_types=RULED_TYPES, decided_from=first, decided_to=last, department_id=department_id
    )
    deadlines, days_used = _deadlines(sorted({decided for _, decided, _, _ in counts}))
    figures: dict[tuple[int, str], dict[str, int]] = defaultdict(
        lambda: {"on_time": 0, "late": 0, "unknown": 0}
    )
    for department, decided, arrived, n in counts:
        deadline = deadlines[decided]
        verdict = "unknown" if deadline is None else ("on_time" if arrived <= deadline else "late")
        figures[(department, f"{decided:%Y-%m}")][verdict] += n
    names = departments_by_id(session, {d for d, _ in figures})
    rows = [
        TimelinessRow(
            department_id=d, department_name=names[d].name if d in names else f"#{d}", month=month,
            decided=sum(f.values()), on_time=f["on_time"], late=f["late"], unknown=f["unknown"],
            share=round(f["on_time"] / (f["on_time"] + f["late"]), 4) if f["on_time"] + f["late"] else None,
        )
        for (d, month), f in figures.items()
    ]  # fmt: skip
    rows.sort(key=lambda r: (r.department_name, r.month))
    return Timeliness(
        month_from=f"{first:%Y-%m}", month_to=f"{last:%Y-%m}", working_days=days_used, rows=rows
    )


def _deadlines(decision_dates: list[date]) -> tuple[dict[date, date | None], list[int]]:
    """Each decision date's publication deadline (None: beyond the calendar), by the rule of its date."""
    rules, calendar = rule_set(), working_calendar()
    by_days: dict[int, list[date]] = defaultdict(list)
    for day in decision_dates:
        rule = rules.for_decision(day)
        assert rule is not None  # the national versions cover every date (rules.check_versions)
        by_days[rule.spec.publication_working_days].append(day)
    found: dict[date, date | None] = {}
    for days, dates in by_days.items():
        found |= calendar.deadlines(dates, days)
    return found, sorted(by_days)
