"""Seeded streams of 行政处罚 and 行政许可 rows in the national 双公示 format.

The rows are made as lists in header order; `RowStream` hands them out as dicts, and `write_csv`
takes them as they are, so a million rows stream to a file in seconds and in constant memory.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date

from panshi.demo.context import Context, defect_picker
from panshi.demo.headers import LICENSE_COLUMN, LICENSE_HEADERS, PENALTY_COLUMN, PENALTY_HEADERS
from panshi.demo.license_rows import LicenseMaker
from panshi.demo.penalty_rows import PenaltyMaker
from panshi.demo.receipts import RECEIPT_HEADER, ReceiptClock
from panshi.demo.subjects import Subject


class RowStream(Iterator[dict[str, str]]):
    """An iterator of rows keyed by `headers`; `lists()` gives the same rows as lists in header order."""

    def __init__(self, headers: Sequence[str], lists: Iterator[list[str]]) -> None:
        self.headers = tuple(headers)
        self._lists = lists

    def __iter__(self) -> RowStream:
        return self

    def __next__(self) -> dict[str, str]:
        return dict(zip(self.headers, next(self._lists), strict=True))

    def lists(self) -> Iterator[list[str]]:
        """The rows not yet taken, as lists in header order."""
        return self._lists


def _rows(
    n: int,
    make: Callable[[int], list[str]],
    spoil: Callable[[list[str]], None],
    is_bad: Callable[[], bool],
    stamp: Callable[[list[str]], str] | None = None,
) -> Iterator[list[str]]:
    for index in range(n):
        row = make(index)
        if stamp is not None:  # from the row as decided, before any defect
            row.append(stamp(row))
        if is_bad():
            spoil(row)
        yield row


def _stamp(
    receipts: ReceiptClock | None, columns: Mapping[str, int], decided: str
) -> Callable[[list[str]], str] | None:
    """The receipt column's value of a row: its department's simulated receipt of its decision."""
    if receipts is None:
        return None
    department, decision = columns["数据来源单位"], columns[decided]
    return lambda row: receipts.receipt(row[department], row[decision])


def _headers(headers: tuple[str, ...], receipts: ReceiptClock | None) -> tuple[str, ...]:
    return headers if receipts is None else (*headers, RECEIPT_HEADER)


def generate_penalty_rows(
    subjects: Iterable[Subject],
    n: int,
    *,
    seed: int,
    start: date,
    end: date,
    bad_fraction: float = 0.0,
    receipts: ReceiptClock | None = None,
) -> RowStream:
    """Stream `n` 行政处罚 rows about `subjects`, decided between `start` and `end` (capped at today).

    Decision dates run through the period in order (workdays only); `bad_fraction` of the rows,
    exactly rounded, carry one realistic defect each (see `PENALTY_DEFECTS`). With `receipts`, a last
    column (RECEIPT_HEADER) holds each row's simulated receipt time on the old platform.
    """
    context = Context(subjects, n, seed=seed, start=start, end=end)
    maker = PenaltyMaker(context)
    is_bad = defect_picker(random.Random(context.random()), n, bad_fraction)
    stamp = _stamp(receipts, PENALTY_COLUMN, "处罚决定日期")
    return RowStream(_headers(PENALTY_HEADERS, receipts), _rows(n, maker.row, maker.spoil, is_bad, stamp))


def generate_license_rows(
    subjects: Iterable[Subject],
    n: int,
    *,
    seed: int,
    start: date,
    end: date,
    bad_fraction: float = 0.0,
    receipts: ReceiptClock | None = None,
) -> RowStream:
    """Stream `n` 行政许可 rows about `subjects`, decided between `start` and `end` (capped at today).

    `bad_fraction` of the rows, exactly rounded, carry one realistic defect each (see `LICENSE_DEFECTS`).
    With `receipts`, a last column (RECEIPT_HEADER) holds each row's simulated receipt time.
    """
    context = Context(subjects, n, seed=seed, start=start, end=end)
    maker = LicenseMaker(context)
    is_bad = defect_picker(random.Random(context.random()), n, bad_fraction)
    stamp = _stamp(receipts, LICENSE_COLUMN, "许可决定日期")
    return RowStream(_headers(LICENSE_HEADERS, receipts), _rows(n, maker.row, maker.spoil, is_bad, stamp))
