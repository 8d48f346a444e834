"""Benchmark: issuing one credit report PDF (信用报告) of a demo-sized subject; target under 1 s.

    scripts/bench reports                                   # demo county of 3000 subjects, 20 renders
    scripts/bench reports --renders 50 --subjects 1000 --records 10000
    PANSHI_DATABASE_URL=postgresql://... scripts/bench reports --keep   # an existing database

Loads the demo county (the README's `panshi demo`, into a temporary SQLite database unless
PANSHI_DATABASE_URL names one that already holds data), picks the subject with the most records (the
"demo-sized" worst case), and issues its report again and again, each in its own unit of work as the
HTTP route does: content from the access layer, the evaluation and the lists, number, HTML, PDF
(WeasyPrint), hash and the credit_reports row. Prints the median and p95 of the public and the full
version, and of the PDF rendering alone. Prints figures; never a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--renders", type=int, default=20, help="Reports to time per version (default 20)")
    parser.add_argument("--subjects", type=int, default=3000, help="Demo subjects to load (default 3000)")
    parser.add_argument("--records", type=int, default=30000, help="Demo records to load (default 30000)")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary database and print its path")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="panshi-bench-reports-"))
    os.chdir(workdir)  # the demo writes its files under ./var/demo
    ours = "PANSHI_DATABASE_URL" not in os.environ
    os.environ.setdefault("PANSHI_DATABASE_URL", f"sqlite:///{workdir / 'panshi.sqlite3'}")

    from sqlalchemy import func, select

    from panshi.accounts.schemas import PUBLIC, Principal, Role
    from panshi.core.db import unit_of_work
    from panshi.demo.service import load_demo
    from panshi.evaluation.service import evaluate_subject
    from panshi.records.models import Record
    from panshi.reports.render import pdf_bytes
    from panshi.reports.service import issue
    from panshi.subjects.service import subjects_by_id, url_code

    started = time.perf_counter()
    load_demo(subjects=args.subjects, records=args.records)
    print(f"demo loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    with unit_of_work(write=True) as session:
        subject_id, records = session.execute(
            select(Record.subject_id, func.count())
            .group_by(Record.subject_id)
            .order_by(func.count().desc(), Record.subject_id)
            .limit(1)
        ).one()
        subject = subjects_by_id(session, {subject_id})[subject_id]
        code = url_code(subject)
        evaluate_subject(session, code=code)  # graded even if the demo's run skipped its kind

    operator = Principal(role=Role.operator, actor="bench:reports", display_name="基准测试")
    figures: dict[str, list[float]] = {"public": [], "full": [], "pdf only": []}
    cpu: dict[str, list[float]] = {name: [] for name in figures}
    sizes: dict[str, int] = {}
    pages_html = ""
    for version, who, purpose in (("public", PUBLIC, None), ("full", operator, "基准测试")):
        for i in range(args.renders + 2):  # two warm-up renders: imports, fonts, template compilation
            t0, c0 = time.perf_counter(), time.process_time()
            with unit_of_work(write=True) as session:
                issued = issue(session, who=who, code=code, version=version, purpose=purpose, channel="cli")  # type: ignore[arg-type]
            if i >= 2:
                figures[version].append(time.perf_counter() - t0)
                cpu[version].append(time.process_time() - c0)
        sizes[version] = len(issued.pdf)
        pages_html = issued.html
    for _ in range(args.renders):
        t0, c0 = time.perf_counter(), time.process_time()
        pdf_bytes(pages_html)
        figures["pdf only"].append(time.perf_counter() - t0)
        cpu["pdf only"].append(time.process_time() - c0)

    print(f"\nsubject {code} ({subject.name}): {records} records; {args.renders} reports per version")
    # CPU time beside wall time: on a shared machine the wall clock also counts waiting for a core.
    print(f"{'':<10} {'median':>8} {'p95':>8} {'max':>8} {'cpu med':>8}  size")
    for name, times in figures.items():
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        size = f"{sizes[name] / 1024:.0f} KiB" if name in sizes else ""
        median, cpu_median = statistics.median(times), statistics.median(cpu[name])
        print(f"{name:<10} {median:>7.3f}s {p95:>7.3f}s {times[-1]:>7.3f}s {cpu_median:>7.3f}s  {size}")
    worst = max(statistics.median(figures["public"]), statistics.median(figures["full"]))
    verdict = "meets" if worst < TARGET_SECONDS else "MISSES"
    load = os.getloadavg()[0]
    print(
        f"\nmedian {worst:.3f} s per report: {verdict} the target of {TARGET_SECONDS:.0f} s (load average {load:.1f})"
    )
    print(
        f"reproduce: scripts/bench reports --renders {args.renders} --subjects {args.subjects} --records {args.records}"
    )
    if args.keep or not ours:
        print(f"database: {os.environ['PANSHI_DATABASE_URL']}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
