"""Benchmark: the public portal's read performance over HTTP on loopback, on PostgreSQL at scale.

    scripts/bench portal data                    # once: 1,000,000 subjects, 10,000,000 records (see portal_data.py)
    scripts/bench portal run                     # every scenario at 200 requests/s, then their maximum throughput
    scripts/bench portal run --scenario search --rate 200 --duration 30

The requirement: with 1,000,000 subjects and 10,000,000 records, at a steady 200 requests/s, the
public name search (ranked, first page) and a subject page with 200 records answer within 30 ms at
the 95th percentile. `run` starts the platform (`panshi serve`) on the benchmark database with the
public search rate limit lifted, then for each endpoint: one probe request; a warm-up; an open-loop
run at --rate for --duration (requests leave on a fixed schedule whatever the responses, and each
latency is measured from the request's scheduled time, so queueing counts); and a closed-loop search
for the maximum throughput (C clients back to back, C doubling until throughput stops growing).
Queries are drawn from bench_portal_queries (trade name + industry, 宏达农业), subjects from the heavy
subjects with exactly 200 records. Non-2xx responses are errors, reported with a sample body; an
endpoint that does not exist yet is skipped. The load generator shares the machine's cores with the
server and PostgreSQL: its schedule lag and everyone's CPU are printed so that this can be judged.
Prints figures; never a test.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import resource
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import httpx
import portal_data
import psycopg
from portal_data import console
from rich.table import Table

TARGET_P95_MS: Final = 30.0
RATE_LIMIT_OFF: Final = "1000000/minute"
CLK_TCK: Final = os.sysconf("SC_CLK_TCK")
OVERLOAD_SECONDS: Final = 2.0  # an open-loop run stops once this many seconds of requests are unanswered
LATE_MS: Final = 10.0  # a generator lag (p99) above this is flagged
KEEPALIVE_SECONDS: Final = 4.0
IDLE_SHARE: Final = 0.1  # a server using less than this share of a core is idle


@dataclass(frozen=True)
class Endpoint:
    name: str
    scenario: str
    template: (
        str  # path with {q} (a search query), {code} (a heavy subject's USCC) or {public_id} (its opaque id)
    )
    target_p95_ms: float | None


ENDPOINTS: Final = (
    Endpoint("health", "health", "/api/v1/health", None),
    Endpoint("search-html", "search", "/search?q={q}", TARGET_P95_MS),
    Endpoint("search-api", "search", "/api/v1/search?q={q}", TARGET_P95_MS),
    Endpoint("subject-html", "subject", "/subjects/{code}", TARGET_P95_MS),
    Endpoint("subject-api", "subject", "/api/v1/subjects/{code}", TARGET_P95_MS),
)
SCENARIOS: Final = tuple(dict.fromkeys(("all", "search", "subject", "health", *(e.name for e in ENDPOINTS))))


@dataclass
class Workload:
    """What requests are made of: search queries and the heavy subjects."""

    queries: list[str]
    subjects: list[tuple[str, str]]  # (USCC, public id) of the heavy subjects
    rng: random.Random

    def path(self, endpoint: Endpoint) -> str:
        q = self.queries[int(self.rng.random() * len(self.queries))]
        code, public_id = self.subjects[int(self.rng.random() * len(self.subjects))]
        return endpoint.template.format(q=quote(q), code=code, public_id=public_id)


# --- measurements --------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]


@dataclass
class Phase:
    """One run of one endpoint: every request's latency, errors by kind with a sample, CPU used."""

    endpoint: str
    mode: str
    target_rate: float | None = None
    clients: int | None = None
    latencies: list[float] = field(default_factory=list)  # seconds, of 2xx responses
    lags: list[float] = field(
        default_factory=list
    )  # how late each request was queued for sending (open loop)
    errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)
    sent: int = 0
    scheduled: int = 0  # open loop: requests that fell due (queued for a connection)
    bytes: int = 0
    send_seconds: float = 0.0  # first to last send
    seconds: float = 0.0  # first send to last response
    usage: dict[str, float] = field(default_factory=dict)  # CPU share of one core by group; db connections
    overloaded: str = ""  # why an open-loop run stopped early

    def fail(self, kind: str, sample: str) -> None:
        self.errors[kind] += 1
        self.samples.setdefault(kind, sample[:300])

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def achieved_rate(self) -> float:
        """Requests falling due per second: the schedule the open loop kept."""
        n = self.scheduled
        return (n - 1) / self.send_seconds if self.send_seconds > 0 and n > 1 else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds > 0 else 0.0

    def ms(self, q: float) -> float:
        self.latencies.sort()  # cheap when already sorted
        return percentile(self.latencies, q) * 1000

    def line(self) -> str:
        self.latencies.sort()
        self.lags.sort()
        ok = len(self.latencies)
        size = self.bytes / ok / 1024 if ok else 0.0
        rate = (f"{self.scheduled:,} due at {self.achieved_rate:,.1f}/s (lag p99 {percentile(self.lags, 0.99) * 1000:.1f} ms), "
                f"{self.sent:,} sent" if self.target_rate else f"{self.throughput:,.1f} responses/s")  # fmt: skip
        cpu = " ".join(f"{k} {self.usage[k]:.0%}" for k in ("client", "server", "db") if k in self.usage)
        cpu += f"; {self.usage.get('connections', 0):,.0f} db connections opened"
        text = (f"  {self.mode:<13} {rate}; ok {ok:,}, errors {self.error_count:,}; p50 {self.ms(0.5):.1f} "
                f"p95 {self.ms(0.95):.1f} p99 {self.ms(0.99):.1f} max {self.ms(1.0):.1f} ms; "
                f"{size:,.1f} KiB/response; cpu {cpu}")  # fmt: skip
        if self.overloaded:
            text += f"\n      [red]overloaded[/]: {self.overloaded}"
        elif self.target_rate and percentile(self.lags, 0.99) > LATE_MS / 1000:
            text += f"\n      [yellow]the load generator fell behind its schedule[/] (lag p99 above {LATE_MS:g} ms)"
        for kind, count in self.errors.items():
            text += f"\n      {count:,} × {kind}: {self.samples[kind]!r}"
        return text


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


