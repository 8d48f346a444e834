"""`panshi demo`: load the 磐石市 demo county through the real ingest path."""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from sqlalchemy.orm import Session

from panshi.access.service import credit_file
from panshi.accounts.service import (
    add_user,
    issue_token,
    list_departments,
    list_users,
    register_department,
    session_principal,
    sign_in,
    sign_out,
)
from panshi.core import migrate
from panshi.core.db import unit_of_work
from panshi.core.timeutil import today_shanghai, utcnow
from panshi.demo.cases import add_demo_cases, enterprise_penalties
from panshi.demo.commitment_rows import COMMITMENT_HEADERS, generate_commitment_rows
from panshi.demo.generator import (
    LICENSE_HEADERS,
    PENALTY_HEADERS,
    generate_license_rows,
    generate_penalty_rows,
    generate_subjects,
    write_csv,
)
from panshi.demo.list_rows import LIST_HEADERS, generate_list_rows
from panshi.demo.receipts import RECEIPT_HEADER, ReceiptClock
from panshi.ingest.receipts import ReceiptTimes
from panshi.ingest.service import Submitter, ingest_file
from panshi.records.service import count_records

DEMO_DIR = Path("var/demo")
SEED = 2026
# Departments send files as they do in real life: GBK from old desktop exports, UTF-8 with BOM
# from Excel's "CSV UTF-8", NDJSON from systems.
_FORMATS = ("gbk", "utf-8-sig", "ndjson")


def load_demo(*, subjects: int, records: int, bad_fraction: float = 0.01) -> None:
    """Generate the county's files under var/demo/, ingest them department by department, add demo accounts."""
    console = Console(stderr=True)
    migrate.upgrade()
    with unit_of_work() as session:
        existing = count_records(session)
    if existing:
        console.print(f"数据库中已有 {existing:,} 条信用记录：跳过演示数据加载（删除 var/ 可重新生成）")
    else:
        _load(subjects=subjects, records=records, bad_fraction=bad_fraction, console=console)
    accounts = add_demo_accounts(console)
    demo_subject = next((a.subject_code for a in accounts if a.role == "subject"), None)
    add_demo_cases(console, skip_subject=demo_subject)


def _load(*, subjects: int, records: int, bad_fraction: float, console: Console) -> None:
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    population = list(generate_subjects(subjects, seed=SEED))
    end = today_shanghai() - timedelta(days=1)
    start = date(end.year - 3, 1, 1)
    licenses = int(records * 0.6)
    # The county's history is migrated from its old platform with the times it received each row
    # (simulated from each department's reporting habit): 公示及时率 is then what it would be.
    clock = ReceiptClock(seed=SEED, now=utcnow())
    streams = {
        "admin_license": (generate_license_rows(population, licenses, seed=SEED, start=start, end=end,
                                                bad_fraction=bad_fraction, receipts=clock),
                          (*LICENSE_HEADERS, RECEIPT_HEADER)),
        "admin_penalty": (generate_penalty_rows(population, records - licenses, seed=SEED, start=start, end=end,
                                                bad_fraction=bad_fraction, receipts=clock),
                          (*PENALTY_HEADERS, RECEIPT_HEADER)),
    }  # fmt: skip
    files: list[tuple[str, Path, tuple[str, str]]] = []
    penalties: list[dict[str, str]] = []  # what 信用修复型 commitments refer to
    for record_type, (rows, headers) in streams.items():
        by_department: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in rows:
            by_department[row["数据来源单位"]].append(row)
        if record_type == "admin_penalty":
            penalties = [row for dept_rows in by_department.values() for row in dept_rows]
        for i, (department, dept_rows) in enumerate(sorted(by_department.items())):
            # The department's code is what most of its rows say (a few demo rows carry broken codes).
            uscc = Counter(r["数据来源单位统一社会信用代码"] for r in dept_rows).most_common(1)[0][0]
            files.append(
                (record_type, _write(record_type, i, department, dept_rows, headers), (department, uscc))
            )
    _ingest_all(files, console)
    # Red and black lists (联合奖惩): the listing authorities include courts and customs, which the
    # operator import registers on first sight.
    lists = generate_list_rows(population, seed=SEED, today=end, bad_fraction=bad_fraction)
    _import("list_entry", "红黑名单", _write("list_entry", 0, "名单", list(lists), LIST_HEADERS), console)
    # Credit commitments (信用承诺), before the evaluation so that grades count the assessed ones; the
    # 信用修复型 ones refer to the penalties above.
    commitments = generate_commitment_rows(
        population, seed=SEED, today=end, bad_fraction=bad_fraction, penalties=penalties
    )
    path = _write("credit_commitment", 0, "信用承诺", list(commitments), COMMITMENT_HEADERS)
    _import("credit_commitment", "信用承诺", path, console)
    from panshi.evaluation.runs import run as evaluate

    graded = evaluate(actor="cli:demo")
    console.print(f"公共信用综合评价：{graded.done:,} 个主体（{', '.join(graded.models)}）")
    with unit_of_work(write=True) as session:
        token = issue_token(session, role="operator", label="demo operator")
    (DEMO_DIR / "operator-token.txt").write_text(token + "\n", encoding="utf-8")
    console.print(f"运营人员 API 令牌（operator token）已写入 {DEMO_DIR / 'operator-token.txt'}")
    # A government system that checks subjects before it acts (联合奖惩核查), e.g. tendering at 住建局.
    with unit_of_work(write=True) as session:
        checker = next((d for d in list_departments(session) if QUERYING_DEPARTMENT in d.name), None)
        if checker is not None:
            token = issue_token(
                session, role="government", department_id=checker.id, label="demo check system"
            )
            (DEMO_DIR / "government-token.txt").write_text(token + "\n", encoding="utf-8")
            console.print(
                f"{checker.name}核查系统 API 令牌（government token）已写入 {DEMO_DIR / 'government-token.txt'}"
            )


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


