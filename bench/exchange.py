"""Benchmark: exchange between two nodes on loopback (county 磐石市 → city 吉林市).

    scripts/bench exchange --records 100000              # PostgreSQL (PANSHI_TEST_PG_URL's server)
    scripts/bench exchange --records 100000 --sqlite     # SQLite files

1. Backlog: the county's database is loaded with the demo county (the real ingest path, N records),
   the county is served (`panshi serve`, its timer off), and this process, acting as the city, pulls
   the whole feed over HTTP (the county publishes as it is asked): records/s replicated.
2. Lag: the city is served too, syncing every second; files of 100 rows are ingested at the county,
   one a second, and the time from the county's answer (committed) to the rows being
   visible in the city's database is measured.

Databases are made in a temporary directory (and PostgreSQL databases created and dropped). Prints
figures; never a test.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from panshi.core import db as core_db
from panshi.core.db import unit_of_work
from panshi.demo.generator import PENALTY_HEADERS, generate_penalty_rows, generate_subjects, write_csv
from panshi.exchange import tiers
from panshi.exchange.client import pull_from
from panshi.ingest.service import Submitter, ingest_file
from panshi.records.models import Record

BENCH = Submitter(channel="cli", actor="bench")
PG_ADMIN_URL = os.environ.get("PANSHI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _count(engine: object) -> int:
    with unit_of_work(engine) as s:  # type: ignore[arg-type]
        return s.scalar(select(func.count()).select_from(Record)) or 0


def _rows(directory: Path, round_number: int, n: int) -> Path:
    """A file of `n` valid penalties of the demo county's departments, new in each round."""
    population = list(generate_subjects(50, seed=9000 + round_number))
    end = date.today() - timedelta(days=1)
    rows = generate_penalty_rows(
        population, n, seed=9000 + round_number, start=end - timedelta(days=60), end=end
    )
    path = directory / f"lag-{round_number}.csv"
    write_csv(rows, path, headers=PENALTY_HEADERS)
    return path


class _Statements:
    """Time spent per SQL statement (by its first words) on an engine, for the profile mode."""

    def __init__(self, engine: Any) -> None:
        self.seconds: dict[str, float] = {}
        self.last: dict[str, tuple[str, Any]] = {}
        self.slowest: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        key = " ".join(statement.split())[:110]
        took = time.perf_counter() - conn.info["bench_started"]
        self.seconds[key] = self.seconds.get(key, 0.0) + took
        self.calls[key] = self.calls.get(key, 0) + 1
        if took >= self.slowest.get(key, 0.0):  # the slowest call's statement and parameters
            self.slowest[key], self.last[key] = took, (statement, args[0] if args else None)

    def explain(self, engine: Any, words: str) -> str:
        """EXPLAIN ANALYZE of the costliest SELECT containing `words`, with its last parameters."""
        keys = [
            k
            for k in sorted(self.seconds, key=lambda k: -self.seconds[k])
            if k.startswith("SELECT") and words in k
        ]
        if not keys or engine.dialect.name != "postgresql":
            return ""
        statement, params = self.last[keys[0]]
        raw = engine.raw_connection()
        try:
            with raw.driver_connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                return "\n".join(f"  {r[0]}" for r in cursor.fetchall())
        finally:
            raw.close()

    def report(self, top: int = 12) -> str:
        rows = sorted(self.seconds.items(), key=lambda kv: -kv[1])[:top]
        return "\n".join(f"  {s:7.2f} s {self.calls[k]:6d}x  {k}" for k, s in rows)


class _Profile:
    """cProfile around a part of the work, its statistics in a file of `out` (or nothing without `out`)."""

    def __init__(self, out: Path | None, name: str) -> None:
        import cProfile

        self.path = out / f"{name}.prof" if out else None
        self.profile = cProfile.Profile() if out else None

    def __enter__(self) -> None:
        if self.profile:
            self.profile.enable()

    def __exit__(self, *exc: object) -> None:
        if self.profile:
            self.profile.disable()

    def print(self) -> None:
        import pstats

        if self.profile and self.path:
            self.profile.dump_stats(self.path)
            pstats.Stats(str(self.path)).sort_stats("cumulative").print_stats(25)