class CpuMeter:
    """CPU time of this load generator, the server's processes and the database's backends for it."""

    def __init__(self, db_url: str, db_name: str, server_pid: int | None) -> None:
        self.conn = psycopg.connect(db_url, autocommit=True)
        self.db_name, self.server_pid = db_name, server_pid

    def server_seconds(self) -> float:
        """CPU seconds used so far by the server's processes (0 for a server this run did not start)."""
        return sum(map(_cpu_seconds, _process_tree(self.server_pid))) if self.server_pid is not None else 0.0

    def _snapshot(self) -> dict[str, dict[int, float]]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        backends = [pid for (pid,) in self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.db_name,))]  # fmt: skip
        row = self.conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = %s", (self.db_name,)
        ).fetchone()
        snapshot = {"client": {0: usage.ru_utime + usage.ru_stime},
                    "db": {pid: _cpu_seconds(pid) for pid in backends},
                    "connections": {0: float(row[0]) if row else 0.0}}  # fmt: skip
        if self.server_pid is not None:
            snapshot["server"] = {pid: _cpu_seconds(pid) for pid in _process_tree(self.server_pid)}
        return snapshot

    @contextmanager
    def measure(self) -> Iterator[dict[str, float]]:
        """Yields a dict that holds, once the block is done, each group's share of one core and how
        many database connections were opened (the server's pool opens some when busy)."""
        usage: dict[str, float] = {}
        before, started = self._snapshot(), time.perf_counter()
        yield usage
        after, seconds = self._snapshot(), time.perf_counter() - started
        for group in ("client", "server", "db"):
            if group in after:
                used = sum(t - before[group].get(pid, 0.0) for pid, t in after[group].items())
                usage[group] = used / seconds
        usage["connections"] = after["connections"][0] - before["connections"][0]

    def close(self) -> None:
        self.conn.close()


# --- load ----------------------------------------------------------------------------------------


async def _request(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], due: float, phase: Phase
) -> None:
    try:
        response = await client.get(path, headers=headers)
    except httpx.HTTPError as exc:
        phase.fail(type(exc).__name__, f"{path}: {exc!r}")
        return
    if 200 <= response.status_code < 300:
        phase.latencies.append(time.perf_counter() - due)
        phase.bytes += len(response.content)
    else:
        phase.fail(f"HTTP {response.status_code}", f"{path}: {response.text}")


