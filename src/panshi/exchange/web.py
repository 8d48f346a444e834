"""The console's exchange page: this node, each peer's lag, and the exchange log (operators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from panshi.accounts.schemas import Principal
from panshi.api.deps import ReadSession
from panshi.api.web import render
from panshi.console.pages import OPERATOR, page
from panshi.exchange import repository
from panshi.exchange.messages import KIND_NAMES
from panshi.exchange.nodes import LEVEL_NAMES, LINKS, RELATION_NAMES
from panshi.exchange.status import peer_statuses

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Operator = Annotated[Principal, Depends(page(*OPERATOR))]
OUTCOME_NAMES = {"served": "已提供", "pushed": "已推送", "applied": "已应用", "replay": "重复（忽略）",
                 "gap": "缺批次（补取）", "refused": "拒收"}  # fmt: skip
FEED_NAMES = {"up": "上行", "down": "下行"}
MESSAGE_OUTCOMES = {"handled": "已办理", "failed": "未办理"}
MESSAGES_SHOWN = 50


@router.get("/console/exchange")
def exchange_page(
    request: Request,
    _who: Operator,
    session: ReadSession,
    peer: Annotated[str, Query(max_length=6, pattern=r"^\d{0,6}$")] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Any:
    """节点交换: this node, its peers with their lag, the newest messages and exchange log entries."""
    own = repository.own_node(session)
    return render(
        request, "console/exchange.html", own=own, statuses=peer_statuses(session) if own else [],
        log=repository.log_entries(session, peer_region=peer or None, limit=limit), peer=peer,
        messages=repository.messages(session, limit=MESSAGES_SHOWN) if own else [], message_kinds=KIND_NAMES,
        level_names=LEVEL_NAMES, relation_names=RELATION_NAMES, link_names=LINKS, outcome_names=OUTCOME_NAMES,
        feed_names=FEED_NAMES, message_outcomes=MESSAGE_OUTCOMES,
    )  # fmt: skip
