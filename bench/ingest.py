"""Benchmark: end-to-end ingest into PostgreSQL against a raw COPY of the same file.

    scripts/bench ingest --rows 1000000

Generates N national-format 行政处罚 rows (valid codes, 1% realistic bad rows) with the demo
generator, then in the same run and on a fresh database: (1) COPY the file as-is into an untyped
table of text columns — the limit of this machine; (2) `panshi ingest` it — parse, validate, resolve
subjects, store records with history — in a child process, whose peak RSS is measured; (3) COPY the
records the ingest stored, as they are, into an empty table like `records` (same columns and
indexes): what storing the finished rows alone costs, with no file, validation, subjects or history —
the floor of the ingest on this schema. A second, smaller file shows whether peak memory grows with
the file size. Prints figures and the load average after each step (the machine may be shared: compare
the ratios of one run). Never a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

OUT = Path(__file__).resolve().parent / "out"


def generate(rows: int, encoding: str) -> Path:
    from panshi.demo.generator import PENALTY_HEADERS, generate_penalty_rows, generate_subjects, write_csv

    path = OUT / f"penalties-{rows}-{encoding}.csv"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subjects = list(generate_subjects(max(1000, rows // 50), seed=1))
        stream = generate_penalty_rows(subjects, rows, seed=1, start=date(2023, 1, 1), end=date(2025, 12, 31),
                                       bad_fraction=0.01)  # fmt: skip
        tmp = path.with_suffix(".tmp")
        write_csv(stream, tmp, encoding=encoding, headers=PENALTY_HEADERS)
        tmp.rename(path)
    return path


def fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return admin_url.rsplit("/", 1)[0] + "/" + name


def raw_copy(url: str, path: Path, encoding: str) -> float:
    with path.open(encoding=encoding, newline="") as fh:
        width = len(next(csv.reader(fh)))
    columns = sql.SQL(", ").join(sql.SQL("c{} text").format(sql.Literal(i)) for i in range(width))
    with psycopg.connect(url) as conn:
        conn.execute(
            sql.SQL("CREATE TABLE raw_penalties ({})").format(columns).as_string(conn).replace("'", "")
        )
        conn.commit()
        pg_encoding = "GBK" if encoding.lower() in ("gbk", "gb18030") else "UTF8"
        start = time.perf_counter()
        with (
            conn.cursor() as cur,
            path.open("rb") as fh,
            cur.copy(
                f"COPY raw_penalties FROM STDIN (FORMAT csv, HEADER true, ENCODING '{pg_encoding}')"
            ) as copy,
        ):
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        return time.perf_counter() - start


def stored_records_copy(url: str) -> tuple[int, float]:
    """Rows, and seconds to COPY the stored records into an empty table with the columns and indexes of
    `records` (binary COPY out to a file first, so that reading them is not timed)."""
    with psycopg.connect(url) as conn, tempfile.TemporaryFile() as spool:
        with conn.cursor() as cur, cur.copy("COPY records TO STDOUT (FORMAT binary)") as copy:
            for block in copy:
                spool.write(block)
        conn.execute("CREATE TABLE records_floor (LIKE records INCLUDING ALL)")
        conn.commit()
        spool.seek(0)
        start = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY records_floor FROM STDIN (FORMAT binary)") as copy:
            while chunk := spool.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        seconds = time.perf_counter() - start
        count = conn.execute("SELECT count(*) FROM records_floor").fetchone()
        conn.execute("DROP TABLE records_floor")
        conn.commit()
    return int(count[0] if count else 0), seconds


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def ingest(url: str, path: Path) -> tuple[float, float, dict[str, object]]:
    """Wall seconds, peak RSS (MiB) of this ingest's own process, and the batch result."""
    env = os.environ | {"PANSHI_DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "panshi.cli", "db", "upgrade"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "panshi.cli", "ingest", str(path), "--type", "admin_penalty", "--json"],
            env=env, stdout=out, stderr=subprocess.PIPE,
        )  # fmt: skip
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, not all children's
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        if child.returncode != 0:
            error = child.stderr.read().decode(errors="replace")[-3000:] if child.stderr else ""
            raise SystemExit(f"ingest failed with exit code {child.returncode}:\n{error}")
        out.seek(0)
        result = json.loads(out.read())
    return seconds, usage.ru_maxrss / 1024, result


