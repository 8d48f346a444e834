"""Benchmark of `panshi evaluate` (公共信用综合评价) on PostgreSQL: N subjects with ~10 records each.

    scripts/bench evaluation                       # 1,000,000 subjects, 10,000,000 records (the issue's target)
    scripts/bench evaluation --subjects 100000 --reuse

The data is built (or, with --reuse, kept) by the portal benchmark's builder (bench/portal_data.py:
COPY streams of subjects, 行政处罚 and 行政许可 records with their batches and history) in its own
database, panshi_bench_evaluation. Then `panshi evaluate` runs end to end as an operator runs it (a
new process, the progress bar off, `--json`), timed from start to exit; then `panshi evaluate --changed`
right after it, which finds that nothing has changed: the cost of the re-grading sweep's query.
Prints subjects/s, the totals and the commands. Not a test: it never fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import portal_data
import psycopg
from rich.console import Console

console = Console(highlight=False)
DEFAULT_DB = "panshi_bench_evaluation"
PROJECT = Path(__file__).resolve().parent.parent


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/evaluation.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--records-per-subject", type=int, default=10)
    parser.add_argument(
        "--chunk", type=int, default=5000, help="subjects per chunk (panshi evaluate --chunk)"
    )
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--pg-url", default=portal_data.DEFAULT_PG_URL)
    parser.add_argument("--reuse", action="store_true", help="keep complete data of the same size")
    return parser.parse_args(argv)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=PROJECT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    records = args.subjects * args.records_per_subject
    build = [
        "--subjects",
        str(args.subjects),
        "--records",
        str(records),
        "--db",
        args.db,
        "--pg-url",
        args.pg_url,
    ]
    started = time.perf_counter()
    portal_data.main([*build, *(["--reuse"] if args.reuse else [])])
    console.print(f"data ready in {time.perf_counter() - started:,.0f} s")

    url = portal_data.database_url(args.pg_url, args.db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANSHI_")}
    env["PANSHI_DATABASE_URL"] = url.replace("postgresql://", "postgresql+psycopg://", 1)
    panshi = str(Path(sys.executable).with_name("panshi"))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "ANALYZE"
        )  # statistics of the freshly loaded (or kept) tables, as a maintained server has them
    batch = [panshi, "evaluate", "--abandon", "--chunk", str(args.chunk), "--json"]
    seconds, out = timed(batch, env)
    result = json.loads(out)
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT model), min(score), avg(score), max(score) FROM evaluations WHERE run_id = %s",
            (result["id"],),
        ).fetchone()
        grades = conn.execute(
            "SELECT grade, count(*) FROM evaluations WHERE run_id = %s GROUP BY grade ORDER BY grade",
            (result["id"],),
        ).fetchall()
    assert row is not None
    graded, models, low, mean, high = row
    console.print(f"\npanshi evaluate: {result['done']:,} subjects read, {graded:,} graded by {models} models "
                  f"in {seconds:,.1f} s = {result['done'] / seconds:,.0f} subjects/s "
                  f"({records:,} records; target: 1,000,000 subjects under 300 s)")  # fmt: skip
    console.print(f"  scores {low:.1f} / {mean:.1f} / {high:.1f} (min / mean / max); grades "
                  + ", ".join(f"{g} {n:,}" for g, n in grades))  # fmt: skip
    sweep_seconds, sweep_out = timed([panshi, "evaluate", "--changed", "--json"], env)
    console.print(f"panshi evaluate --changed right after: {json.loads(sweep_out)['done']:,} subjects re-graded "
                  f"in {sweep_seconds:,.1f} s (the cost of finding the changed subjects)")  # fmt: skip
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    console.print(
        f"load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} cores (other work may be running)"
    )
    console.print(f"reproduce: scripts/bench evaluation --subjects {args.subjects} --chunk {args.chunk} --db {args.db} "
                  "--reuse")  # fmt: skip


if __name__ == "__main__":
    main()
