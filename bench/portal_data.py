"""Benchmark data for the public portal: N credit subjects and M records in PostgreSQL, loaded fast.

    scripts/bench portal data --subjects 1000000 --records 10000000
    scripts/bench portal data --reuse     # keep complete data of the same size, or resume a partial load

The schema comes from the project's migrations; the rows come from COPY streams generated here
instead of `panshi ingest`, which would take hours at this size. For the load the secondary indexes,
unique constraints and foreign keys of the big tables are dropped and then rebuilt from their own
definitions, so the schema ends exactly as the migrations made it.

Subjects: 吉林省 enterprises (~76%), 个体工商户 (~21%) and cooperatives with valid USCCs and the word
lists of `panshi.demo`; trade names (字号) are skewed the way real ones are, so that a four-character
query such as 宏达农业 matches tens to hundreds of subjects. Records: 行政处罚 and 行政许可 rows of the
demo generator, re-assigned to these subjects and stored as ingest stores them (normalised `data`,
`submitted` by column position, natural key, content hash, batch, history), in decision-date order.
Each subject gets a few records, skewed, except `--heavy` enterprises that get exactly 200 each: the
subject-page target. The heavy subjects and the search queries are kept in bench_portal_* tables,
which `bench/portal.py run` reads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any, Final

import psycopg
from psycopg import sql
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)

DEFAULT_DB: Final = "panshi_bench_portal"
DEFAULT_PG_URL: Final = os.environ.get("PANSHI_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
HEAVY_RECORDS: Final = 200
# The bench's own tables beside the platform's (never read by the platform).
STATE: Final = "bench_portal_state"
HEAVY: Final = "bench_portal_heavy"
QUERIES: Final = "bench_portal_queries"
SAVED_DDL: Final = "bench_portal_ddl"
# Tables whose secondary indexes and constraints are dropped during the load and rebuilt after it.
BULK_TABLES: Final = ("subjects", "subject_codes", "batches", "records", "record_history")
COMMIT_EVERY: Final = 250_000  # records per COPY transaction: the unit a resumed load restarts from

# County-level divisions of 吉林省 as they are today (the region table also keeps retired codes);
# 磐石市, the demo node, weighs more.
JILIN_COUNTIES: Final = (
    "220102", "220103", "220104", "220105", "220106", "220112", "220113", "220122", "220182", "220183",
    "220184", "220202", "220203", "220204", "220211", "220221", "220281", "220282", "220283", "220284",
    "220302", "220303", "220322", "220323", "220382", "220402", "220403", "220421", "220422", "220502",
    "220503", "220521", "220523", "220524", "220581", "220582", "220602", "220605", "220621", "220622",
    "220623", "220681", "220702", "220721", "220722", "220723", "220781", "220802", "220821", "220822",
    "220881", "220882", "222401", "222402", "222403", "222404", "222405", "222406", "222424", "222426",
)  # fmt: skip
HOME_REGION_WEIGHT: Final = 6
# Trade names (字号): a vocabulary of BRAND_COUNT, drawn with Zipf weights rank^-BRAND_SKEW, the most
# common ones first.
COMMON_BRANDS: Final = ("鑫源", "宏达", "恒泰", "兴隆", "昌盛", "永丰", "金润", "华信", "瑞祥", "通达")
BRAND_COUNT: Final = 500
BRAND_SKEW: Final = 0.6
LOGNORMAL_SIGMA: Final = 1.1  # spread of the record counts of ordinary subjects
PENALTY_SHARE: Final = 0.45  # the rest are licenses
SEARCH_QUERIES: Final = 1000
_USCC_CHARS: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class SchemaChanged(RuntimeError):
    """The database has a NOT NULL column this generator does not fill: it needs a value here."""


@dataclass(frozen=True)
class Params:
    """What the data is made of; a reused database must have been made with the same."""

    subjects: int
    records: int
    heavy: int
    heavy_records: int
    seed: int
    first_day: str  # ISO date of the first decision; the last is today


# --- database plumbing ---------------------------------------------------------------------------


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def database_exists(admin_url: str, name: str) -> bool:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def recreate_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def read_state(conn: psycopg.Connection) -> dict[str, Any]:
    if conn.execute("SELECT to_regclass(%s)", (STATE,)).fetchone() == (None,):
        return {}
    return {key: value for key, value in conn.execute(f"SELECT key, value FROM {STATE}")}


def mark(conn: psycopg.Connection, key: str, value: object) -> None:
    conn.execute(
        f"INSERT INTO {STATE} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value, ensure_ascii=False)),
    )


def columns_to_fill(conn: psycopg.Connection, table: Any, provided: Sequence[str]) -> list[str]:
    """The columns of the SQLAlchemy `table` that this generator provides and the database has.

    A NOT NULL column of the database without a default that is not provided stops the load early
    with the column's name, instead of failing after an hour of COPY.
    """
    rows = conn.execute(
        "SELECT column_name, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s",
        (table.name,),
    ).fetchall()
    in_database = {name for name, _, _ in rows}
    missing = [name for name, nullable, default in rows
               if nullable == "NO" and default is None and name not in provided]  # fmt: skip
    if missing:
        raise SchemaChanged(
            f"{table.name}: NOT NULL column(s) {', '.join(missing)} have no value in bench/portal_data.py; "
            "add them to the columns it provides"
        )
    return [c.name for c in table.columns if c.name in provided and c.name in in_database]


def row_picker(known: Sequence[str], columns: Sequence[str]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Picks `columns` out of a row that holds every `known` column, in order."""
    getter = itemgetter(*[known.index(c) for c in columns])
    if len(columns) == 1:
        return lambda row: (getter(row),)
    return getter  # type: ignore[return-value]


