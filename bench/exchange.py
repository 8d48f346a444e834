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
import os
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--sqlite", action="store_true", help="SQLite files instead of PostgreSQL")
    parser.add_argument("--lag-rounds", type=int, default=10)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="panshi-bench-exchange-"))
    names = {t.key: f"panshi_bench_{t.key}_{uuid.uuid4().hex[:6]}" for t in tiers.TIERS}
    admin = None if args.sqlite else create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    urls = None
    if admin is not None:
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        urls = {
            k: make_url(PG_ADMIN_URL).set(database=n).render_as_string(hide_password=False)
            for k, n in names.items()
        }
    ports = {t.key: 18600 + i for i, t in enumerate(tiers.TIERS)}
    nodes = tiers.plan(root, ports=ports, database_urls=urls, PANSHI_EXCHANGE_SYNC_SECONDS="0")
    processes = {}
    try:
        tiers.link_all(nodes)
        from panshi.demo.service import load_demo

        started = time.perf_counter()
        with tiers.as_node(nodes["county"]) as county_engine:
            load_demo(subjects=max(args.records // 10, 100), records=args.records)
        print(f"backlog loaded at the county in {time.perf_counter() - started:.1f} s")
        processes["county"] = tiers.start(nodes["county"])
        county = core_db.make_engine(nodes["county"].database_url)
        backlog = _count(county)
        with tiers.as_node(nodes["city"]) as city_engine:
            started = time.perf_counter()
            result = pull_from("220284", engine=city_engine)
            elapsed = time.perf_counter() - started
            assert _count(city_engine) == backlog, "the city does not hold the county's records"
        print(f"backlog: {backlog:,} records ({result.applied_batches} batches) replicated in {elapsed:.1f} s "
              f"= {backlog / elapsed:,.0f} records/s ({'SQLite' if args.sqlite else 'PostgreSQL'}, HTTP on loopback)")  # fmt: skip

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
              f"median {statistics.median(lags):.2f} s, max {max(lags):.2f} s")  # fmt: skip
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
