"""`panshi check CODE --scenario S` and `panshi lists types|measures|scenarios` for operators."""

from __future__ import annotations

import getpass
import json

import typer
from rich.console import Console
from rich.table import Table

from panshi.accounts.schemas import Principal, Role
from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError

lists_app = typer.Typer(help="红黑名单与措施清单 Lists and measures.", no_args_is_help=True)


def check(
    subject: str = typer.Argument(..., help="统一社会信用代码、旧代码、身份证号码，或主体的完整名称"),
    scenario: str = typer.Option(
        ..., "--scenario", "-s", help="应用场景代码或名称（panshi lists scenarios）"
    ),
    purpose: str = typer.Option("运维核查（命令行）", "--purpose", help="核查事由，记入核查记录"),
    case_reference: str = typer.Option("CLI", "--case", help="业务编号"),
    as_json: bool = typer.Option(False, "--json", help="Print the answer and receipt as JSON"),
) -> None:
    """Check a subject in a scenario as an operator: its lists now, the measures to apply, and a receipt (logged)."""
    from panshi.sanctions.schemas import CheckIn
    from panshi.sanctions.service import check as run_check

    who = Principal(role=Role.operator, actor=f"cli:{getpass.getuser()}", display_name="命令行运维")
    body = CheckIn(subject=subject, scenario=scenario, purpose=purpose, case_reference=case_reference)
    try:
        with unit_of_work(write=True) as session:
            out = run_check(session, who=who, body=body, channel="cli")
    except PanshiError as exc:
        candidates = getattr(exc, "candidates", [])
        if as_json:
            typer.echo(json.dumps({"error": exc.code, "message": exc.message,
                                   "candidates": [c.model_dump() for c in candidates]}, ensure_ascii=False))  # fmt: skip
        else:
            err = Console(stderr=True)
            err.print(f"[red]{exc.message}[/]")
            for c in candidates:
                err.print(
                    f"  {c.score:>5.2f}  {c.name}  {c.uscc or c.code}  {c.region_name or ''}  （{c.why}）"
                )
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    a, console = out.answer, Console()
    console.print(f"[bold]{a.subject.name}[/]  {a.subject.kind_label}  {a.subject.uscc or a.subject.id_number or ''}"
                  f"  · 场景：{a.scenario.name}  · {a.resolution.why}")  # fmt: skip
    if a.grade:
        console.print(
            f"公共信用综合评价：[bold]{a.grade.grade} {a.grade.grade_label}[/]（{a.grade.model}，{a.grade.as_of}）"
        )
    else:
        console.print("[dim]尚无公共信用综合评价结果[/]")
    if not a.lists:
        console.print("[green]未在任何红黑名单中[/]")
    else:
        table = Table("名单", "类别", "认定单位", "文书号", "列入日期", "移出日期")
        for h in a.lists:
            end = f"{h.end_date}" + ("（默认期限）" if h.end_by_default else "")
            table.add_row(
                h.list_name, h.list_kind_label, h.authority, h.decision_number, str(h.start_date), end
            )
        console.print(table)
    for m in a.measures:
        console.print(f"  [bold]{m.code}[/] {m.name}（{m.kind_label}）：{m.content}")
    for w in a.withheld_measures:
        console.print(f"  [dim]{w.code} {w.name}：不适用，{w.why}[/]")
    r = out.receipt
    console.print(
        f"回执 {r.check_id} · {r.checked_at:%Y-%m-%d %H:%M:%S} UTC · {r.data_version} · sha256 {r.answer_sha256}"
    )


@lists_app.command("types")
def list_types(as_json: bool = typer.Option(False, "--json")) -> None:
    """Print the list types: red or black, who may list, default duration, public or not, legal basis."""
    from panshi.sanctions.catalog import load

    catalog = load()
    if as_json:
        typer.echo(
            json.dumps([t.model_dump() for t in catalog.list_types.values()], ensure_ascii=False, indent=2)
        )
        return
    table = Table(
        "代码", "名称", "类别", "认定部门", "默认期限", "公开", "依据", title=f"名单类型（{catalog.version}）"
    )
    for t in catalog.list_types.values():
        by = "、".join(catalog.department_kinds[k].label for k in t.listed_by)
        table.add_row(t.code, t.name, t.kind_label, by, f"{t.duration_months} 个月", "是" if t.public else "否",
                      "\n".join(t.legal_basis))  # fmt: skip
    Console().print(table)


@lists_app.command("measures")
def measures(
    scenario: str | None = typer.Option(None, "--scenario", "-s", help="Only the measures of this scenario"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Print the measures catalog (措施清单): lists, scenarios, implementing departments, legal basis."""
    from panshi.sanctions.catalog import load
    from panshi.sanctions.service import scenario_of

    catalog = load()
    chosen = scenario_of(catalog, scenario).code if scenario else None
    rows = [m for m in catalog.measures.values() if chosen is None or chosen in m.scenarios]
    if as_json:
        typer.echo(json.dumps([m.model_dump() for m in rows], ensure_ascii=False, indent=2))
        return
    table = Table(
        "代码", "措施", "类别", "名单", "场景", "实施部门", "依据", title=f"措施清单（{catalog.version}）"
    )
    for m in rows:
        table.add_row(
            m.code, m.name, m.kind_label, "、".join(catalog.list_types[c].name for c in m.list_types),
            "、".join(catalog.scenarios[s].name for s in m.scenarios), "、".join(m.departments), "\n".join(m.legal_basis),
        )  # fmt: skip
    Console().print(table)


@lists_app.command("scenarios")
def scenarios() -> None:
    """Print the scenarios a check may name."""
    from panshi.sanctions.catalog import load

    for s in load().scenarios.values():
        typer.echo(f"{s.code}\t{s.name}")