def save_and_drop_secondary(conn: psycopg.Connection) -> None:
    """Keep the DDL of the bulk tables' secondary indexes, unique constraints and foreign keys, then
    drop them (primary keys stay: ids are loaded in order). Rebuilt by `rebuild_secondary`."""
    if "dropped" in read_state(conn):
        return  # a resumed load: already dropped, the saved DDL is the one to rebuild
    tables = list(BULK_TABLES)
    constraints = conn.execute(
        """SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f') ORDER BY contype DESC, conname""",
        (tables,),
    ).fetchall()
    indexes = conn.execute(
        """SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
           ORDER BY i.tablename, i.indexname""",
        (tables,),
    ).fetchall()
    ddl: list[tuple[str, str, str]] = []  # (kind, name, create statement) in rebuild order
    for table, name, kind, definition in constraints:
        if kind == "u":
            ddl.append(("constraint", name, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    ddl += [("index", name, definition) for _, name, definition in indexes]
    for table, name, kind, definition in constraints:
        if kind == "f":
            ddl.append(("foreign key", name, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    with conn.transaction():
        for position, (kind, name, statement) in enumerate(ddl):
            conn.execute(
                f"INSERT INTO {SAVED_DDL} VALUES (%s, %s, %s, %s)", (position, kind, name, statement)
            )
        for table, name, _, _ in sorted(constraints, key=lambda c: c[2] != "f"):  # foreign keys first
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for _, name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        mark(conn, "dropped", len(ddl))


def rebuild_secondary(conn: psycopg.Connection) -> None:
    conn.execute("SET maintenance_work_mem = '1GB'")
    saved = conn.execute(f"SELECT position, kind, name, ddl FROM {SAVED_DDL} ORDER BY position").fetchall()
    for position, kind, name, statement in saved:
        started = time.perf_counter()
        conn.execute(statement)
        conn.execute(f"DELETE FROM {SAVED_DDL} WHERE position = %s", (position,))
        conn.commit()
        console.print(f"    {kind} {name}: {time.perf_counter() - started:.1f} s")


# --- subjects ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    code: str
    prefix: str  # as names start: 磐石市, 农安县, 长春市 (for its districts)
    short: str  # 磐石, 农安, 长春
    city: str  # the prefecture: 吉林市, 延边


def _short(name: str) -> str:
    return re.sub(r"((朝鲜|满|蒙古)族)?(自治)?[市县区州]$", "", name)


def jilin_regions() -> list[Region]:
    from panshi.identifiers import region_name

    regions = []
    for code in JILIN_COUNTIES:
        own, city = region_name(code) or "", region_name(code[:4] + "00") or ""
        prefix = city if own.endswith("区") else own
        regions.append(Region(code, prefix, _short(prefix), city if city.endswith("市") else _short(city)))
    return regions


def weighted_table(items: Sequence[str], weights: Sequence[float], size: int = 100_000) -> list[str]:
    """Items repeated in proportion to their weights, for drawing with one random index."""
    total = sum(weights)
    return [item for item, weight in zip(items, weights, strict=True)
            for _ in range(max(1, round(size * weight / total)))]  # fmt: skip


def brand_vocabulary(rng: random.Random) -> list[str]:
    """Trade names, most common first: common ones, then demo pairs and phrases in a seeded order."""
    from panshi.demo import words

    pairs = list(dict.fromkeys(a + b for a in words.TRADE_CHARS for b in words.TRADE_CHARS if a != b))
    rng.shuffle(pairs)
    tail = pairs[: BRAND_COUNT - len(COMMON_BRANDS) - len(words.TRADE_WORDS)] + list(words.TRADE_WORDS)
    rng.shuffle(tail)
    return list(dict.fromkeys([*COMMON_BRANDS, *tail]))


@dataclass
class Population:
    """Subjects by id - 1, and what the load phase needs about them."""

    names: list[str]
    usccs: list[str]
    kinds: list[str]
    reg_nos: list[str | None]
    fragments: list[str | None]  # trade name + industry head (宏达农业) of enterprises, for queries


class _Maker:
    """Builds one subject at a time with unique names and organization codes."""

    def __init__(self, rng: random.Random) -> None:
        from panshi.demo import words

        self.rng, self.rnd, self.words = rng, rng.random, words
        self.regions = jilin_regions()
        weights = [HOME_REGION_WEIGHT if r.code == words.REGION else 1 for r in self.regions]
        self.region_table = [self.regions[i] for i in
                             map(int, weighted_table([str(i) for i in range(len(self.regions))], weights))]  # fmt: skip
        brands = brand_vocabulary(rng)
        self.brand_table = weighted_table(brands, [(k + 1) ** -BRAND_SKEW for k in range(len(brands))])
        self.surnames = weighted_table([s for s, _ in words.SURNAMES], [w for _, w in words.SURNAMES])
        self.names: set[str] = set()
        self.org_codes: set[str] = set()
        self.reg_seq = 0
        self.region = self.regions[0]

    def pick(self, items: Sequence[Any]) -> Any:
        return items[int(self.rnd() * len(items))]

    def draw_region(self) -> Region:
        """A region for the name being built; its codes are issued there too."""
        self.region = self.pick(self.region_table)
        return self.region

    def person(self) -> str:
        given = self.words.MALE_GIVEN if self.rnd() < 0.6 else self.words.FEMALE_GIVEN
        return self.pick(self.surnames) + "".join(self.pick(given) for _ in range(1 + (self.rnd() < 0.7)))

    def unique(self, build: Callable[[bool], str]) -> str:
        """A name not taken yet: a few tries with the same trade name, then with others, then numbered."""
        for attempt in range(40):
            name = build(attempt >= 8)
            if name not in self.names:
                break
        else:
            name = build(True).replace("有限", f"第{len(self.names)}有限", 1)
        self.names.add(name)
        return name

    def org_code(self, *, old: bool) -> str:
        from panshi.identifiers import org_code_check_char

        while True:
            if old:  # the numeric codes of subjects registered before the USCC (2015)
                body = self.pick("5677") + f"{int(self.rnd() * 10**7):07d}"
            else:
                body = "MA" + "".join(self.pick(_USCC_CHARS) for _ in range(6))
            code = body + org_code_check_char(body)
            if code not in self.org_codes:
                self.org_codes.add(code)
                return code

    def codes(self, prefix: str, region: Region, *, old: bool) -> tuple[str, str | None]:
        from panshi.identifiers import reg_no_check_digit, uscc_check_char

        first17 = prefix + region.code + self.org_code(old=old)
        reg_no = None
        if old and self.rnd() < 0.8:
            self.reg_seq += 1
            body = f"{region.code}0{self.reg_seq % 10**7:07d}"
            reg_no = body + reg_no_check_digit(body)
        return first17 + uscc_check_char(first17), reg_no

    def enterprise(self) -> tuple[str, str, str | None, str | None]:
        industry, sector = self.pick(self.words.INDUSTRIES)
        brand = self.pick(self.brand_table)

        def build(new_brand: bool) -> str:
            nonlocal brand
            if new_brand:
                brand = self.pick(self.brand_table)
            region, roll = self.draw_region(), self.rnd()
            form = "有限公司" if roll < 0.76 else "有限责任公司" if roll < 0.96 else "股份有限公司"
            roll = self.rnd()
            if roll < 0.50:
                return f"{region.prefix}{brand}{industry}{form}"
            if roll < 0.62:
                return f"吉林省{brand}{industry}{form}"
            if roll < 0.74:
                return f"吉林{brand}{industry}{form}"
            if roll < 0.84:
                return f"{region.city}{brand}{industry}{form}"
            if roll < 0.90:
                return f"{brand}（{region.short}）{industry}{form}"
            if roll < 0.97 or sector != "manufacturing":
                return f"吉林{brand}{industry}有限公司{region.short}分公司"
            return f"{region.prefix}{brand}{industry}厂"

        name = self.unique(build)
        uscc, reg_no = self.codes("91", self.region, old=self.rnd() < 0.5)
        fragment = brand + industry[:2] if len(brand) == 2 else None
        return name, uscc, reg_no, fragment

    def individual(self) -> tuple[str, str, str | None, str | None]:
        shop, _ = self.pick(self.words.SHOPS)

        def build(_new_brand: bool) -> str:
            region, roll = self.draw_region(), self.rnd()
            if roll < 0.5:
                return f"{region.prefix}{self.pick(self.brand_table)}{shop}"
            if roll < 0.7 and shop in self.words.EATERIES:
                return f"{region.prefix}{self.pick(self.surnames)}记{shop}"
            return f"{region.prefix}{self.person()}{shop}"

        name = self.unique(build)
        uscc, reg_no = self.codes("92", self.region, old=self.rnd() < 0.3)
        return name, uscc, reg_no, None

    def cooperative(self) -> tuple[str, str, str | None, str | None]:
        line = self.pick(self.words.COOPERATIVE_LINES)

        def build(_new_brand: bool) -> str:
            return f"{self.draw_region().prefix}{self.pick(self.brand_table)}{line}专业合作社"

        name = self.unique(build)
        uscc, _ = self.codes("93", self.region, old=False)
        return name, uscc, None, None


def make_population(n: int, seed: int, progress: Callable[[int], None]) -> Population:
    """`n` organisations: ~76% enterprises, ~21% 个体工商户, ~3% 农民专业合作社, in random order."""
    from panshi.demo.catalogue import INDIVIDUAL_BUSINESS, LEGAL_ENTITY

    maker = _Maker(random.Random(seed))
    population = Population([], [], [], [], [])
    for index in range(n):
        roll = maker.rnd()
        if roll < 0.76:
            kind, (name, uscc, reg_no, fragment) = LEGAL_ENTITY, maker.enterprise()
        elif roll < 0.97:
            kind, (name, uscc, reg_no, fragment) = INDIVIDUAL_BUSINESS, maker.individual()
        else:
            kind, (name, uscc, reg_no, fragment) = LEGAL_ENTITY, maker.cooperative()
        population.names.append(name)
        population.usccs.append(uscc)
        population.kinds.append(kind)
        population.reg_nos.append(reg_no)
        population.fragments.append(fragment)
        if index % 10_000 == 9_999:
            progress(10_000)
    progress(n % 10_000)
    return population


def search_queries(population: Population, count: int, rng: random.Random) -> list[tuple[str, int]]:
    """`count` four-character queries (trade name + industry head) drawn like the public would type
    them: from random enterprises, so common ones recur; each with how many names contain it."""
    with_fragment = [f for f in population.fragments if f]
    queries = [rng.choice(with_fragment) for _ in range(count)]
    wanted = set(queries)
    matches: Counter[str] = Counter()
    for name in population.names:
        found = {name[i : i + 4] for i in range(len(name) - 3)} & wanted
        matches.update(found)
    return [(q, matches[q]) for q in queries]


def load_subjects(conn: psycopg.Connection, params: Params, meter: Meter) -> None:
    from panshi.subjects.models import Subject, SubjectCode

    population = make_population(params.subjects, params.seed, meter.advance)
    rng = random.Random(params.seed + 1)
    enterprises = [i for i, u in enumerate(population.usccs) if u.startswith("91")]
    heavy = sorted(rng.sample(enterprises, params.heavy))
    queries = search_queries(population, SEARCH_QUERIES, rng)
    now = datetime.now(UTC)
    known = (
        "id",
        "subject_key",
        "public_id",
        "kind",
        "name",
        "uscc",
        "region_code",
        "created_at",
        "updated_at",
    )
    columns = columns_to_fill(conn, Subject.__table__, known)
    pick = row_picker(known, columns)
    code_columns = columns_to_fill(conn, SubjectCode.__table__, ("code_type", "code", "subject_id"))
    with conn.transaction():
        conn.execute(f"TRUNCATE subjects, subject_codes, {HEAVY}, {QUERIES} CASCADE")
        with conn.cursor().copy(f"COPY subjects ({', '.join(columns)}) FROM STDIN") as copy:
            for index, (name, uscc, kind) in enumerate(
                zip(population.names, population.usccs, population.kinds, strict=True)
            ):
                key = "uscc:" + uscc
                public_id = hashlib.md5(f"bench:{key}".encode()).hexdigest()
                copy.write_row(pick((index + 1, key, public_id, kind, name, uscc, uscc[2:8], now, now)))
        with conn.cursor().copy(f"COPY subject_codes ({', '.join(code_columns)}) FROM STDIN") as copy:
            code_pick = row_picker(("code_type", "code", "subject_id"), code_columns)
            for index, (uscc, reg_no) in enumerate(zip(population.usccs, population.reg_nos, strict=True)):
                copy.write_row(code_pick(("org_code", uscc[8:17], index + 1)))
                if reg_no:
                    copy.write_row(code_pick(("reg_no", reg_no, index + 1)))
        with conn.cursor().copy(f"COPY {HEAVY} (subject_id, uscc, name) FROM STDIN") as copy:
            for index in heavy:
                copy.write_row((index + 1, population.usccs[index], population.names[index]))
        with conn.cursor().copy(f"COPY {QUERIES} (q, matches) FROM STDIN") as copy:
            for q, matches in queries:
                copy.write_row((q, matches))
        conn.execute(sql.SQL("SELECT setval(pg_get_serial_sequence('subjects', 'id'), {})").format(
            sql.Literal(max(params.subjects, 1))))  # fmt: skip


# --- records -------------------------------------------------------------------------------------


def record_counts(params: Params, heavy_ids: set[int]) -> list[int]:
    """Records per subject (index: id - 1): exactly `heavy_records` for heavy subjects, a skewed few
    (lognormal, capped at half the heavy count) for the others, summing to `records` exactly."""
    rng = random.Random(params.seed + 2)
    counts = [params.heavy_records if i + 1 in heavy_ids else 0 for i in range(params.subjects)]
    others = [i for i in range(params.subjects) if i + 1 not in heavy_ids]
    rest = params.records - len(heavy_ids) * params.heavy_records
    low = 1 if rest >= len(others) else 0
    cap = max(params.heavy_records // 2, low + 1)
    if rest < 0 or rest > len(others) * cap:
        raise SystemExit(f"cannot spread {params.records:,} records: heavy subjects take "
                         f"{len(heavy_ids) * params.heavy_records:,}, the others hold 0–{len(others) * cap:,}")  # fmt: skip
    weights = [rng.lognormvariate(0.0, LOGNORMAL_SIGMA) for _ in others]
    scale = (rest - low * len(others)) / (sum(weights) or 1.0)
    for i, weight in zip(others, weights, strict=True):
        counts[i] = low + min(cap - low, int(weight * scale))
    left = rest - sum(counts[i] for i in others)
    while left:
        i = others[int(rng.random() * len(others))]
        if left > 0 and counts[i] < cap:
            counts[i], left = counts[i] + 1, left - 1
        elif left < 0 and counts[i] > low:
            counts[i], left = counts[i] - 1, left + 1
    return counts


@dataclass(frozen=True)
class RecordShape:
    """Where things are in a demo row of one record type (rows are lists in catalog field order)."""

    key: str
    label: str
    names: tuple[str, ...]
    headers: tuple[str, ...]
    decision_number: int
    decision_date: int
    authority_uscc: int
    department_uscc: int
    codes: tuple[int, ...]  # columns that may quote the subject's USCC (license numbers)
    subject_name: int
    subject_category: int
    subject_uscc: int
    subject_reg_no: int
    subject_org_code: int
    legal_rep: int
    legal_rep_id_type: int
    legal_rep_id_number: int
    subject_blank: tuple[int, ...]  # the subject's other codes and a person's ID: empty for organisations

    @classmethod
    def of(cls, key: str) -> RecordShape:
        from panshi.catalog.service import get_record_type

        record_type = get_record_type(key)
        names = tuple(f.name for f in record_type.fields)
        return cls(
            key=key, label=record_type.label, names=names, headers=tuple(f.header for f in record_type.fields),
            decision_number=names.index("decision_number"), decision_date=names.index(record_type.decision_date),
            authority_uscc=names.index("authority_uscc"), department_uscc=names.index(record_type.department.uscc),
            codes=tuple(names.index(n) for n in ("decision_number", "license_number") if n in names),
            **{n: names.index(n) for n in _SUBJECT_FIELDS},
            subject_blank=tuple(names.index(n) for n in _BLANK_SUBJECT_FIELDS if n in names),
        )  # fmt: skip


_SUBJECT_FIELDS: Final = ("subject_name", "subject_category", "subject_uscc", "subject_reg_no", "subject_org_code",
                          "legal_rep", "legal_rep_id_type", "legal_rep_id_number")  # fmt: skip
_BLANK_SUBJECT_FIELDS: Final = ("subject_reg_no", "subject_org_code", "subject_tax_reg_no",
                                "subject_institution_cert_no", "subject_social_org_cert_no", "id_type", "id_number")  # fmt: skip


def legal_representatives(rng: random.Random, count: int = 20_000) -> list[tuple[str, str]]:
    """People with valid resident ID numbers, to stand as 法定代表人 / 经营者 of the subjects."""
    from panshi.demo import words
    from panshi.identifiers import resident_id_check_char

    surnames = weighted_table([s for s, _ in words.SURNAMES], [w for _, w in words.SURNAMES])
    people = []
    for _ in range(count):
        male = rng.random() < 0.6
        given = words.MALE_GIVEN if male else words.FEMALE_GIVEN
        name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(1 + (rng.random() < 0.7)))
        born = date(1955, 1, 1) + timedelta(days=rng.randrange(16_000))
        body = f"{rng.choice(JILIN_COUNTIES)}{born:%Y%m%d}{rng.randrange(1, 500) * 2 - male:03d}"
        people.append((name, body + resident_id_check_char(body)))
    return people


class Batches:
    """One batch per department, record type and month of decision, received early the next month."""

    def __init__(self, seed: int, department_ids: dict[str, int]) -> None:
        self.seed, self.department_ids = seed, department_ids
        self.now = datetime.now(UTC) - timedelta(hours=1)
        self.open: dict[tuple[str, str, str], list[Any]] = {}  # key -> [batch id, received at, rows]

    def next_row(self, record_type: str, department_uscc: str, day: str) -> tuple[str, str, int]:
        """The batch of a record, when it was received (ISO text) and the record's row in its file."""
        key = (record_type, department_uscc, day[:7])
        batch = self.open.get(key)
        if batch is None:
            year, month = int(day[:4]), int(day[5:7])
            received = datetime(year + month // 12, month % 12 + 1, 5, 1, tzinfo=UTC) + timedelta(
                minutes=self.department_ids[department_uscc] * 37)  # fmt: skip
            batch_id = hashlib.md5(
                f"{self.seed}:{record_type}:{department_uscc}:{key[2]}".encode()
            ).hexdigest()
            batch = self.open[key] = [batch_id, min(received, self.now).isoformat(), 0]
        batch[2] += 1
        return batch[0], batch[1], batch[2]


class RecordSource:
    """Every record as a full row of RECORD_COLUMNS in COPY text format, in id (decision date) order.

    Deterministic for given params: a resumed load skips the rows it already has (the demo streams
    are still advanced through them, which is cheap) and continues with the same rows.
    """

    def __init__(self, conn: psycopg.Connection, params: Params, department_ids: dict[str, int]) -> None:
        from panshi.demo.catalogue import LEGAL_ENTITY
        from panshi.demo.generator import SUBJECT_CATEGORIES

        self.params, self.department_ids = params, department_ids
        self.names, self.usccs, self.categories, self.reg_nos = [], [], [], []
        for name, uscc, kind, reg_no in conn.execute(
            "SELECT s.name, s.uscc, s.kind, c.code FROM subjects s LEFT JOIN subject_codes c "
            "ON c.subject_id = s.id AND c.code_type = 'reg_no' ORDER BY s.id"
        ):
            self.names.append(name)
            self.usccs.append(uscc)
            self.categories.append(SUBJECT_CATEGORIES.get(kind, SUBJECT_CATEGORIES[LEGAL_ENTITY]))
            self.reg_nos.append(reg_no or "")
        heavy = {subject_id for (subject_id,) in conn.execute(f"SELECT subject_id FROM {HEAVY}")}
        counts = record_counts(params, heavy)
        self.order = [subject_id for subject_id, count in enumerate(counts, start=1) for _ in range(count)]
        random.Random(params.seed + 3).shuffle(self.order)  # a subject's records are spread over the years
        self.people = legal_representatives(random.Random(params.seed + 4))

    def rows(self, start_after: int) -> Iterator[tuple[Any, ...]]:
        from panshi.catalog.service import load_catalog
        from panshi.demo.generator import generate_license_rows, generate_penalty_rows, generate_subjects

        params = self.params
        names, usccs, categories, reg_nos = self.names, self.usccs, self.categories, self.reg_nos
        people = self.people
        penalty, license_ = RecordShape.of("admin_penalty"), RecordShape.of("admin_license")
        positions = [str(i) for i in range(max(len(penalty.names), len(license_.names)))]
        demo_subjects = list(generate_subjects(5000, seed=params.seed))
        first, today = date.fromisoformat(params.first_day), date.today()
        n_penalties = round(params.records * PENALTY_SHARE)
        streams = {
            penalty.key: generate_penalty_rows(demo_subjects, n_penalties, seed=params.seed, start=first,
                                               end=today).lists(),
            license_.key: generate_license_rows(demo_subjects, params.records - n_penalties, seed=params.seed,
                                                start=first, end=today).lists(),
        }  # fmt: skip
        catalog_version = load_catalog().version
        batches = Batches(params.seed, self.department_ids)
        department_ids = {uscc: str(i) for uscc, i in self.department_ids.items()}
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        rnd = random.Random(params.seed + 5).random
        penalties_left, left = n_penalties, params.records
        for index in range(params.records):
            # Selection sampling keeps both date-ordered streams at the same point of the period.
            is_penalty = rnd() * left < penalties_left
            left -= 1
            penalties_left -= is_penalty
            shape = penalty if is_penalty else license_
            row = next(streams[shape.key])
            department_uscc, day = row[shape.department_uscc], row[shape.decision_date]
            batch_id, received_at, source_row = batches.next_row(shape.key, department_uscc, day)
            if index < start_after:
                continue
            subject = self.order[index] - 1
            uscc = usccs[subject]
            demo_uscc = row[shape.subject_uscc]
            full = index % 10 < 3  # as departments do, three rows in ten bring the old codes too
            for column in shape.subject_blank:
                row[column] = ""
            row[shape.subject_name], row[shape.subject_category], row[shape.subject_uscc] = (
                names[subject], categories[subject], uscc)  # fmt: skip
            if full:
                row[shape.subject_reg_no], row[shape.subject_org_code] = reg_nos[subject], uscc[8:17]
            row[shape.legal_rep], row[shape.legal_rep_id_number] = people[subject * 7919 % len(people)]
            row[shape.legal_rep_id_type] = "身份证"
            if demo_uscc:
                for column in shape.codes:
                    if demo_uscc in row[column]:
                        row[column] = row[column].replace(demo_uscc, uscc)
            values = [value or None for value in row]
            data = dumps(dict(zip(shape.names, values, strict=True)))
            submitted = dumps(dict(zip(positions, values, strict=False)))
            # COPY text format: JSON escapes control characters, so only its backslashes need doubling;
            # the other texts are codes, dates and generated names without tabs, newlines or backslashes.
            yield (
                str(index + 1), shape.key, f"{row[shape.authority_uscc]}|{row[shape.decision_number]}|uscc:{uscc}",
                str(subject + 1), department_ids[department_uscc], batch_id, "1", "active", day, day, r"\N",
                hashlib.sha256(data.encode()).hexdigest(), catalog_version, data.replace("\\", "\\\\"),
                submitted.replace("\\", "\\\\"), str(source_row), received_at, received_at,
            )  # fmt: skip


RECORD_COLUMNS: Final = (
    "id", "record_type", "natural_key", "subject_id", "department_id", "batch_id", "version", "status",
    "decision_date", "publicity_start", "publicity_end", "content_hash", "catalog_version", "data",
    "submitted", "source_row", "received_at", "created_at",
)  # fmt: skip


def load_records(conn: psycopg.Connection, params: Params, meter: Meter) -> None:
    from panshi.records.models import Record

    columns = columns_to_fill(conn, Record.__table__, RECORD_COLUMNS)
    pick = row_picker(RECORD_COLUMNS, columns)
    department_ids = {uscc: i for i, uscc in conn.execute("SELECT id, uscc FROM departments")}
    (start_after,) = conn.execute("SELECT coalesce(max(id), 0) FROM records").fetchone() or (0,)
    conn.commit()
    if start_after:
        console.print(f"  resuming after record {start_after:,}")
    meter.advance(start_after)
    statement = f"COPY records ({', '.join(columns)}) FROM STDIN"
    stream = RecordSource(conn, params, department_ids).rows(start_after)
    done = start_after
    while done < params.records:
        chunk = min(COMMIT_EVERY - done % COMMIT_EVERY, params.records - done)
        with conn.transaction(), conn.cursor().copy(statement) as copy:
            lines = []
            for position in range(chunk):
                lines.append("\t".join(pick(next(stream))))
                if position % 1000 == 999:
                    copy.write("\n".join(lines) + "\n")
                    lines.clear()
            if lines:
                copy.write("\n".join(lines) + "\n")
        done += chunk
        meter.advance(chunk)
    conn.execute(sql.SQL("SELECT setval(pg_get_serial_sequence('records', 'id'), {})").format(
        sql.Literal(max(params.records, 1))))  # fmt: skip
    conn.commit()


# --- set-based steps -----------------------------------------------------------------------------


def insert_select(conn: psycopg.Connection, table: Any, expressions: dict[str, str], source: str,
                  params: dict[str, Any] | None = None) -> None:  # fmt: skip
    """INSERT INTO table (the provided columns it has) SELECT their expressions FROM source."""
    columns = columns_to_fill(conn, table, list(expressions))
    select = ", ".join(expressions[c] for c in columns)
    conn.execute(f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {select} FROM {source}", params)


def load_departments(conn: psycopg.Connection, params: Params, meter: Meter) -> None:
    from panshi.accounts.models import Department
    from panshi.demo.departments import DEPARTMENTS

    columns = columns_to_fill(conn, Department.__table__, ("name", "uscc", "region_code", "created_at"))
    pick = row_picker(("name", "uscc", "region_code", "created_at"), columns)
    conn.execute("TRUNCATE departments CASCADE")
    with conn.cursor().copy(f"COPY departments ({', '.join(columns)}) FROM STDIN") as copy:
        for department in DEPARTMENTS:
            copy.write_row(pick((department.name, department.uscc, department.uscc[2:8], datetime.now(UTC))))


def load_batches(conn: psycopg.Connection, params: Params, meter: Meter) -> None:
    from panshi.catalog.service import load_catalog
    from panshi.ingest.models import Batch

    shapes = {key: RecordShape.of(key) for key in ("admin_penalty", "admin_license")}
    conn.execute("TRUNCATE batches CASCADE")
    insert_select(
        conn, Batch.__table__,
        {
            "id": "b.batch_id", "record_type": "b.record_type", "department_id": "b.department_id",
            "channel": "'api'", "filename": "b.label || '-' || to_char(b.received_at - interval '1 month', 'YYYY-MM') || '.csv'",
            "file_sha256": "encode(sha256(b.batch_id::bytea), 'hex')", "file_format": "'csv'", "encoding": "'utf-8'",
            "catalog_version": "%(cv)s", "headers": "b.headers::json", "received": "b.n", "accepted": "b.n",
            "updated": "0", "unchanged": "0", "rejected": "0", "warnings": "0", "received_at": "b.received_at",
            "completed_at": "b.received_at + interval '1 minute'",
        },
        """(SELECT r.batch_id, r.record_type, r.department_id, r.n, r.received_at, t.label, t.headers
            FROM (SELECT batch_id, min(record_type) AS record_type, min(department_id) AS department_id,
                         count(*) AS n, min(received_at) AS received_at FROM records GROUP BY batch_id) r
            JOIN (VALUES (%(p)s, %(pl)s, %(ph)s), (%(l)s, %(ll)s, %(lh)s)) t (record_type, label, headers)
              ON t.record_type = r.record_type) b""",
        {"cv": load_catalog().version,
         **{k: v for prefix, shape in zip("pl", shapes.values(), strict=True)
            for k, v in ((prefix, shape.key), (prefix + "l", shape.label),
                         (prefix + "h", json.dumps(shape.headers, ensure_ascii=False)))}},
    )  # fmt: skip


def load_history(conn: psycopg.Connection, params: Params, meter: Meter) -> None:
    from panshi.records.models import RecordHistory

    conn.execute("TRUNCATE record_history")
    insert_select(
        conn, RecordHistory.__table__,
        {"record_id": "id", "version": "1", "event": "'created'", "batch_id": "batch_id",
         "content_hash": "content_hash", "actor": "'token:' || department_id", "at": "received_at"},
        "records ORDER BY id",
    )  # fmt: skip


def rebuild(conn: psycopg.Connection, params: Params, meter: Meter) -> None:
    rebuild_secondary(conn)


def vacuum(conn: psycopg.Connection, params: Params, meter: Meter) -> None:
    """VACUUM (ANALYZE): statistics, the visibility map and hint bits, as a settled database has."""
    conn.commit()
    conn.autocommit = True
    for table in (*BULK_TABLES, "departments"):
        started = time.perf_counter()
        conn.execute(f"VACUUM (ANALYZE) {table}")
        console.print(f"    {table}: {time.perf_counter() - started:.1f} s")
    conn.autocommit = False


Step = Callable[[psycopg.Connection, Params, "Meter"], None]
STEPS: Final[tuple[tuple[str, Step, str], ...]] = (
    ("departments", load_departments, ""),
    ("subjects", load_subjects, "subjects"),
    ("records", load_records, "records"),
    ("batches", load_batches, ""),
    ("history", load_history, ""),
    ("indexes", rebuild, ""),
    ("vacuum", vacuum, ""),
)


class Meter:
    """Progress of a counted step: a Rich bar on a terminal, a line every 15 s in a log."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = self.last = time.perf_counter()
        self.progress: Progress | None = None
        if total and console.is_terminal:
            self.progress = Progress(
                TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=console,
            )  # fmt: skip
            self.task = self.progress.add_task(label, total=total, rate="")
            self.progress.start()

    def advance(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        rate = f"{self.done / (now - self.started):,.0f}/s" if now > self.started else ""
        if self.progress is not None:
            self.progress.update(self.task, completed=self.done, rate=rate)
        elif self.total and now - self.last >= 15:
            self.last = now
            console.print(f"  {self.label}: {self.done:,} / {self.total:,} ({rate})")

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


# --- the command ---------------------------------------------------------------------------------


def prepare(url: str, params: Params) -> None:
    """The schema by the migrations, the bench's own tables, and the secondary DDL set aside."""
    from panshi.core import migrate
    from panshi.core.db import make_engine

    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {STATE} (key text PRIMARY KEY, value jsonb NOT NULL)")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {HEAVY} (subject_id bigint PRIMARY KEY, uscc text, name text)"
        )
        conn.execute(f"CREATE TABLE IF NOT EXISTS {QUERIES} (id serial PRIMARY KEY, q text, matches int)")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {SAVED_DDL} (position int PRIMARY KEY, kind text, name text, ddl text)"
        )
        mark(conn, "params", asdict(params))
        conn.commit()
        save_and_drop_secondary(conn)


def counts_match(conn: psycopg.Connection, params: Params) -> tuple[bool, str]:
    subjects, records, heavy = conn.execute(
        f"SELECT (SELECT count(*) FROM subjects), (SELECT count(*) FROM records), (SELECT count(*) FROM {HEAVY})"
    ).fetchone() or (0, 0, 0)
    sample = conn.execute(
        f"SELECT count(*) FROM records WHERE subject_id = (SELECT min(subject_id) FROM {HEAVY})"
    ).fetchone()
    found = f"{subjects:,} subjects, {records:,} records, {heavy:,} heavy subjects ({sample[0] if sample else 0} records each)"
    ok = (subjects, records, heavy) == (params.subjects, params.records, params.heavy) and (
        params.heavy == 0 or (sample is not None and sample[0] == params.heavy_records)
    )
    return ok, found


def report(conn: psycopg.Connection) -> None:
    """Rows and on-disk size of each table (heap, TOAST, indexes) and of the database."""
    rows = conn.execute(
        """SELECT c.relname, c.reltuples::bigint, pg_relation_size(c.oid),
                  coalesce(pg_total_relation_size(c.reltoastrelid), 0), pg_indexes_size(c.oid),
                  pg_total_relation_size(c.oid)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname NOT LIKE 'bench\\_%'
           ORDER BY pg_total_relation_size(c.oid) DESC"""
    ).fetchall()
    gib = 1 << 30
    console.print(
        f"  {'table':<16}{'rows':>14}{'heap GiB':>10}{'TOAST GiB':>11}{'index GiB':>11}{'total GiB':>11}"
    )
    for name, tuples, heap, toast, index, total in rows:
        console.print(f"  {name:<16}{max(tuples, 0):>14,}{heap / gib:>10.2f}{toast / gib:>11.2f}"
                      f"{index / gib:>11.2f}{total / gib:>11.2f}")  # fmt: skip
    (size,) = conn.execute("SELECT pg_database_size(current_database())").fetchone() or (0,)
    console.print(f"  database {conn.info.dbname}: {size / gib:.2f} GiB")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/portal_data.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--heavy", type=int, default=None,
                        help="subjects with exactly --heavy-records records (default min(1000, records/10000))")  # fmt: skip
    parser.add_argument("--heavy-records", type=int, default=HEAVY_RECORDS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--first-day", default="2019-01-01", help="date of the first decision (the last is today)"
    )
    parser.add_argument("--db", default=DEFAULT_DB, help=f"benchmark database (default {DEFAULT_DB})")
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG_URL, help="any database of the server, to create --db from"
    )
    parser.add_argument("--reuse", action="store_true",
                        help="keep the data if it is complete with the same parameters, resume it if partial")  # fmt: skip
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    heavy = args.heavy if args.heavy is not None else min(1000, max(1, args.records // 10_000))
    params = Params(args.subjects, args.records, heavy, args.heavy_records, args.seed, args.first_day)
    url = database_url(args.pg_url, args.db)
    console.print(f"portal benchmark data in {args.db}: {params.subjects:,} subjects, {params.records:,} records, "
                  f"{params.heavy:,} heavy subjects × {params.heavy_records}")  # fmt: skip
    state: dict[str, Any] = {}
    if args.reuse and database_exists(args.pg_url, args.db):
        with psycopg.connect(url) as conn:
            state = read_state(conn)
        if state and state.get("params") != asdict(params):
            raise SystemExit(
                f"{args.db} holds other data ({state.get('params')}); run without --reuse to rebuild it"
            )
    if "complete" in state:
        from panshi.core import migrate
        from panshi.core.db import make_engine

        started = time.perf_counter()
        engine = make_engine(url)
        migrate.upgrade(engine)  # a newer schema since the data was made: migrations run on it as they would
        engine.dispose()
        with psycopg.connect(url) as conn:
            ok, found = counts_match(conn, params)
            if not ok:
                raise SystemExit(
                    f"{args.db} is marked complete but holds {found}; run without --reuse to rebuild"
                )
            console.print(
                f"reusing {args.db}: {found} (schema at head in {time.perf_counter() - started:.1f} s)"
            )
            report(conn)
        return
    if not state:
        recreate_database(args.pg_url, args.db)
    total_started = time.perf_counter()
    prepare(url, params)
    with psycopg.connect(url) as conn:
        state = read_state(conn)
        for name, step, unit in STEPS:
            if f"step:{name}" in state:
                console.print(f"  {name}: done before ({state[f'step:{name}']['seconds']:.1f} s)")
                continue
            console.print(f"  {name} …")
            started = time.perf_counter()
            meter = Meter(name, getattr(params, unit) if unit else 0)
            try:
                step(conn, params, meter)
            finally:
                meter.close()
            seconds = time.perf_counter() - started
            mark(conn, f"step:{name}", {"seconds": seconds})
            conn.commit()
            console.print(f"  {name}: {seconds:,.1f} s")
        mark(conn, "complete", {"at": datetime.now(UTC).isoformat()})
        conn.commit()
        state = read_state(conn)
        steps = sum(v["seconds"] for k, v in state.items() if k.startswith("step:"))
        ok, found = counts_match(conn, params)
        console.print(f"\nloaded {found} in {time.perf_counter() - total_started:,.0f} s this run "
                      f"({steps:,.0f} s over all runs of the steps)")  # fmt: skip
        if not ok:
            raise SystemExit("the counts do not match the parameters")
        report(conn)
    console.print(f"reproduce: scripts/bench portal data --subjects {params.subjects} --records {params.records} "
                  f"--heavy {params.heavy} --seed {params.seed} --db {args.db} --reuse")  # fmt: skip


if __name__ == "__main__":
    main()