async def open_loop(connections: Sequence[httpx.AsyncClient], endpoint: Endpoint, workload: Workload,
                    headers: dict[str, str], rate: float, seconds: float) -> Phase:  # fmt: skip
    """Requests due on a fixed schedule, `rate` a second, whatever the responses, sent in order by a
    sender per connection; a latency counts from the request's due time, so waiting for a free
    connection is part of it, as queueing in front of a server would be."""
    phase = Phase(endpoint.name, f"open {rate:g}/s", target_rate=rate)
    count = max(1, round(rate * seconds))
    # More than this many unanswered: the server is overloaded and the backlog only grows; stop early
    # rather than leave minutes of queued work that would spoil the next measurement.
    backlog = max(len(connections), round(rate * OVERLOAD_SECONDS))
    queue: asyncio.Queue[tuple[float, str] | None] = asyncio.Queue()

    async def sender(client: httpx.AsyncClient) -> None:
        while (item := await queue.get()) is not None:
            phase.sent += 1
            await _request(client, item[1], headers, item[0], phase)

    senders = [asyncio.create_task(sender(client)) for client in connections]
    start = time.perf_counter() + 0.01
    first_send = last_send = start
    for index in range(count):
        unanswered = phase.scheduled - len(phase.latencies) - phase.error_count
        if unanswered > backlog:
            phase.overloaded = (
                f"stopped after {time.perf_counter() - start:.1f} s: {unanswered:,} requests unanswered"
            )
            while not queue.empty():  # due but not sent yet: never sent
                queue.get_nowait()
            break
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        last_send = time.perf_counter()
        if index == 0:
            first_send = last_send
        phase.lags.append(last_send - due)
        queue.put_nowait((due, workload.path(endpoint)))
        phase.scheduled += 1
    for _ in senders:
        queue.put_nowait(None)
    await asyncio.gather(*senders)
    phase.send_seconds = last_send - first_send
    phase.seconds = time.perf_counter() - start
    return phase


