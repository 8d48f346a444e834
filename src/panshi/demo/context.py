"""What the row makers share: subject pools, the date table, text templates and their fillers.

Everything that costs is prepared once, so that a row is a handful of `random()` draws and string
formats.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, TypeVar

from panshi.demo.catalogue import NATURAL_PERSON
from panshi.demo.headers import ID_CARD, ID_NUMBER_COLUMN, USCC_COLUMN
from panshi.demo.subjects import Subject
from panshi.demo.words import ROADS, RURAL_TOWNS, SCOPES, SURNAMES, TOWNS, VILLAGES

Getter = Callable[[], object]
T = TypeVar("T")

_USCC_CHARS: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ID_CHARS: Final = "0123456789X"
_TABLE_SIZE: Final = 10_000  # entries of a drawing table: shares down to 1/10000
_IMPOSSIBLE_DAYS: Final = ("02-30", "02-31", "04-31", "06-31", "09-31", "11-31")


class NoSubjects(ValueError):
    """No subject fits any record type: the population is empty or lacks the kinds needed."""


# --- subjects ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Entry:
    """A subject as ready-made columns of the national format."""

    short: tuple[str, ...]  # with the main code only
    full: tuple[str, ...]  # with the old codes as well
    kind: str
    sector: str
    uscc: str


def subject_columns(subject: Subject, *, full: bool) -> tuple[str, ...]:
    """行政相对人名称 … 证件号码 of a subject; `full` adds its old codes (注册号, 组织机构代码 …)."""
    if subject.kind == NATURAL_PERSON:
        return (
            subject.name,
            subject.category,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            ID_CARD,
            subject.id_number or "",
        )
    return (
        subject.name,
        subject.category,
        subject.uscc or "",
        (subject.reg_no or "") if full else "",
        (subject.org_code or "") if full else "",
        (subject.tax_no or "") if full else "",
        (subject.institution_cert_no or "") if full else "",
        (subject.social_org_cert_no or "") if full else "",
        subject.legal_rep or "",
        ID_CARD if subject.legal_rep_id else "",
        subject.legal_rep_id or "",
        "",
        "",
    )


class Pools:
    """Subjects grouped by kind and sector, and the pool that fits each record type."""

    def __init__(self, subjects: Iterable[Subject]) -> None:
        self.groups: dict[tuple[str, str], list[Entry]] = {}
        for subject in subjects:
            entry = Entry(
                subject_columns(subject, full=False),
                subject_columns(subject, full=True),
                subject.kind,
                subject.sector,
                subject.uscc or "",
            )
            self.groups.setdefault((subject.kind, subject.sector), []).append(entry)
        if not self.groups:
            raise NoSubjects("no subjects to generate records for")
        self.cache: dict[tuple[frozenset[str], frozenset[str]], list[Entry]] = {}

    def fitting(self, kinds: frozenset[str], sectors: frozenset[str]) -> list[Entry]:
        """Subjects of `kinds` in `sectors` (in any sector when none fits), in a stable order."""
        key = (kinds, sectors)
        if key not in self.cache:
            of_kind = sorted(group for group in self.groups if group[0] in kinds)
            chosen = [group for group in of_kind if not sectors or group[1] in sectors] or of_kind
            self.cache[key] = [entry for group in chosen for entry in self.groups[group]]
        return self.cache[key]


# --- dates ---------------------------------------------------------------------------------------
class Calendar:
    """Date strings around the decision period, looked up by day offset."""

    LEAD_DAYS: Final = 120  # room before the first decision for "the facts happened on ..."
    TAIL_DAYS: Final = 2000  # room after the last decision for publicity and validity ends

    def __init__(self, start: date, end: date, n: int) -> None:
        end = min(end, date.today())  # decisions are never in the future
        if start > end:
            raise ValueError(f"start {start} is after end {end} (end is capped at today)")
        first = start - timedelta(days=self.LEAD_DAYS)
        days = [first + timedelta(days=k) for k in range((end - first).days + self.TAIL_DAYS + 1)]
        self.iso = [day.isoformat() for day in days]
        self.chinese = [f"{day.year}年{day.month}月{day.day}日" for day in days]
        period = range(self.LEAD_DAYS, self.LEAD_DAYS + (end - start).days + 1)
        workdays = [k for k in period if days[k].weekday() < 5]
        self.decisions = workdays or list(period)
        self.end = period[-1]
        self.n = max(n, 1)

    def decision(self, index: int) -> int:
        """Day offset of the index-th of n rows: rows run through the period in date order."""
        return self.decisions[index * len(self.decisions) // self.n]


# --- templates -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Template:
    """A `str.format` text rewritten with positional fields, and a getter per field."""

    text: str
    getters: tuple[Getter, ...]

    def render(self) -> str:
        getters = self.getters
        if not getters:
            return self.text
        if len(getters) == 1:
            return self.text.format(getters[0]())
        return self.text.format(*[getter() for getter in getters])


def _positional(text: str) -> tuple[str, list[str]]:
    """'{a}x{b:03d}' → ('{0}x{1:03d}', ['a', 'b']), literal braces kept escaped."""
    parts: list[str] = []
    names: list[str] = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            conversion_part = f"!{conversion}" if conversion else ""
            spec_part = f":{spec}" if spec else ""
            parts.append(f"{{{len(names)}{conversion_part}{spec_part}}}")
            names.append(name)
    return "".join(parts), names


def yuan_to_wan(yuan: int) -> str:
    """An amount in yuan as the 万元 text of the national format: 5000 → 0.5, 23500 → 2.35."""
    return f"{yuan / 10000:.4f}".rstrip("0").rstrip(".") or "0"


def amounts(rng: random.Random, low_wan: float, high_wan: float, count: int = 48) -> list[tuple[str, int]]:
    """Round amounts in [low, high] 万元 as (万元 text, yuan), the way decisions write them."""
    low, high = round(low_wan * 10000), round(high_wan * 10000)
    step = 50 if high <= 2000 else 100 if high <= 20000 else 500 if high <= 200000 else 1000
    result = []
    for _ in range(count):
        yuan = max(step, round(rng.uniform(low, high) / step) * step)
        result.append((yuan_to_wan(yuan), yuan))
    return result


def weighted(pairs: Iterable[tuple[T, int]]) -> list[T]:
    """Each item repeated by its weight, for drawing with one random index."""
    return [item for item, weight in pairs for _ in range(weight)]


def department_table(plans: Sequence[tuple[str, T, int]], department_weights: Mapping[str, int]) -> list[T]:
    """Plans (department, plan, weight within the department) repeated so that one random index
    draws a department by its weight, then a plan of it by the plan's weight."""
    in_department: dict[str, int] = {}
    for department, _, weight in plans:
        in_department[department] = in_department.get(department, 0) + weight
    total = sum(department_weights[department] for department in in_department)
    table: list[T] = []
    for department, plan, weight in plans:
        share = department_weights[department] / total * weight / in_department[department]
        table.extend([plan] * max(1, round(_TABLE_SIZE * share)))
    return table