class _CPU:
    """CPU seconds spent by this process and by the PostgreSQL backends of an engine's database (read
    from /proc: the server runs on this machine), which a busy machine changes less than wall time."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.process = time.process_time()
        self.backends = self._backends()

    def _backends(self) -> dict[int, float]:
        if self.engine.dialect.name != "postgresql":
            return {}
        with self.engine.connect() as conn:
            pids = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            ).scalars()
            seconds = {}
            for pid in pids:
                with contextlib.suppress(OSError):
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            return seconds

    def spent(self) -> str:
        now = self._backends()
        database = sum(s - self.backends.get(pid, 0.0) for pid, s in now.items())
        return f"CPU: Python {time.process_time() - self.process:.1f} s, PostgreSQL {database:.1f} s"


def _in_process(nodes: dict[str, Any], out: Path | None) -> None:
    """Publishing (county) and applying (city) in this process, timed apart (each profiled on its own
    with `out`)."""
    from panshi.exchange.feed import feed_page, publish_pending
    from panshi.exchange.schemas import FeedPage

    if out:
        out.mkdir(parents=True, exist_ok=True)
    pages: list[FeedPage] = []
    with tiers.as_node(nodes["county"]) as county_engine:
        timing = _Statements(county_engine)
        profile = _Profile(out, "publish")
        cpu = _CPU(county_engine)
        started = time.perf_counter()
        with profile:
            while publish_pending("up", engine=county_engine):
                pass
        published = time.perf_counter() - started
        spent = cpu.spent()
        with unit_of_work(county_engine) as s:
            after = 0
            while page := feed_page(s, after=after, limit=50):
                if not page.batches:
                    break
                pages.append(page)
                after = page.batches[-1].seq
        print(f"published {sum(len(p.batches) for p in pages)} batches in {published:.1f} s"
              f" ({spent}; load average {_load_average()})")  # fmt: skip
        print(timing.report())
        print(timing.explain(county_engine, "h_id"))
    profile.print()
    with tiers.as_node(nodes["city"]) as city_engine:
        timing = _Statements(city_engine)
        queue = list(pages)

        def fetch(after: int, limit: int) -> FeedPage:
            while queue and queue[0].batches[-1].seq <= after:
                queue.pop(0)
            return queue[0] if queue else FeedPage(origin="220284", feed="up", latest_seq=after, batches=[])

        profile = _Profile(out, "apply")
        _count(city_engine)  # a connection in the pool, whose backend the CPU count sees from the start
        cpu = _CPU(city_engine)
        started = time.perf_counter()
        with profile:
            result = pull_from("220284", fetch=fetch, engine=city_engine)
        applied = time.perf_counter() - started
        spent = cpu.spent()
        records = _count(city_engine)
        print(f"applied {result.applied_batches} batches ({records:,} records) in {applied:.1f} s"
              f" = {records / applied:,.0f} records/s ({spent}; load average {_load_average()})")  # fmt: skip
        print(timing.report())
    profile.print()


def _load(nodes: dict[str, Any], root: Path, *, records: int) -> None:
    """Link the nodes and load the demo county (the real ingest path) at the county."""
    from panshi.demo.service import load_demo

    tiers.link_all(nodes)
    started = time.perf_counter()
    with tiers.as_node(nodes["county"]), contextlib.chdir(root):  # its var/demo/ there
        load_demo(subjects=max(records // 10, 100), records=records)
    print(f"backlog loaded at the county in {time.perf_counter() - started:.1f} s")


def _load_average() -> str:
    """The 1- and 5-minute load averages (2 cores shared with other work: say how busy they were)."""
    one, five, _ = os.getloadavg()
    return f"{one:.2f} / {five:.2f}"


def _databases_exist(admin: Any, names: dict[str, str]) -> bool:
    if admin is None:
        return False
    with admin.connect() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM pg_database WHERE datname = ANY(:n)"), {"n": list(names.values())}
        ).scalar()
    return found == len(names)


def _keep(admin: Any, names: dict[str, str], templates: dict[str, str]) -> None:
    """Copy the loaded databases as the templates later runs start from (--reuse)."""
    with admin.connect() as conn:
        for key, name in names.items():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{templates[key]}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{templates[key]}" TEMPLATE "{name}" STRATEGY FILE_COPY'))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--sqlite", action="store_true", help="SQLite files instead of PostgreSQL")
    parser.add_argument("--lag-rounds", type=int, default=10)
    parser.add_argument(
        "--batch-changes",
        type=int,
        default=None,
        help="PANSHI_EXCHANGE_BATCH_CHANGES of both nodes (default: the setting's default)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="no HTTP: publish, then apply, in this process, each under cProfile (files here)",
    )
    parser.add_argument(
        "--split", action="store_true", help="no HTTP: publish, then apply, in this process, timed apart"
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        default=None,
        help="PostgreSQL: keep the loaded, linked nodes under this directory (and template databases) "
        "and start each run from copies of them (loading 100,000 records takes minutes)",
    )
    args = parser.parse_args()
    if args.reuse is not None and args.sqlite:
        parser.error("--reuse keeps PostgreSQL template databases: not with --sqlite")
    root = (
        Path(tempfile.mkdtemp(prefix="panshi-bench-exchange-"))
        if args.reuse is None
        else args.reuse.resolve() / f"records-{args.records}"
    )
    names = {t.key: f"panshi_bench_{t.key}_{uuid.uuid4().hex[:6]}" for t in tiers.TIERS}
    templates = {t.key: f"panshi_bench_template_{t.key}_{args.records}" for t in tiers.TIERS}
    admin = None if args.sqlite else create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    reused = args.reuse is not None and (root / "loaded").exists() and _databases_exist(admin, templates)
    urls = None
    if admin is not None:
        with admin.connect() as conn:
            for key, name in names.items():
                template = f' TEMPLATE "{templates[key]}" STRATEGY FILE_COPY' if reused else ""
                conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
        urls = {
            k: make_url(PG_ADMIN_URL).set(database=n).render_as_string(hide_password=False)
            for k, n in names.items()
        }
    ports = {t.key: 18600 + i for i, t in enumerate(tiers.TIERS)}
    # Only the exchange runs in the servers: the publicity job (a minute after start) and the
    # re-grading would add changes to the backlog while it is pulled, and take the cores it uses.
    settings = {
        "PANSHI_EXCHANGE_SYNC_SECONDS": "0",
        "PANSHI_PUBLICITY_JOB_HOURS": "0",
        "PANSHI_EVALUATION_REGRADE_MINUTES": "0",
    }
    if args.batch_changes:
        settings["PANSHI_EXCHANGE_BATCH_CHANGES"] = str(args.batch_changes)
    nodes = tiers.plan(root, ports=ports, database_urls=urls, **settings)
    processes = {}
    try:
        if reused:
            print(f"backlog reused: copies of {', '.join(templates.values())} (nodes under {root})")
        else:
            _load(nodes, root, records=args.records)
            if args.reuse is not None and admin is not None:
                _keep(admin, names, templates)
                (root / "loaded").touch()
        if args.profile is not None or args.split:
            _in_process(nodes, args.profile)
            return
        processes["county"] = tiers.start(nodes["county"])
        county = core_db.make_engine(nodes["county"].database_url)
        backlog = _count(county)
        with tiers.as_node(nodes["city"]) as city_engine:
            started = time.perf_counter()
            result = pull_from("220284", engine=city_engine)
            elapsed = time.perf_counter() - started
            assert _count(city_engine) == backlog, "the city does not hold the county's records"
        print(f"backlog: {backlog:,} records ({result.applied_batches} batches) replicated in {elapsed:.1f} s "
              f"= {backlog / elapsed:,.0f} records/s ({'SQLite' if args.sqlite else 'PostgreSQL'}, HTTP on loopback; "
              f"load average {_load_average()})")  # fmt: skip

        nodes["city"].settings["PANSHI_EXCHANGE_SYNC_SECONDS"] = "1"
        processes["city"] = tiers.start(nodes["city"])
        city = core_db.make_engine(nodes["city"].database_url)
        lags = []
        for round_number in range(args.lag_rounds):
            before = _count(city)
            path = _rows(root, round_number, 100)
            with (
                tiers.as_node(nodes["county"]) as county_engine,
                unit_of_work(county_engine, write=True) as s,
            ):
                accepted = ingest_file(s, path=path, record_type="admin_penalty", submitter=BENCH).accepted
            committed = time.perf_counter()
            tiers.wait_until(
                lambda want=before + accepted: _count(city) >= want,
                timeout=60,
                what="rows at the city",
                every=0.02,
            )
            lags.append(time.perf_counter() - committed)
            time.sleep(max(0.0, 1.0 - (time.perf_counter() - committed)))
        print(f"lag (commit at the county → visible at the city, sync every 1 s, {args.lag_rounds} files of 100): "
              f"median {statistics.median(lags):.2f} s, max {max(lags):.2f} s (load average {_load_average()})")  # fmt: skip
        county.dispose()
        city.dispose()
    finally:
        for process in processes.values():
            tiers.stop(process)
        if admin is not None:
            with admin.connect() as conn:
                for name in names.values():
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