async def closed_loop(connections: Sequence[httpx.AsyncClient], endpoint: Endpoint, workload: Workload,
                      headers: dict[str, str], clients: int, seconds: float) -> Phase:  # fmt: skip
    """`clients` clients, each sending its next request as soon as the last one is answered."""
    phase = Phase(endpoint.name, f"closed ×{clients}", clients=clients)
    start = time.perf_counter()
    stop = start + seconds

    async def one_client(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < stop:
            phase.sent += 1
            await _request(client, workload.path(endpoint), headers, time.perf_counter(), phase)

    await asyncio.gather(*(one_client(client) for client in connections[:clients]))
    phase.seconds = time.perf_counter() - start
    return phase


async def settle(client: httpx.AsyncClient, meter: CpuMeter, timeout: float = 300.0) -> None:
    """Wait until the server has worked off any backlog (requests whose client gave up still run):
    thrice in a row, the health check answers at once and the server's processes are nearly idle."""
    deadline, quick = time.perf_counter() + timeout, 0
    while quick < 3 and time.perf_counter() < deadline:
        before, started = meter.server_seconds(), time.perf_counter()
        try:
            response = await client.get("/api/v1/health")
            answered = response.status_code == 200 and time.perf_counter() - started < 0.05
        except httpx.HTTPError:
            answered = False
        await asyncio.sleep(0.25)
        idle = meter.server_seconds() - before < IDLE_SHARE * (time.perf_counter() - started)
        quick = quick + 1 if answered and idle else 0
    if quick < 3:
        console.print(f"  [yellow]the server was still busy after {timeout:g} s[/]")


@dataclass
class Probe:
    available: bool
    note: str
    headers: dict[str, str] = field(default_factory=dict)


def _describe(response: httpx.Response) -> str:
    """Size of a response and, for JSON, how many items it lists (records of a subject, search hits)."""
    text = f"HTTP {response.status_code}, {len(response.content) / 1024:,.1f} KiB"
    if "json" not in response.headers.get("content-type", ""):
        return text
    try:
        body = response.json()
    except ValueError:
        return text
    if isinstance(body, list):
        return f"{text}, {len(body)} items"
    if isinstance(body, dict):
        lists = {key: len(value) for key, value in body.items() if isinstance(value, list)}
        counts = ", ".join(f"{len_} {key}" for key, len_ in lists.items())
        total = next(
            (f", total {body[k]}" for k in ("total", "count", "hits") if isinstance(body.get(k), int)), ""
        )
        return f"{text}{', ' + counts if counts else ''}{total}"
    return text


async def probe(client: httpx.AsyncClient, endpoint: Endpoint, workload: Workload, token: str) -> Probe:
    """One request: does the endpoint exist, and does it need the operator token (not public yet)?"""
    path = workload.path(endpoint)
    response = await client.get(path)
    if response.status_code == 404 and response.text.strip() == '{"detail":"Not Found"}':
        return Probe(False, f"not built yet ({path} → 404 route not found)")
    if response.status_code in (401, 403):
        headers = {"Authorization": f"Bearer {token}"}
        response = await client.get(path, headers=headers)
        return Probe(
            True, f"{_describe(response)} — not public yet: measured with an operator token", headers
        )
    return Probe(True, _describe(response))


@dataclass
class Result:
    endpoint: Endpoint
    probe: Probe
    steady: Phase | None = None
    levels: list[Phase] = field(default_factory=list)

    @property
    def best(self) -> Phase | None:
        return max(self.levels, key=lambda p: p.throughput, default=None)


async def max_throughput(connections: Sequence[httpx.AsyncClient], endpoint: Endpoint, workload: Workload,
                         headers: dict[str, str], args: argparse.Namespace, meter: CpuMeter) -> list[Phase]:  # fmt: skip
    """Closed loop with 1, 2, 4 … clients until throughput stops growing (5%) twice, or errors appear."""
    levels: list[Phase] = []
    best, flat, clients = 0.0, 0, 1
    while clients <= args.max_clients:
        with meter.measure() as usage:
            measured = await closed_loop(connections, endpoint, workload, headers, clients, args.max_seconds)
        measured.usage = usage
        levels.append(measured)
        console.print(measured.line())
        await settle(connections[0], meter)
        if measured.error_count > 0.01 * max(1, measured.sent):
            break
        flat = flat + 1 if measured.throughput < best * 1.05 else 0
        best = max(best, measured.throughput)
        if flat >= 2:
            break
        clients *= 2
    return levels


async def measure(base_url: str, endpoints: list[Endpoint], workload: Workload, token: str,
                  args: argparse.Namespace, meter: CpuMeter) -> list[Result]:  # fmt: skip
    # A client of one connection per sender: httpx's pool of many connections costs the load
    # generator CPU that grows with the connections in use, taken from the server on a small machine.
    # Idle connections are dropped before uvicorn's keep-alive timeout (5 s) closes them under a request.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=KEEPALIVE_SECONDS)
    results = []
    async with AsyncExitStack() as stack:
        connections = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=base_url, limits=limits, timeout=args.timeout, trust_env=False)
            )
            for _ in range(max(args.connections, args.max_clients))
        ]
        first = connections[0]
        for endpoint in endpoints:
            found = await probe(first, endpoint, workload, token)
            console.print(f"\n[bold]{endpoint.name}[/]  {endpoint.template}: {found.note}")
            result = Result(endpoint, found)
            results.append(result)
            if not found.available:
                continue
            senders = connections[: args.connections]
            if args.warmup > 0:
                await open_loop(senders, endpoint, workload, found.headers, args.rate, args.warmup)
                await settle(first, meter)
            with meter.measure() as usage:
                result.steady = await open_loop(
                    senders, endpoint, workload, found.headers, args.rate, args.duration
                )
            result.steady.usage = usage
            console.print(result.steady.line())
            await settle(first, meter)
            if args.max_seconds > 0:
                result.levels = await max_throughput(
                    connections, endpoint, workload, found.headers, args, meter
                )
    return results


