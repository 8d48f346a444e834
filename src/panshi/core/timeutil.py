"""Time: stored in UTC, shown in Asia/Shanghai; business dates are dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_shanghai() -> date:
    """The business date now, in China."""
    return datetime.now(SHANGHAI).date()


def to_shanghai(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI)


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's end (2024-02-29 + 12 months = 2025-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + timedelta(days=day.day - 1),
               following - timedelta(days=1))  # fmt: skip