def _import(record_type: str, label: str, path: Path, console: Console) -> None:
    """An operator import of one file (its departments registered on first sight), summed up in a line."""
    with unit_of_work(write=True) as session:
        result = ingest_file(session, path=path, record_type=record_type,
                             submitter=Submitter(channel="cli", actor="cli:demo"))  # fmt: skip
    console.print(
        f"{label}：收到 {result.received:,} 行，入库 {result.accepted:,} 条，拒收 {result.rejected:,} 行"
    )


def _ingest_all(files: list[tuple[str, Path, tuple[str, str]]], console: Console) -> None:
    totals: defaultdict[str, int] = defaultdict(int)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("导入演示数据", total=len(files))
        for record_type, path, (name, uscc) in files:
            with unit_of_work(write=True) as session:
                # The operator migrates each department's history from the old platform: its own rows
                # only, with the (simulated) times the old platform received them.
                department = register_department(session, name=name, uscc=uscc)
                submitter = Submitter(channel="cli", actor="cli:demo", department_id=department.id,
                                      department_uscc=department.uscc, operator=True)  # fmt: skip
                result = ingest_file(session, path=path, record_type=record_type, submitter=submitter,
                                     receipts=ReceiptTimes(column=RECEIPT_HEADER))  # fmt: skip
            for key in ("received", "accepted", "rejected", "warnings"):
                totals[key] += getattr(result, key)
            progress.advance(task)
    console.print(
        f"演示数据（存量数据迁移，原平台接收时间为模拟值）：{len(files)} 个文件，收到 {totals['received']:,} 行，"
        f"入库 {totals['accepted']:,} 条，"
        f"拒收 {totals['rejected']:,} 行（示例错误报告：panshi batch errors <批次号>）"
    )


# --- demo accounts -------------------------------------------------------------------------------

ACCOUNTS_FILE = DEMO_DIR / "accounts.txt"
MARKET_DEPARTMENT = "市场监督管理局"
QUERYING_DEPARTMENT = "住房和城乡建设局"
DEMO_PURPOSE = "建设工程招标投标资格审查：核查投标企业的行政处罚和许可情况"


@dataclasses.dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str  # "" when an earlier run created the account (its password is in that run's file)
    role: str
    display_name: str
    department_id: int | None = None
    bound_to: str = ""  # its department's or its subject's name
    subject_code: str | None = None

    def line(self) -> str:
        bound = self.bound_to
        return "\t".join((self.username, self.password or "（此前已创建）", self.role, bound))


