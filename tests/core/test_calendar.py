"""The working-day calendar: shipped years agree with chinese-calendar, deadlines across 2026's
Spring Festival and National Day, and a clear refusal beyond the known years."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from panshi.core.calendar import CalendarFileError, CalendarUnknown, known_years, parse_year, working_calendar


def test_every_shipped_day_agrees_with_chinese_calendar() -> None:
    calendar = working_calendar()
    years = known_years()
    assert years[0] <= 2020 and 2026 in years
    day = date(years[0], 1, 1)
    while day.year <= years[-1]:
        assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_spring_festival_2026_deadline_counts_the_make_up_saturdays() -> None:
    calendar = working_calendar()
    # 春节 2026-02-15..23 off; Saturdays 02-14 and 02-28 are worked.
    assert calendar.is_working_day(date(2026, 2, 14)) and calendar.is_working_day(date(2026, 2, 28))
    assert not calendar.is_working_day(date(2026, 2, 16)) and not calendar.is_working_day(date(2026, 2, 23))
    # A decision on Friday 02-13: day 1 is Saturday 02-14, then 02-24, 25, 26, 27, 28 (Sat), 03-02.
    assert calendar.add_working_days(date(2026, 2, 13), 7) == date(2026, 3, 2)
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 3, 2)) == 7


def test_national_day_2026_deadline() -> None:
    calendar = working_calendar()
    # 国庆 10-01..07 off; Sunday 09-20 and Saturday 10-10 worked; 中秋 09-25..27 off.
    assert calendar.add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)
    assert calendar.add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 9)
    assert calendar.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert calendar.add_working_days(date(2026, 9, 24), 1) == date(2026, 9, 28)


def test_beyond_the_known_years_is_refused_not_guessed() -> None:
    calendar = working_calendar()
    last = max(known_years())
    with pytest.raises(CalendarUnknown, match=f"{last + 1} 年"):
        calendar.is_working_day(date(last + 1, 3, 1))
    with pytest.raises(CalendarUnknown):
        calendar.add_working_days(date(last, 12, 28), 15)  # runs into the unknown year
    assert calendar.deadlines([date(last, 12, 28), date(last, 6, 1)], 15)[date(last, 12, 28)] is None


def test_a_faulty_year_file_names_its_line() -> None:
    text = "year: 2027\nsource: x\nholidays:\n  - {name: 春节, from: 2027-02-10, to: 2027-02-01}\nworkdays: [2027-02-03]\n"
    with pytest.raises(CalendarFileError, match="第 4 行"):
        parse_year(text, "cn-2027.yaml")
    with pytest.raises(CalendarFileError, match="本就是工作日"):
        parse_year("year: 2027\nsource: x\nholidays: []\nworkdays: [2027-02-03]\n", "cn-2027.yaml")


def test_an_operator_adds_a_year(tmp_path, monkeypatch) -> None:
    from panshi.core import calendar as module
    from panshi.core.settings import get_settings

    (tmp_path / "cn-2030.yaml").write_text(
        "year: 2030\nsource: 通知\nholidays:\n  - {name: 元旦, from: 2030-01-01, to: 2030-01-01}\nworkdays: []\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PANSHI_CALENDAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    module.working_calendar.cache_clear()
    try:
        assert not module.working_calendar().is_working_day(date(2030, 1, 1))
        assert module.working_calendar().is_working_day(date(2030, 1, 2))
    finally:
        monkeypatch.delenv("PANSHI_CALENDAR_DIR")
        get_settings.cache_clear()
        module.working_calendar.cache_clear()


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 11, 30)), st.integers(0, 20))
def test_add_and_count_are_inverse(day: date, count: int) -> None:
    calendar = working_calendar()
    deadline = calendar.add_working_days(day, count)
    assert calendar.working_days_between(day, deadline) == count
    assert count == 0 or calendar.is_working_day(deadline)
