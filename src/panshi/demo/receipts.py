"""Simulated receipt times on the demo county's old platform, for loading it as a migration (存量数据迁移).

The demo's history is years of decisions loaded at once; a real county would migrate them from its
old platform with the times that platform received each row. These times are **simulated**: each
department has a reporting habit — most rows within a few working days of the decision, some
departments slower, a few rows months late (a clean-up) — so that 公示及时率 shows realistic shares.
A simulated time that is not past yet is left blank: the row arrives with the import, as new data does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from panshi.core.calendar import CalendarUnknown, working_calendar
from panshi.core.timeutil import SHANGHAI

RECEIPT_HEADER: Final = (
    "原平台接收时间"  # not a catalog column: the migration reads it (--received-at-column)
)


@dataclass(frozen=True)
class ReportingHabit:
    """How a department reported to the old platform, in working days after the decision."""

    prompt: float  # share of rows received within `usual` working days
    usual: int  # a prompt row: 1..usual working days
    slow: int  # a slow row: usual+1..slow working days (late when past the 7-day rule)
    very_late: float  # share of rows received 20..120 working days later (a backlog sent at once)


PROMPT: Final = ReportingHabit(prompt=0.92, usual=5, slow=12, very_late=0.01)
# Systems that push on the day, desks that send weekly, offices that let a backlog pile up.
HABITS: Final[dict[str, ReportingHabit]] = {
    "磐石市市场监督管理局": ReportingHabit(prompt=0.93, usual=5, slow=12, very_late=0.01),
    "国家税务总局磐石市税务局": ReportingHabit(prompt=0.97, usual=3, slow=9, very_late=0.005),
    "吉林市生态环境局磐石分局": ReportingHabit(prompt=0.80, usual=6, slow=15, very_late=0.03),
    "磐石市应急管理局": ReportingHabit(prompt=0.86, usual=6, slow=14, very_late=0.02),
    "磐石市住房和城乡建设局": ReportingHabit(prompt=0.68, usual=7, slow=20, very_late=0.05),
    "磐石市交通运输局": ReportingHabit(prompt=0.82, usual=6, slow=15, very_late=0.02),
    "磐石市卫生健康局": ReportingHabit(prompt=0.88, usual=5, slow=12, very_late=0.02),
    "磐石市消防救援大队": ReportingHabit(prompt=0.75, usual=7, slow=18, very_late=0.04),
    "磐石市自然资源局": ReportingHabit(prompt=0.62, usual=7, slow=25, very_late=0.06),
    "磐石市农业农村局": ReportingHabit(prompt=0.78, usual=6, slow=16, very_late=0.03),
    "磐石市人力资源和社会保障局": ReportingHabit(prompt=0.90, usual=5, slow=12, very_late=0.01),
    "磐石市文化广播电视和旅游局": ReportingHabit(prompt=0.80, usual=6, slow=15, very_late=0.03),
}
_FIRST_HOUR, _LAST_HOUR = 8, 17  # receipts come in office hours (Beijing time)


class ReceiptClock:
    """Each row's simulated receipt time from its department's habit and its decision date (own rng:
    the rows themselves stay what they are without it)."""

    def __init__(self, *, seed: int, now: datetime) -> None:
        self.rng = random.Random(f"receipts:{seed}")
        self.now = now.astimezone(SHANGHAI).replace(tzinfo=None)
        self.calendar = working_calendar()

    def working_days(self, habit: ReportingHabit) -> int:
        """Working days from decision to receipt under `habit`."""
        rng = self.rng
        roll = rng.random()
        if roll < habit.very_late:
            return rng.randint(20, 120)
        if roll < habit.very_late + (1 - habit.very_late) * habit.prompt:
            return min(rng.randint(1, habit.usual), rng.randint(1, habit.usual))  # the early days more often
        return rng.randint(habit.usual + 1, habit.slow)

    def receipt(self, department: str, decided: str) -> str:
        """The receipt time of a row (Beijing time, `YYYY-MM-DD HH:MM:SS`), "" when not past yet."""
        days = self.working_days(HABITS.get(department, PROMPT))
        moment = time(
            self.rng.randint(_FIRST_HOUR, _LAST_HOUR), self.rng.randint(0, 59), self.rng.randint(0, 59)
        )
        try:
            day = self.calendar.add_working_days(date.fromisoformat(decided), days)
        except (CalendarUnknown, ValueError):  # beyond the calendar, or a spoilt date: received "now"
            return ""
        received = datetime.combine(day, moment)
        return received.isoformat(sep=" ") if received <= self.now - timedelta(minutes=1) else ""
