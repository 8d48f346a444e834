"""Cases about records homed at another node (DESIGN §3.8: nothing is edited in two places).

A node may decide an objection or a repair about a record it holds as a replica (a county's record
seen at the province, a province's list entry seen at a county). The step that would change the record
travels instead to the record's home node as a request (an exchange message): the home checks that
the decision was taken on the version it holds, makes the change there as its own (with a history
event naming the deciding node and case), and answers. The change itself comes back through the feeds
like any other; the answer moves the waiting case on (`at_home` → corrected, withdrawn, approved) or
returns it, with the home's reason, to the state it was decided in.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from panshi.accounts.schemas import Principal, Role
from panshi.cases import repository
from panshi.cases.models import Case
from panshi.cases.schemas import DecisionIn
from panshi.cases.workflow import (
    ACTION_LABELS,
    AT_HOME,
    EDGES,
    KIND_LABELS,
    RECORD_STEPS,
    move,
    record_effect,
)
from panshi.core.errors import PanshiError
from panshi.core.timeutil import utcnow
from panshi.exchange import service as exchange
from panshi.identifiers.regions import region_name
from panshi.records import service as records


class HomeRequestRefused(PanshiError):
    """A request the home node does not carry out; the deciding node hears why."""

    code = "home_request_refused"
    status_code = 409


def ask_home(
    session: Session, *, case: Case, record: Any, who: Principal, decision: DecisionIn, reason: str
) -> str:
    """Send the decision to the record's home node; the case waits for its answer. The request's uid."""
    body = {
        "case": case.id, "kind": case.kind, "action": decision.action,
        "record": [record.record_type, record.natural_key], "version": record.version,
        "corrections": decision.corrections or {}, "reason": reason, "actor": who.actor,
        "actor_name": who.display_name, "decided_at": utcnow().isoformat(),
    }  # fmt: skip
    uid = exchange.post_message(session, kind="case_request", target=record.home_region, body=body)
    case.home_request = uid
    session.flush()
    return uid


def answer_home_request(session: Session, body: dict[str, Any], *, origin: str) -> dict[str, Any]:
    """Carry out, as this record's home node, a decision taken at node `origin`; the answer to send back.
    A request this node cannot carry out raises HomeRequestRefused (nothing changed)."""
    try:
        case_id, kind, action = int(body["case"]), str(body["kind"]), str(body["action"])
        record_type, natural_key = (str(v) for v in body["record"])
        version, reason, actor = int(body["version"]), str(body["reason"]), str(body["actor"])
        corrections = body.get("corrections") or {}
        if action not in EDGES.get(kind, {}).get(AT_HOME, {}) or action not in RECORD_STEPS:
            raise ValueError(f"{kind}/{action}")
        if not isinstance(corrections, dict):
            raise TypeError("corrections")
    except (KeyError, TypeError, ValueError) as exc:
        raise HomeRequestRefused(f"请求内容不完整或有误：{exc}") from None
    record = records.by_natural_key(session, record_type, natural_key)
    if record is None:
        raise HomeRequestRefused(f"本节点没有记录 {record_type} {natural_key}")
    if record.home_region is not None:
        raise HomeRequestRefused(f"记录 {natural_key} 不归属本节点（归属 {record.home_region}）")
    if record.version != version:
        raise HomeRequestRefused(
            f"记录 {natural_key} 在归属节点已是第 {record.version} 版，决定依据的是第 {version} 版：请依据最新版本重新决定"
        )
    deciding = f"{region_name(origin) or origin}（{origin}）"
    note = f"{deciding}{KIND_LABELS[kind]} #{case_id}：{reason}"
    record_effect(
        session, record_id=record.id, record_type=record_type, action=action, corrections=corrections,
        actor=f"node:{origin}:{actor}"[:200], note=note,
    )  # fmt: skip
    return {
        "outcome": "applied", "case": case_id, "action": action, "version": record.version,
        "message": f"已由归属节点办理（{ACTION_LABELS[action]}），记录现为第 {record.version} 版",
    }  # fmt: skip


def take_home_reply(session: Session, body: dict[str, Any], *, origin: str) -> str:
    """The home node's answer to a request of a case here: the case takes the step, or goes back."""
    case = repository.by_home_request(session, str(body.get("request", "")))
    if case is None or case.state != AT_HOME:
        raise HomeRequestRefused(f"没有等待此答复的案件（请求 {body.get('request')!r}）")
    home = f"归属节点 {region_name(origin) or origin}（{origin}）"
    who = Principal(role=Role.operator, actor=f"node:{origin}", display_name=home)
    message = str(body.get("message", ""))[:500]
    if body.get("outcome") == "applied":
        action = str(body.get("action"))
        reason = f"{home}已办理：{message}"
    else:
        action, reason = "return", f"{home}未予办理：{message}"
    move(session, case=case, who=who, action=action, reason=reason, expected=None, by_home=True)
    return f"{KIND_LABELS[case.kind]} #{case.id}：{reason}"
