"""Property-based tests of the vectorised value parsers."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from panshi.ingest.validate import EXCEL_EPOCH, parse_date

FORMS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: f" {d.isoformat()} 00:00:00",
    lambda d: str((d - EXCEL_EPOCH).days) if (d - EXCEL_EPOCH).days >= 10000 else d.isoformat(),
    lambda d: d.isoformat().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"}),  # full-width
]


def _parse(values: list[str | None]) -> list[date | None]:
    return (
        pl.DataFrame({"v": values}, schema={"v": pl.String})
        .select(parse_date(pl.col("v")))
        .to_series()
        .to_list()
    )


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(FORMS))
def test_every_form_of_a_real_date_parses_to_it(day: date, form) -> None:  # type: ignore[no-untyped-def]
    assert _parse([form(day)]) == [day]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1900, max_value=2099), st.integers(1, 12), st.integers(29, 35))
def test_impossible_days_do_not_parse(year: int, month: int, day: int) -> None:
    try:
        date(year, month, day)
    except ValueError:
        assert _parse([f"{year}-{month:02d}-{day:02d}", f"{year}年{month}月{day}日"]) == [None, None]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_text_never_raises_and_parses_only_to_real_dates(text: str) -> None:
    (parsed,) = _parse([text])
    assert parsed is None or date(1900, 1, 1) <= parsed <= date(2099, 12, 31)


def test_excel_serial() -> None:
    assert _parse(["46086", "46086.0"]) == [EXCEL_EPOCH + timedelta(days=46086)] * 2