def defect_picker(rng: random.Random, n: int, bad_fraction: float) -> Callable[[], bool]:
    """True for exactly round(n × bad_fraction) of n calls, at random places (selection sampling)."""
    if not 0.0 <= bad_fraction <= 1.0:
        raise ValueError(f"bad_fraction must be within [0, 1], got {bad_fraction}")
    left, bad = n, round(n * bad_fraction)

    def pick() -> bool:
        nonlocal left, bad
        chosen = bad > 0 and rng.random() * left < bad
        left -= 1
        bad -= chosen
        return chosen

    return pick


class Context:
    """The rng and the current row's date and subject, read by the text fillers."""

    def __init__(self, subjects: Iterable[Subject], n: int, *, seed: int, start: date, end: date) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.pools = Pools(subjects)
        self.calendar = Calendar(start, end, n)
        self.offset = self.calendar.decisions[0]
        self.entry: Entry | None = None
        self.money = (500, 50000)
        self.sequences: dict[tuple[str, str], int] = {}
        rng = self.rng
        self.addresses = [self._address() for _ in range(400)]
        self.villages = [f"磐石市{rng.choice(RURAL_TOWNS)}{rng.choice(VILLAGES)}村" for _ in range(200)]
        self.plates = [self._plate() for _ in range(800)]
        surnames = [surname for surname, weight in SURNAMES for _ in range(weight)]
        self.people = [rng.choice(surnames) + rng.choice("明华军丽红强静伟芳涛") for _ in range(300)]
        iso, chinese, rnd = self.calendar.iso, self.calendar.chinese, self.random
        self.fillers: dict[str, Getter] = {
            "when": lambda: chinese[self.offset - 3 - int(rnd() * 90)],
            "place": lambda: self.pick(self.addresses),
            "village": lambda: self.pick(self.villages),
            "town": lambda: self.pick(TOWNS),
            "money": lambda: str(int(self.money[0] + rnd() * (self.money[1] - self.money[0])) // 10 * 10),
            "gain": lambda: str(100 + int(rnd() * 90) * 100),
            "qty": lambda: str(2 + int(rnd() * 58)),
            "few": lambda: str(1 + int(rnd() * 4)),
            "area": lambda: str(30 + int(rnd() * 4970)),
            "plate": lambda: self.pick(self.plates),
            "person": lambda: self.pick(self.people),
            "period": self._previous_month,
            "lastyear": lambda: str(int(iso[self.offset][:4]) - 1),
            "scope": lambda: self.pick(SCOPES.get(self.entry.sector if self.entry else "", SCOPES["retail"])),
            "year": lambda: iso[self.offset][:4],
            "yy": lambda: iso[self.offset][2:4],
            "ymd": lambda: iso[self.offset].replace("-", ""),
            "uscc": lambda: self.entry.uscc if self.entry else "",
            "d1": lambda: str(int(rnd() * 10)),
            "d2": lambda: str(int(rnd() * 10)),
        }

    def pick(self, items: Sequence[str]) -> str:
        return items[int(self.random() * len(items))]

    def _address(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.5:
            return f"磐石市{rng.choice(ROADS)}{rng.randint(1, 999)}号"
        if roll < 0.65:
            return f"磐石经济开发区{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        return f"磐石市{rng.choice(RURAL_TOWNS)}{rng.choice(VILLAGES)}村"

    def _plate(self) -> str:
        tail = "".join(self.rng.choice("0123456789ABCDEF") for _ in range(4))
        return f"吉B{self.rng.choice('0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')}{tail}"

    def _previous_month(self) -> str:
        day = self.calendar.iso[self.offset]
        year, month = int(day[:4]), int(day[5:7])
        return f"{year}年{month - 1}月" if month > 1 else f"{year - 1}年12月"

    def template(self, text: str, fills: Mapping[str, tuple[str, ...]] | None = None) -> Template:
        """Compile `text`: its fields come from `fills`, else from the common fillers; {seq} counts."""
        fills = fills or {}
        positional, names = _positional(text)
        getters: list[Getter] = []
        for name in names:
            if name == "seq":
                getters.append(self._sequence(text))
            elif name in fills:
                values = fills[name]
                getters.append(lambda values=values: self.pick(values))  # type: ignore[misc]
            elif name in self.fillers:
                getters.append(self.fillers[name])
            else:
                raise KeyError(f"no filler for {{{name}}} in {text!r}")
        return Template(positional, tuple(getters))

    def _sequence(self, text: str) -> Getter:
        """Next number of a document series: per template, and per year when the template shows one."""
        yearly = "{year" in text
        iso = self.calendar.iso

        def next_number() -> int:
            key = (text, iso[self.offset][:4] if yearly else "")
            number = self.sequences.get(key, 0) + 1
            self.sequences[key] = number
            return number

        return next_number

    # --- defects -------------------------------------------------------------------------------
    def break_code(self, row: list[str]) -> None:
        """Make the check character of the subject's main code (USCC, else ID number) wrong."""
        column = USCC_COLUMN if row[USCC_COLUMN] else ID_NUMBER_COLUMN
        code = row[column]
        chars = _USCC_CHARS if column == USCC_COLUMN else _ID_CHARS
        shift = 1 + int(self.random() * (len(chars) - 1))
        row[column] = code[:-1] + chars[(chars.index(code[-1]) + shift) % len(chars)]

    def impossible_date(self, day: str) -> str:
        """The same year with a day that does not exist, e.g. 2025-02-30."""
        return day[:5] + self.pick(_IMPOSSIBLE_DAYS)

    def day_before(self, offset: int, *, within: int) -> str:
        """A date 1 to `within` days before the day at `offset`."""
        return self.calendar.iso[offset - 1 - int(self.random() * min(within, Calendar.LEAD_DAYS - 1))]
