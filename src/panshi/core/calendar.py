"""The working-day calendar (工作日): weekends, official holidays (放假) and make-up working days
(调休上班) as the State Council declares them each year, kept as data under `data/calendar/`.

A date in a year the calendar does not hold raises `CalendarUnknown`: a deadline is never guessed.
Operators add a newly declared year as `cn-YYYY.yaml` in `PANSHI_CALENDAR_DIR` without a release.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from panshi.core.errors import PanshiError
from panshi.core.settings import get_settings
from panshi.core.yamldata import validated

DATA_DIR = "data/calendar"


class CalendarUnknown(PanshiError):
    """A working-day computation reached a year whose holiday arrangement is not loaded."""

    code = "calendar_unknown"
    status_code = 409


class CalendarFileError(PanshiError):
    code = "calendar_invalid"
    status_code = 500


class Holiday(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str = Field(min_length=1)
    start: date = Field(alias="from")
    end: date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Holiday:
        if self.end < self.start:
            raise ValueError(f"{self.name}：结束日 {self.end} 早于开始日 {self.start}")
        return self


class YearArrangement(BaseModel):
    """One year's declared arrangement (国务院办公厅关于某年部分节假日安排的通知)."""

    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1999, le=2200)
    source: str = Field(min_length=1)
    holidays: list[Holiday]
    workdays: list[date]  # make-up working days (调休上班), weekends that are worked

    @model_validator(mode="after")
    def _in_year(self) -> YearArrangement:
        days = [d for h in self.holidays for d in (h.start, h.end)] + list(self.workdays)
        # A holiday may run into the next year (元旦 after a Friday 31 December); it is owned by its start.
        stray = [d for d in days if d.year not in (self.year, self.year + 1)]
        if stray:
            raise ValueError(f"日期 {stray[0]} 不属于 {self.year} 年的安排")
        worked_weekdays = [d for d in self.workdays if d.weekday() < 5]
        if worked_weekdays:
            raise ValueError(f"调休上班日 {worked_weekdays[0]} 本就是工作日（周一至周五）")
        return self


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days of the years it holds; every method refuses a date outside them."""

    years: frozenset[int]
    holidays: frozenset[date]
    workdays: frozenset[date]
    sources: dict[int, str]

    def _known(self, day: date) -> None:
        if day.year not in self.years:
            held = f"{min(self.years)}–{max(self.years)} 年" if self.years else "无"
            raise CalendarUnknown(
                f"工作日日历未载入 {day.year} 年的节假日安排（已载入：{held}）；"
                f"国务院办公厅公布该年安排后，将 cn-{day.year}.yaml 放入 PANSHI_CALENDAR_DIR 即可"
            )

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day (a weekday that is not a holiday, or a make-up Saturday/Sunday)."""
        self._known(day)
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself not counted): the deadline of a rule
        'within N working days of day'. `count` 0 gives `day` itself."""
        if count < 0:
            raise ValueError("count must be >= 0")
        self._known(day)
        current = day
        while count:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` <= `start`)."""
        self._known(start)
        self._known(end)
        return sum(self.is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))

    def deadlines(self, days: list[date], count: int) -> dict[date, date | None]:
        """`add_working_days(d, count)` for each distinct day; None where the calendar does not reach."""
        answer: dict[date, date | None] = {}
        for day in sorted(set(days)):
            try:
                answer[day] = self.add_working_days(day, count)
            except CalendarUnknown:
                answer[day] = None
        return answer


def parse_year(text: str, filename: str) -> YearArrangement:
    """One year's file, validated; a fault names the file and line."""
    return validated(YearArrangement, text, filename, error=CalendarFileError)  # type: ignore[no-any-return]


def _texts(extra_dir: Path | None) -> list[tuple[str, str]]:
    shipped = resources.files("panshi").joinpath(DATA_DIR)
    found = {f.name: f.read_text("utf-8") for f in shipped.iterdir() if f.name.endswith(".yaml")}
    if extra_dir is not None:
        # The operator's files take precedence: a year re-declared (补充通知) replaces the shipped one.
        found |= {p.name: p.read_text("utf-8") for p in sorted(extra_dir.glob("cn-*.yaml"))}
    return sorted(found.items())


def build(arrangements: list[YearArrangement]) -> WorkingCalendar:
    holidays: set[date] = set()
    for a in arrangements:
        for h in a.holidays:
            holidays.update(h.start + timedelta(days=n) for n in range((h.end - h.start).days + 1))
    return WorkingCalendar(
        years=frozenset(a.year for a in arrangements),
        holidays=frozenset(holidays),
        workdays=frozenset(d for a in arrangements for d in a.workdays),
        sources={a.year: a.source for a in arrangements},
    )


@cache
def working_calendar() -> WorkingCalendar:
    """The calendar of every shipped year and of the files in PANSHI_CALENDAR_DIR."""
    arrangements = [parse_year(text, name) for name, text in _texts(get_settings().calendar_dir)]
    duplicated = [y for y in {a.year for a in arrangements} if sum(a.year == y for a in arrangements) > 1]
    if duplicated:
        raise CalendarFileError(f"{duplicated[0]} 年的节假日安排有两个文件")
    return build(arrangements)


def known_years() -> list[int]:
    return sorted(working_calendar().years)