def run_async(coroutine: Coroutine[Any, Any, list[Result]]) -> list[Result]:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`panshi serve` on the benchmark database in a process group of its own, log to a file."""

    def __init__(self, db_url: str, port: int, workers: int) -> None:
        self.port, self.url = port, f"http://127.0.0.1:{port}"
        env = os.environ | {"PANSHI_DATABASE_URL": db_url, "PANSHI_SEARCH_RATE_LIMIT": RATE_LIMIT_OFF}
        serve = [sys.executable, "-m", "panshi.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        if workers == 1:
            self.command = serve
        elif (
            "--workers"
            in subprocess.run([*serve[:4], "--help"], capture_output=True, text=True, env=env).stdout
        ):
            self.command = [*serve, "--workers", str(workers)]
        else:  # what `panshi serve` does (the schema is upgraded beforehand), in several processes
            self.command = [sys.executable, "-m", "uvicorn", "panshi.api.app:create_app", "--factory",
                            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]  # fmt: skip
        self.log = Path(tempfile.gettempdir()) / f"panshi-bench-portal-{port}.log"
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with code {self.process.returncode}:\n{self.tail()}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=2, trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"the server did not answer within {timeout:.0f} s:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # our own process group: the server and its workers
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- the benchmark database ----------------------------------------------------------------------


@dataclass
class Dataset:
    params: dict[str, Any]
    subjects: int
    records: int
    size_gib: float
    queries: list[str]
    matches: list[int]
    heavy: list[tuple[str, str]]  # (USCC, public id) of the subjects with `heavy_records` records


def load_dataset(url: str, db: str) -> Dataset:
    try:
        conn = psycopg.connect(url)
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"no benchmark database {db} ({exc}); make it with: scripts/bench portal data"
        ) from None
    with conn:
        state = portal_data.read_state(conn)
        if "complete" not in state:
            raise SystemExit(f"{db} is not complete; make it with: scripts/bench portal data --reuse")
        n_subjects, n_records, size = conn.execute(
            "SELECT (SELECT reltuples::bigint FROM pg_class WHERE relname = 'subjects'), "
            "(SELECT reltuples::bigint FROM pg_class WHERE relname = 'records'), pg_database_size(current_database())"
        ).fetchone() or (0, 0, 0)
        queries = conn.execute(f"SELECT q, matches FROM {portal_data.QUERIES} ORDER BY id").fetchall()
        heavy = conn.execute(
            f"SELECT h.uscc, s.public_id FROM {portal_data.HEAVY} h JOIN subjects s ON s.id = h.subject_id "
            "ORDER BY h.subject_id"
        ).fetchall()
    return Dataset(state["params"], n_subjects, n_records, size / (1 << 30), [q for q, _ in queries],
                   sorted(m for _, m in queries), [(uscc, public_id) for uscc, public_id in heavy])  # fmt: skip


@contextmanager
def operator_token(url: str) -> Iterator[str]:
    """An operator API token for endpoints that are not public yet; removed afterwards."""
    from panshi.accounts.models import ApiToken
    from panshi.core.security import new_token, token_hash

    token = new_token()
    known = ("token_hash", "role", "label", "created_at")
    with psycopg.connect(url) as conn:
        columns = portal_data.columns_to_fill(conn, ApiToken.__table__, known)
        values = portal_data.row_picker(known, columns)((token_hash(token), "operator", "bench/portal.py",
                                                         datetime.now(UTC)))  # fmt: skip
        marks = ", ".join(["%s"] * len(columns))
        conn.execute(f"INSERT INTO api_tokens ({', '.join(columns)}) VALUES ({marks})", values)
    try:
        yield token
    finally:
        with psycopg.connect(url) as conn:
            conn.execute("DELETE FROM api_tokens WHERE token_hash = %s", (token_hash(token),))


def upgrade_schema(url: str) -> float:
    from panshi.core import migrate
    from panshi.core.db import make_engine

    started = time.perf_counter()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return time.perf_counter() - started


# --- report --------------------------------------------------------------------------------------


def summary(results: list[Result], args: argparse.Namespace) -> Table:
    table = Table(title=f"Public portal: latency in ms at {args.rate:g} requests/s (open loop, {args.duration:g} s), "
                        "and the maximum throughput (closed loop)")  # fmt: skip
    for column in ("endpoint", "p50", "p95", "p99", "max", "errors", "rate/s", f"p95<{TARGET_P95_MS:g}",
                   "max/s (clients)", "p50/p99 at max"):  # fmt: skip
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for result in results:
        steady, best, target = result.steady, result.best, result.endpoint.target_p95_ms
        if steady is None:
            table.add_row(result.endpoint.name, *["—"] * 6, "not built yet", "—", "—")
            continue
        verdict = (
            "—" if target is None else ("[green]met[/]" if steady.ms(0.95) < target else "[red]missed[/]")
        )
        if steady.overloaded:
            verdict = "[red]overloaded[/]"
        at_max = (f"{best.throughput:,.0f} (×{best.clients})", f"{best.ms(0.5):.1f} / {best.ms(0.99):.1f}") if best else ("—", "—")  # fmt: skip
        table.add_row(
            result.endpoint.name + (" *" if result.probe.headers else ""), f"{steady.ms(0.5):.1f}",
            f"{steady.ms(0.95):.1f}", f"{steady.ms(0.99):.1f}", f"{steady.ms(1.0):.1f}", f"{steady.error_count:,}",
            f"{steady.achieved_rate:,.1f}", verdict, *at_max,
        )  # fmt: skip
    return table


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/portal.py run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--scenario", default="all", choices=SCENARIOS)
    parser.add_argument("--path", action="append", default=[], metavar="NAME=TEMPLATE",
                        help="another path for an endpoint, e.g. subject-html=/s/{public_id} ({q}, {code}, {public_id})")  # fmt: skip
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second of the steady run")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of the steady run per endpoint")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds at --rate before it, not counted")
    parser.add_argument("--max-seconds", type=float, default=10.0,
                        help="seconds per level of the maximum-throughput search (0: skip it)")  # fmt: skip
    parser.add_argument("--max-clients", type=int, default=64, help="most concurrent clients tried")
    parser.add_argument(
        "--connections", type=int, default=64, help="connections (senders) of the load generator"
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds before a request counts as failed"
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes (1: `panshi serve` as is)")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--url", default=None, help="measure a server already running here instead")
    parser.add_argument("--start-timeout", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default=portal_data.DEFAULT_DB)
    parser.add_argument("--pg-url", default=portal_data.DEFAULT_PG_URL)
    return parser.parse_args(argv)


def chosen(scenario: str, paths: list[str]) -> list[Endpoint]:
    """The endpoints of a scenario, with the paths given by --path NAME=TEMPLATE instead of the usual."""
    templates = dict(p.split("=", 1) for p in paths)
    unknown = set(templates) - {e.name for e in ENDPOINTS}
    if unknown:
        raise SystemExit(
            f"--path: no endpoint {', '.join(sorted(unknown))}; they are {', '.join(e.name for e in ENDPOINTS)}"
        )
    endpoints = [replace(e, template=templates.get(e.name, e.template)) for e in ENDPOINTS]
    return [e for e in endpoints if scenario in ("all", e.scenario, e.name)]


def run(argv: list[str]) -> None:
    args = parse_args(argv)
    db_url = portal_data.database_url(args.pg_url, args.db)
    data = load_dataset(db_url, args.db)
    m = data.matches
    console.print(
        f"database {args.db}: {data.subjects:,} subjects, {data.records:,} records, {data.size_gib:,.1f} GiB; "
        f"{len(data.heavy):,} subjects with {data.params['heavy_records']} records; {len(data.queries):,} queries "
        f"matching p10/p50/p90/max {percentile(m, 0.1)}/{percentile(m, 0.5)}/{percentile(m, 0.9)}/{percentile(m, 1.0)} "
        f"names (e.g. {', '.join(data.queries[:5])})"
    )  # fmt: skip
    workload = Workload(data.queries, data.heavy, random.Random(args.seed))
    server = None
    if args.url is None:
        console.print(f"schema upgraded to head in {upgrade_schema(db_url):.1f} s")
        server = Server(db_url, args.port or free_port(), args.workers)
        console.print(
            f"server: {shlex.join(server.command)}  (log {server.log}; PANSHI_SEARCH_RATE_LIMIT={RATE_LIMIT_OFF})"
        )
    console.print(f"load: open loop at {args.rate:g}/s for {args.duration:g} s after {args.warmup:g} s of warm-up, "
                  f"httpx {httpx.__version__} with {args.connections} connections, on {os.cpu_count()} cores "
                  f"shared with the server and PostgreSQL")  # fmt: skip
    with operator_token(db_url) as token:
        try:
            if server is not None:
                started = time.perf_counter()
                server.start(args.start_timeout)
                console.print(f"server answered after {time.perf_counter() - started:.1f} s")
            meter = CpuMeter(db_url, args.db, server.process.pid if server and server.process else None)
            try:
                results = run_async(measure(args.url or (server.url if server else ""), chosen(args.scenario, args.path),
                                            workload, token, args, meter))  # fmt: skip
            finally:
                meter.close()
        finally:
            if server is not None:
                server.stop()
    console.print()
    console.print(summary(results, args))
    if any(r.probe.headers for r in results):
        console.print(
            "* not public yet: measured with an operator token (full view, as the endpoint is today)"
        )
    console.print("cpu: share of one core used by the load generator (client), the server's processes and "
                  "the database backends serving it (db)")  # fmt: skip
    p = data.params
    console.print(f"reproduce: scripts/bench portal data --subjects {p['subjects']} --records {p['records']} "
                  f"--heavy {p['heavy']} --seed {p['seed']} --db {args.db} --reuse && "
                  f"scripts/bench portal run {shlex.join(argv)}".rstrip())  # fmt: skip


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["data"]:
        portal_data.main(argv[1:])
    elif argv[:1] == ["run"]:
        run(argv[1:])
    else:
        raise SystemExit("usage: bench/portal.py data [options] | run [options]   (--help after either)")


if __name__ == "__main__":
    main()