def add_demo_accounts(console: Console) -> list[DemoAccount]:
    """One account of each role on the demo county (once), written to var/demo/accounts.txt and printed.

    The subject account is an enterprise with penalties; the government account queries its file once
    with a purpose, so that the subject's query log (被查询记录) has something to show."""
    known = _known_passwords()
    with unit_of_work(write=True) as session:
        existing = {u.username for u in list_users(session)}
        wanted = _wanted(session)
        accounts = []
        for account in wanted:
            if account.username in existing:
                accounts.append(_with_password(account, known.get(account.username, "")))
                continue
            password = secrets.token_urlsafe(9)
            add_user(
                session, username=account.username, password=password, role=account.role,
                display_name=account.display_name, department_id=account.department_id,
                subject_code=account.subject_code,
            )  # fmt: skip
            accounts.append(_with_password(account, password))
            if account.role == "subject" and account.subject_code:
                government = next((a for a in accounts if a.role == "government"), None)
                if government and government.password:
                    _query_as(session, government, account.subject_code)
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    header = "# 磐石演示账号：用户名、密码、角色、所属单位或信用主体。登录页面 /login。仅供演示。\n"
    ACCOUNTS_FILE.write_text(header + "".join(a.line() + "\n" for a in accounts), encoding="utf-8")
    ACCOUNTS_FILE.chmod(0o600)
    console.print(f"演示账号（网页登录 /login）已写入 {ACCOUNTS_FILE}：")
    for account in accounts:
        console.print(f"  {account.line()}", markup=False, highlight=False)
    return accounts


def _wanted(session: Session) -> list[DemoAccount]:
    """The demo accounts this database can have: departments and an enterprise with records are needed."""
    departments = list_departments(session)
    wanted = [DemoAccount("demo-operator", "", "operator", "演示运营人员")]
    if not departments:
        return wanted
    market = next((d for d in departments if MARKET_DEPARTMENT in d.name), departments[0])
    others = [d for d in departments if d.id != market.id]
    querying = next((d for d in others if QUERYING_DEPARTMENT in d.name), others[0] if others else None)
    wanted.append(DemoAccount("demo-dept", "", "department", "市场监管数据报送员", market.id, market.name))
    if querying is not None:
        wanted.append(
            DemoAccount("demo-gov", "", "government", "招投标资格审查员", querying.id, querying.name)
        )
    enterprise = _enterprise_with_penalties(session, department_id=market.id)
    if enterprise is not None:
        code, name = enterprise
        wanted.append(
            DemoAccount("demo-subject", "", "subject", name, bound_to=f"{name}（{code}）", subject_code=code)
        )
    return wanted


def _enterprise_with_penalties(session: Session, *, department_id: int) -> tuple[str, str] | None:
    """An enterprise (USCC 91…) with a penalty of `department_id` in publicity, its USCC and name: one
    whose minimum publicity period has passed where there is one, so that the demo subject can both
    object (异议) and apply for repair (信用修复) to a department the demo department account works for."""
    fallback = None
    for found in enterprise_penalties(session, department_id=department_id):
        fallback = fallback or (found.subject_code, found.subject_name)
        if found.repairable:
            return found.subject_code, found.subject_name
    return fallback


def _query_as(session: Session, account: DemoAccount, code: str) -> None:
    """Sign in as `account`, read the subject's file with a purpose (logged) and sign out again."""
    token = sign_in(session, username=account.username, password=account.password)
    who = session_principal(session, token)
    if who is not None:
        credit_file(session, who=who, code=code, purpose=DEMO_PURPOSE, channel="web")
    sign_out(session, token)


def _with_password(account: DemoAccount, password: str) -> DemoAccount:
    return dataclasses.replace(account, password=password)


def _known_passwords() -> dict[str, str]:
    """Passwords an earlier run wrote (the database keeps only their hashes)."""
    if not ACCOUNTS_FILE.exists():
        return {}
    known = {}
    for line in ACCOUNTS_FILE.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if not line.startswith("#") and len(parts) >= 2 and parts[1] != "（此前已创建）":
            known[parts[0]] = parts[1]
    return known
