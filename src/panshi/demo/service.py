"""`panshi demo`: load the 磐石市 demo county through the real ingest path."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import func, select

from panshi.accounts.service import issue_token
from panshi.core import migrate
from panshi.core.db import unit_of_work
from panshi.core.timeutil import today_shanghai
from panshi.demo.generator import (
    LICENSE_HEADERS,
    PENALTY_HEADERS,
    generate_license_rows,
    generate_penalty_rows,
    generate_subjects,
    write_csv,
)
from panshi.ingest.service import Submitter, ingest_file
from panshi.records.models import Record

DEMO_DIR = Path("var/demo")
SEED = 2026
# Departments send files as they do in real life: GBK from old desktop exports, UTF-8 with BOM
# from Excel's "CSV UTF-8", NDJSON from systems.
_FORMATS = ("gbk", "utf-8-sig", "ndjson")


def load_demo(*, subjects: int, records: int, bad_fraction: float = 0.01) -> None:
    """Generate the county's files under var/demo/ and ingest them department by department."""
    console = Console(stderr=True)
    migrate.upgrade()
    with unit_of_work() as session:
        existing = session.scalar(select(func.count()).select_from(Record)) or 0
    if existing:
        console.print(f"数据库中已有 {existing:,} 条信用记录：跳过演示数据加载（删除 var/ 可重新生成）")
        return
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    population = list(generate_subjects(subjects, seed=SEED))
    end = today_shanghai() - timedelta(days=1)
    start = date(end.year - 3, 1, 1)
    licenses = int(records * 0.6)
    streams = {
        "admin_license": (generate_license_rows(population, licenses, seed=SEED, start=start, end=end,
                                                bad_fraction=bad_fraction), LICENSE_HEADERS),
        "admin_penalty": (generate_penalty_rows(population, records - licenses, seed=SEED, start=start, end=end,
                                                bad_fraction=bad_fraction), PENALTY_HEADERS),
    }  # fmt: skip
    files: list[tuple[str, Path]] = []
    for record_type, (rows, headers) in streams.items():
        by_department: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in rows:
            by_department[row["数据来源单位"]].append(row)
        for i, (department, dept_rows) in enumerate(sorted(by_department.items())):
            files.append((record_type, _write(record_type, i, department, dept_rows, headers)))
    _ingest_all(files, console)
    with unit_of_work(write=True) as session:
        token = issue_token(session, role="operator", label="demo operator")
    (DEMO_DIR / "operator-token.txt").write_text(token + "\n", encoding="utf-8")
    console.print(f"运营人员 API 令牌（operator token）已写入 {DEMO_DIR / 'operator-token.txt'}")


def _write(
    record_type: str, i: int, department: str, rows: list[dict[str, str]], headers: tuple[str, ...]
) -> Path:
    fmt = _FORMATS[i % len(_FORMATS)]
    stem = DEMO_DIR / f"{record_type}-{i:02d}-{department}"
    if fmt == "ndjson":
        path = stem.with_suffix(".ndjson")
        with path.open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        return path
    path = stem.with_suffix(".csv")
    write_csv(rows, path, encoding=fmt, headers=headers)
    return path


def _ingest_all(files: list[tuple[str, Path]], console: Console) -> None:
    operator = Submitter(channel="cli", actor="cli:demo")
    totals: defaultdict[str, int] = defaultdict(int)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("导入演示数据", total=len(files))
        for record_type, path in files:
            with unit_of_work(write=True) as session:
                result = ingest_file(session, path=path, record_type=record_type, submitter=operator)
            for key in ("received", "accepted", "rejected", "warnings"):
                totals[key] += getattr(result, key)
            progress.advance(task)
    console.print(
        f"演示数据：{len(files)} 个文件，收到 {totals['received']:,} 行，入库 {totals['accepted']:,} 条，"
        f"拒收 {totals['rejected']:,} 行（示例错误报告：panshi batch errors <批次号>）"
    )