SETTINGS = ("shared_buffers", "max_wal_size", "checkpoint_timeout", "wal_compression", "synchronous_commit")


def server(url: str) -> tuple[str, str]:
    """The settings that matter for bulk loads, and the current WAL position (for WAL volumes)."""
    with psycopg.connect(url) as conn:
        shown = [f"{name}={conn.execute(sql.SQL('SHOW {}').format(sql.Identifier(name))).fetchone()[0]}"
                 for name in SETTINGS]  # fmt: skip
        lsn = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    return " ".join(shown), str(lsn[0] if lsn else "")


def wal_mib(url: str, start: str) -> float:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", (start,)).fetchone()
    return float(row[0] if row else 0) / (1 << 20)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "gbk"])
    parser.add_argument("--pg-url", default=os.environ.get("PANSHI_BENCH_PG_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/test"))  # fmt: skip
    parser.add_argument("--memory-probe", type=int, default=None,
                        help="rows of the smaller file for the memory comparison (default rows/4)")  # fmt: skip
    args = parser.parse_args()

    print(f"generating {args.rows:,} rows ({args.encoding}) …", flush=True)
    big = generate(args.rows, args.encoding)
    small_rows = args.memory_probe or max(1000, args.rows // 4)
    small = generate(small_rows, args.encoding)

    print(f"before               : {load()}", flush=True)
    copy_url = fresh_database(args.pg_url, "panshi_bench_copy")
    settings, start = server(copy_url)
    copy_seconds = raw_copy(copy_url, big, args.encoding)
    copy_wal = wal_mib(copy_url, start)
    print(f"after the raw COPY   : {load()}", flush=True)
    url = fresh_database(args.pg_url, "panshi_bench")
    _, start = server(url)
    seconds, peak_big, result = ingest(url, big)
    ingest_wal = wal_mib(url, start)
    print(f"after the ingest     : {load()}", flush=True)
    stored, floor_seconds = stored_records_copy(url)
    print(f"after the floor COPY : {load()}", flush=True)
    url_small = fresh_database(args.pg_url, "panshi_bench_small")
    _, peak_small, _ = ingest(url_small, small)

    copy_rate, ingest_rate = args.rows / copy_seconds, args.rows / seconds
    floor_rate = args.rows / floor_seconds  # per row of the file, like the others
    size = big.stat().st_size / (1 << 20)
    print(f"\nfile: {big.name} ({size:,.0f} MiB, {args.rows:,} rows)")
    print(f"server (same for all)       : {settings}")
    print(f"raw COPY into untyped table : {copy_seconds:8.1f} s  {copy_rate:10,.0f} rows/s")
    print(f"panshi ingest (end to end)  : {seconds:8.1f} s  {ingest_rate:10,.0f} rows/s"
          f"  (accepted {result['accepted']:,}, rejected {result['rejected']:,})")  # fmt: skip
    print(f"COPY of the stored records  : {floor_seconds:8.1f} s  {floor_rate:10,.0f} rows/s"
          f"  ({stored:,} records into a table like `records`, its indexes included)")  # fmt: skip
    print(f"ratio ingest / raw COPY     : {ingest_rate / copy_rate:8.3f}   (target ≥ 0.5)")
    print(f"ratio floor / raw COPY      : {floor_rate / copy_rate:8.3f}   (storing the records alone)")
    print(
        f"WAL written (whole server)  : {copy_wal:8,.0f} MiB by the raw COPY, {ingest_wal:,.0f} MiB by the ingest"
    )
    print(f"peak RSS of the ingest      : {peak_big:8.0f} MiB for {args.rows:,} rows, "
          f"{peak_small:,.0f} MiB for {small_rows:,} rows")  # fmt: skip
    print(f"reproduce: scripts/bench ingest --rows {args.rows} --encoding {args.encoding}")


if __name__ == "__main__":
    main()
