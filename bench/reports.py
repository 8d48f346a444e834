"""Benchmark: issuing one credit report PDF (信用报告) of a demo-sized subject; target under 1 s.

    scripts/bench reports                                   # demo county of 3000 subjects, 20 renders
    scripts/bench reports --renders 50 --subjects 1000 --records 10000
    PANSHI_DATABASE_URL=postgresql://... scripts/bench reports --keep   # an existing database

Loads the demo county (the README's `panshi demo`, into a temporary SQLite database unless
PANSHI_DATABASE_URL names one that already holds data), picks the subject with the most records (the
"demo-sized" worst case), and issues its report again and again, each in its own unit of work as the
HTTP route does: content from the access layer, the evaluation and the lists, number, HTML, PDF
(WeasyPrint), hash and the credit_reports row. Prints the median and p95 of the public and the full
version, and of the PDF rendering alone, in wall-clock time and in CPU time (`time.process_time`: on a
shared machine the wall clock also counts waiting for a core), with the load average before and after.
`--profile FILE` also writes a cProfile of the full version's renders (`python -m pstats FILE`).
Prints figures; never a test.
"""

from __future__ import annotations

import argparse
import cProfile
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
    parser.add_argument(
        "--profile", metavar="FILE", help="Write a cProfile of the full version's renders to FILE"
    )
    args = parser.parse_args()
    if args.profile:
        args.profile = str(Path(args.profile).resolve())  # before the change of directory below

    workdir = Path(tempfile.mkdtemp(prefix="panshi-bench-reports-"))
    os.chdir(workdir)  # the demo writes its files under ./var/demo
    ours = "PANSHI_DATABASE_URL" not in os.environ
    os.environ.setdefault("PANSHI_DATABASE_URL", f"sqlite:///{workdir / 'panshi.sqlite3'}")

    import pypdfium2
    import weasyprint
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
    sizes: dict[str, str] = {}
    pages_html = ""
    profiler = cProfile.Profile() if args.profile else None
    load_before = os.getloadavg()
    for version, who, purpose in (("public", PUBLIC, None), ("full", operator, "基准测试")):
        for i in range(args.renders + 2):  # two warm-up renders: imports, fonts, template compilation
            profiling = profiler if version == "full" and i >= 2 else None
            if profiling is not None:
                profiling.enable()
            t0, c0 = time.perf_counter(), time.process_time()
            with unit_of_work(write=True) as session:
                issued = issue(session, who=who, code=code, version=version, purpose=purpose, channel="cli")  # type: ignore[arg-type]
            wall, used = time.perf_counter() - t0, time.process_time() - c0
            if profiling is not None:
                profiling.disable()
            if i >= 2:
                figures[version].append(wall)
                cpu[version].append(used)
        sizes[version] = f"{len(issued.pdf) / 1024:.0f} KiB, {len(pypdfium2.PdfDocument(issued.pdf))} pages"
        pages_html = issued.html
    for _ in range(args.renders):  # the full version's HTML to PDF, without the reads and the row
        t0, c0 = time.perf_counter(), time.process_time()
        pdf_bytes(pages_html)
        figures["pdf only"].append(time.perf_counter() - t0)
        cpu["pdf only"].append(time.process_time() - c0)
    load_after = os.getloadavg()

    print(f"\nsubject {code} ({subject.name}): {records} records; {args.renders} reports per version")
    print(f"{'':<10} {'wall med':>9} {'wall p95':>9} {'cpu med':>9} {'cpu p95':>9}  size")
    for name, times in figures.items():
        wall_median, wall_p95 = statistics.median(times), _p95(times)
        cpu_median, cpu_p95 = statistics.median(cpu[name]), _p95(cpu[name])
        print(
            f"{name:<10} {wall_median:>8.3f}s {wall_p95:>8.3f}s {cpu_median:>8.3f}s {cpu_p95:>8.3f}s  {sizes.get(name, '')}"
        )
    worst = max(statistics.median(figures["public"]), statistics.median(figures["full"]))
    worst_cpu = max(statistics.median(cpu["public"]), statistics.median(cpu["full"]))
    verdict = "meets" if worst < TARGET_SECONDS else "MISSES"
    print(
        f"\nmedian {worst:.3f} s per report ({worst_cpu:.3f} s CPU): {verdict} the target of {TARGET_SECONDS:.0f} s"
    )
    print(
        f"load average (1, 5, 15 min) before {_load(load_before)}, after {_load(load_after)}; {os.cpu_count()} CPUs"
    )
    print(f"weasyprint {weasyprint.__version__}, python {sys.version.split()[0]}")
    print(
        f"command: scripts/bench reports --renders {args.renders} --subjects {args.subjects} --records {args.records}"
    )
    if profiler is not None:
        profiler.dump_stats(args.profile)
        print(f"profile of the full version's renders: {args.profile}")
    if args.keep or not ours:
        print(f"database: {os.environ['PANSHI_DATABASE_URL']}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.2f}" for x in load)


if __name__ == "__main__":
    main()
