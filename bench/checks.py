"""Benchmark: joint reward and punishment checks (联合奖惩核查) over HTTP on loopback, on PostgreSQL.

    scripts/bench checks data --subjects 1000000 --entries 100000   # build panshi_bench_checks (once)
    scripts/bench checks run --rates 1000,2000,3000 --seconds 20    # open-loop load, check vs baseline

`data` builds a separate database with the platform's migrations: N subjects with valid USCCs and M
list entries in force (records of type list_entry with their history rows), by set-based SQL (the
codes are computed in Python and COPYed in). `run` starts the platform's application under uvicorn
with one extra route, the baseline: a minimal endpoint on the same server stack that does one indexed
lookup and one log insert per request (its own unit of work, committed). Then, in the same run, an
open-loop load generator (its own process) sends single checks by code at steady rates to
`POST /api/v1/checks` and to the baseline, and measures each request's latency from the moment it was
due (so a slow server cannot hide its queue); every check is logged durably (synchronous_commit on).
It reports throughput and latency per rate, the highest rate each endpoint sustained, and the
batch form's subjects per second. Prints figures; never a test.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import deque
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from pydantic import BaseModel
from sqlalchemy import text

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ADMIN_URL = os.environ.get("PANSHI_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "panshi_bench_checks"  # --db names another (e.g. a smaller one for profiling)
CODES = OUT / "checks-codes.txt"
TOKEN = OUT / "checks-token.txt"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def use_db(name: str) -> None:
    """Work on database `name`; its codes and token files are named after it (the default's keep their names)."""
    global DB_NAME, CODES, TOKEN
    DB_NAME = name
    stem = "checks" if name == "panshi_bench_checks" else name
    CODES, TOKEN = OUT / f"{stem}-codes.txt", OUT / f"{stem}-token.txt"


def db_url(driver: str = "postgresql") -> str:
    return ADMIN_URL.rsplit("/", 1)[0].replace("postgresql", driver, 1) + "/" + DB_NAME


# --- data ------------------------------------------------------------------------------------------


def uscc_of(n: int) -> str:
    """The n-th valid enterprise USCC of 磐石市 (91220284 + organisation code + check char)."""
    from panshi.identifiers import org_code_check_char, uscc_check_char

    body = "".join(_ALPHABET[(n // 31**i) % 31] for i in range(8))[::-1]
    org = body + org_code_check_char(body)
    first17 = "91220284" + org
    return first17 + uscc_check_char(first17)


def build(subjects: int, entries: int) -> None:
    os.environ["PANSHI_DATABASE_URL"] = db_url()
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
    from panshi.accounts import service as accounts
    from panshi.core import migrate
    from panshi.core.db import unit_of_work

    migrate.upgrade()
    started = time.perf_counter()
    codes = [uscc_of(n) for n in range(1, subjects + 1)]
    print(f"{subjects:,} USCCs computed in {time.perf_counter() - started:.1f}s", flush=True)
    from panshi.demo.departments import agency_uscc

    court_uscc = agency_uscc("MB000004")
    with unit_of_work(write=True) as session:
        court, _ = accounts.add_department(session, name="磐石市人民法院", uscc=court_uscc)
        finance, _ = accounts.add_department(session, name="磐石市财政局", uscc=agency_uscc("MB000010"))
        token = accounts.issue_token(session, role="government", department_id=finance.id, label="bench")
        court_id = court.id
    OUT.mkdir(parents=True, exist_ok=True)
    TOKEN.write_text(token)
    step = max(1, subjects // max(entries, 1))
    with psycopg.connect(db_url()) as conn:
        conn.execute("CREATE UNLOGGED TABLE bench_codes (n bigint, code text)")
        with conn.cursor().copy("COPY bench_codes (n, code) FROM STDIN") as copy:
            buffer = io.StringIO()
            for n, code in enumerate(codes, 1):
                buffer.write(f"{n}\t{code}\n")
            copy.write(buffer.getvalue())
        t = time.perf_counter()
        conn.execute("""
            INSERT INTO subjects (subject_key, public_id, kind, name, uscc, region_code, created_at, updated_at)
            SELECT 'uscc:' || code, md5('bench' || code), 'legal_entity', '磐石市基准' || n || '号商贸有限公司', code,
                   '220284', now(), now()
            FROM bench_codes ORDER BY n""")
        conn.execute("""
            INSERT INTO subject_codes (code_type, code, subject_id)
            SELECT 'org_code', substr(uscc, 9, 9), id FROM subjects""")
        conn.execute("""INSERT INTO batches (id, record_type, department_id, channel, filename, file_sha256, file_format,
            encoding, catalog_version, headers, received, accepted, updated, unchanged, rejected, warnings,
            received_at, completed_at) VALUES ('bench', 'list_entry', %s, 'cli', 'bench', '', 'csv', 'utf-8',
            '2026.1', '[]', 0, 0, 0, 0, 0, 0, now(), now())""", (court_id,))  # fmt: skip
        today = date.today()
        conn.execute(
            """
            INSERT INTO records (record_type, natural_key, subject_id, department_id, batch_id, version, status,
                decision_date, publicity_start, content_hash, catalog_version, data, submitted, source_row,
                received_at, created_at)
            SELECT 'list_entry', lt || '|11220284MB0000004A|（2026）吉0284执' || s.id || '号|uscc:' || s.uscc, s.id, %(court)s,
                   'bench', 1, 'active', %(today)s::date - (s.id %% 600)::int, %(today)s::date - (s.id %% 600)::int,
                   md5(s.uscc), '2026.1',
                   jsonb_build_object('list_type', lt, 'subject_name', s.name, 'subject_category', '法人及非法人组织',
                       'subject_uscc', s.uscc, 'reason', '有履行能力而拒不履行生效法律文书确定的义务',
                       'basis', '《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条',
                       'decision_number', '（2026）吉0284执' || s.id || '号',
                       'start_date', (%(today)s::date - (s.id %% 600)::int)::text,
                       'end_date', CASE WHEN s.id %% 2 = 0 THEN NULL ELSE (%(today)s::date + 400)::text END,
                       'authority', '磐石市人民法院', 'authority_uscc', %(court_uscc)s::text,
                       'source_department', '磐石市人民法院', 'source_department_uscc', %(court_uscc)s::text),
                   '{}'::json, s.id, now(), now()
            FROM (SELECT s.*, CASE WHEN s.id %% 10 = 0 THEN 'tax_grade_a' WHEN s.id %% 7 = 0 THEN 'major_tax_violation'
                                   ELSE 'judgment_defaulter' END AS lt
                  FROM subjects s WHERE s.id %% %(step)s = 0 LIMIT %(entries)s) s""",
            {"court": court_id, "court_uscc": court_uscc, "today": today, "step": step, "entries": entries},
        )
        conn.execute("""INSERT INTO record_history (record_id, version, event, batch_id, content_hash, actor, at)
                        SELECT id, 1, 'created', batch_id, content_hash, 'bench', now() FROM records""")  # fmt: skip
        conn.execute("DROP TABLE bench_codes")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM subjects), (SELECT count(*) FROM records)"
        ).fetchone()
    # The load generator draws codes: one in ten from the listed subjects, the others at random.
    listed = [codes[i - 1] for i in range(step, subjects + 1, step)][:entries]
    CODES.write_text(json.dumps({"all": codes, "listed": listed}))
    assert counts is not None
    print(f"{DB_NAME}: {counts[0]:,} subjects, {counts[1]:,} list entries in force; built in "
          f"{time.perf_counter() - t:.1f}s", flush=True)  # fmt: skip


# --- the server under test -------------------------------------------------------------------------


class BaselineIn(BaseModel):
    subject: str


def make_app() -> Any:
    """The platform's application plus the baseline route, on the same stack (uvicorn, FastAPI, middleware)."""
    from panshi.api.app import create_app
    from panshi.core.db import unit_of_work

    app = create_app()

    @app.post("/api/v1/bench/baseline")
    def baseline(body: BaselineIn) -> dict[str, Any]:
        """One indexed lookup and one log insert in one committed unit of work (a plain sync route)."""
        with unit_of_work(write=True) as session:
            subject_id = session.scalar(
                text("SELECT id FROM subjects WHERE uscc = :code"), {"code": body.subject}
            )
            session.execute(text("INSERT INTO bench_log (at, subject_id, code) VALUES (now(), :s, :c)"),
                            {"s": subject_id, "c": body.subject})  # fmt: skip
        return {"subject_id": subject_id}

    return app


def serve(port: int, workers: int) -> None:
    import uvicorn

    os.environ["PANSHI_DATABASE_URL"] = db_url()
    sys.path.insert(0, str(HERE))
    uvicorn.run("checks:make_app", factory=True, host="127.0.0.1", port=port, workers=workers,
                log_level="warning", access_log=False)  # fmt: skip


# --- the open-loop load generator ------------------------------------------------------------------


class _Conn(asyncio.Protocol):
    def __init__(self, gen: _Load) -> None:
        self.gen, self.buffer, self.due = gen, bytearray(), 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.gen.ready(self)

    def send(self, due: float, payload: bytes) -> None:
        self.due = due
        assert self.transport is not None
        self.transport.write(payload)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).decode("latin-1")
        length = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if len(self.buffer) < end + 4 + length:
            return
        status = int(head.split(" ", 2)[1])
        del self.buffer[: end + 4 + length]
        self.gen.done(self, status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.gen.lost(self)


class _Load:
    """Sends requests at their due times whatever the answers do; latency counts from the due time."""

    def __init__(self, port: int, path: str, bodies: list[bytes], token: str, max_conns: int) -> None:
        self.port, self.max_conns = port, max_conns
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        self.requests = [
            (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{auth}"
             f"Content-Length: {len(b)}\r\n\r\n").encode() + b
            for b in bodies
        ]  # fmt: skip
        self.idle: deque[_Conn] = deque()
        self.backlog: deque[tuple[float, bytes]] = deque()
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.open = self.opening = self.outstanding = 0
        self.loop: asyncio.AbstractEventLoop | None = None

    def ready(self, conn: _Conn) -> None:
        self.opening -= 1
        self.open += 1
        self._next(conn)

    def done(self, conn: _Conn, status: int) -> None:
        self.latencies.append(time.perf_counter() - conn.due)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.outstanding -= 1
        self._next(conn)

    def lost(self, conn: _Conn) -> None:
        self.open -= 1

    def _next(self, conn: _Conn) -> None:
        if self.backlog:
            due, payload = self.backlog.popleft()
            conn.send(due, payload)
        else:
            self.idle.append(conn)

    def _grow(self) -> None:
        if self.open + self.opening < self.max_conns and self.loop is not None:
            self.opening += 1
            self.loop.create_task(self.loop.create_connection(lambda: _Conn(self), "127.0.0.1", self.port))

    async def run(self, rate: float, seconds: float) -> dict[str, Any]:
        self.loop = asyncio.get_running_loop()
        for _ in range(min(32, self.max_conns)):
            self._grow()
        while self.open < min(32, self.max_conns):
            await asyncio.sleep(0.01)
        total = int(rate * seconds)
        start = time.perf_counter() + 0.05
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0.0005:
                await asyncio.sleep(delay)
            payload = self.requests[i % len(self.requests)]
            self.outstanding += 1
            if self.idle:
                self.idle.popleft().send(due, payload)
            else:
                self.backlog.append((due, payload))
                self._grow()
        sent_in = time.perf_counter() - start
        deadline = time.perf_counter() + 30
        while self.outstanding and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - start
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

        return {
            "offered": rate, "sent": total, "answered": len(lat), "lost": self.outstanding,
            "throughput": len(lat) / max(elapsed, sent_in), "p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99),
            "p999": pct(0.999), "max": lat[-1] * 1000 if lat else float("nan"), "statuses": self.statuses,
            "mean": statistics.fmean(lat) * 1000 if lat else float("nan"), "connections": self.open,
        }  # fmt: skip


def load(port: int, path: str, rate: float, seconds: float, token: str, seed: int) -> None:
    """(child process) One open-loop run; prints one JSON line."""
    import uvloop

    codes = json.loads(CODES.read_text())
    rng = random.Random(seed)
    picks = [
        rng.choice(codes["listed"]) if rng.random() < 0.1 else rng.choice(codes["all"]) for _ in range(20_000)
    ]
    if path == "/api/v1/checks":
        bodies = [json.dumps({"subject": c, "scenario": "government_procurement", "purpose": "政府采购供应商资格审查",
                              "case_reference": f"CG-{i}"}, ensure_ascii=False).encode() for i, c in enumerate(picks)]  # fmt: skip
    else:
        bodies = [json.dumps({"subject": c}).encode() for c in picks]
    result = uvloop.run(_Load(port, path, bodies, token, max_conns=512).run(rate, seconds))
    print(json.dumps(result))


def _one_run(port: int, path: str, rate: float, seconds: float, token: str) -> dict[str, Any]:
    child = subprocess.run(
        [sys.executable, __file__, "_load", "--db", DB_NAME, "--port", str(port), "--path", path,
         "--rate", str(rate), "--seconds", str(seconds), "--token", token],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(json.loads(child.stdout.strip().splitlines()[-1]))


def _count(table: str) -> int:
    with psycopg.connect(db_url()) as conn:
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
    return int(row[0]) if row else 0


def _batch_rate(port: int, token: str, rounds: int) -> float:
    import httpx

    codes = json.loads(CODES.read_text())
    rng = random.Random(7)
    body = {"scenario": "government_procurement", "purpose": "供应商批量比对", "case_reference": "BATCH"}
    started, checked = time.perf_counter(), 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        for _ in range(rounds):
            subjects = [rng.choice(codes["all"]) for _ in range(1000)]
            response = client.post("/api/v1/checks/batch", json=body | {"subjects": subjects},
                                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            response.raise_for_status()
            checked += response.json()["checked"]
    return checked / (time.perf_counter() - started)


def run(rates: list[float], seconds: float, workers: int, port: int, batch_rounds: int) -> None:
    token = TOKEN.read_text().strip()
    with psycopg.connect(db_url(), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_log (id bigserial PRIMARY KEY, at timestamptz, "
                     "subject_id bigint, code text)")  # fmt: skip
        conn.execute("TRUNCATE bench_log")
        settings = conn.execute(
            "SELECT current_setting('synchronous_commit'), current_setting('fsync')"
        ).fetchone()
    server = subprocess.Popen(
        [sys.executable, __file__, "_serve", "--db", DB_NAME, "--port", str(port), "--workers", str(workers)]
    )
    try:
        import httpx

        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        print(f"server: uvicorn, {workers} worker(s); PostgreSQL synchronous_commit={settings[0] if settings else '?'}, "
              f"fsync={settings[1] if settings else '?'}; {os.cpu_count()} cores shared by server, database and load generator",
              flush=True)  # fmt: skip
        _one_run(port, "/api/v1/checks", 200, 3, token)  # warm-up
        _one_run(port, "/api/v1/bench/baseline", 200, 3, "")
        header = f"{'endpoint':<10}{'offered/s':>10}{'done/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'p99.9':>9}{'max ms':>9}  statuses"
        print(header, flush=True)
        best: dict[str, float] = {}
        for rate in rates:
            for name, path, tok in (
                ("check", "/api/v1/checks", token),
                ("baseline", "/api/v1/bench/baseline", ""),
            ):
                before = _count("checks" if name == "check" else "bench_log")
                r = _one_run(port, path, rate, seconds, tok)
                logged = _count("checks" if name == "check" else "bench_log") - before
                ok = r["statuses"].get("201" if name == "check" else "200", 0)  # JSON keys: strings
                print(f"{name:<10}{rate:>10.0f}{r['throughput']:>9.0f}{r['p50']:>9.1f}{r['p90']:>9.1f}{r['p99']:>9.1f}"
                      f"{r['p999']:>9.1f}{r['max']:>9.1f}  {r['statuses']} lost={r['lost']} logged={logged}",
                      flush=True)  # fmt: skip
                kept_up = r["lost"] == 0 and ok == r["sent"] == logged and r["throughput"] >= 0.97 * rate
                if kept_up:
                    best[name] = max(best.get(name, 0), rate)
                if kept_up and r["p99"] < 20:
                    best[name + " p99<20ms"] = max(best.get(name + " p99<20ms", 0), rate)
        for name in ("check", "baseline"):
            print(f"{name}: highest rate kept up with {best.get(name, 0):.0f}/s (every request answered and logged, "
                  f"throughput >= 97% of offered); with p99 < 20 ms: {best.get(name + ' p99<20ms', 0):.0f}/s")  # fmt: skip
        if batch_rounds:
            print(f"batch form: {_batch_rate(port, token, batch_rounds):,.0f} subjects/s "
                  f"({batch_rounds} requests of 1,000 subjects, one after another)", flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=DB_NAME, help=f"benchmark database (default {DB_NAME})")
    commands = parser.add_subparsers(dest="command", required=True)
    data = commands.add_parser("data", parents=[common], help="build the benchmark database")
    data.add_argument("--subjects", type=int, default=1_000_000)
    data.add_argument("--entries", type=int, default=100_000)
    bench = commands.add_parser(
        "run", parents=[common], help="open-loop load against the check endpoint and the baseline"
    )
    bench.add_argument("--rates", default="500,1000,1500,2000,2500,3000")
    bench.add_argument("--seconds", type=float, default=15)
    bench.add_argument("--workers", type=int, default=1)
    bench.add_argument("--port", type=int, default=8765)
    bench.add_argument("--batch-rounds", type=int, default=10)
    child = commands.add_parser("_load", parents=[common])
    child.add_argument("--port", type=int)
    child.add_argument("--path")
    child.add_argument("--rate", type=float)
    child.add_argument("--seconds", type=float)
    child.add_argument("--token", default="")
    child.add_argument("--seed", type=int, default=1)
    server = commands.add_parser("_serve", parents=[common])
    server.add_argument("--port", type=int)
    server.add_argument("--workers", type=int)
    args = parser.parse_args()
    use_db(args.db)
    if args.command == "data":
        build(args.subjects, args.entries)
    elif args.command == "run":
        run(
            [float(r) for r in args.rates.split(",")],
            args.seconds,
            args.workers,
            args.port,
            args.batch_rounds,
        )
    elif args.command == "_load":
        load(args.port, args.path, args.rate, args.seconds, args.token, args.seed)
    else:
        serve(args.port, args.workers)


if __name__ == "__main__":
    main()
