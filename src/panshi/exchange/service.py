"""What other domains ask of the exchange: a message to another node along the tiers (messages.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from panshi.exchange import messages, repository


def post_message(session: Session, *, kind: str, target: str | None, body: dict[str, Any]) -> str:
    """Send `body` to the node `target` (None: every node below this one) with the next batch of the
    feed that leads there; the message's uid."""
    return messages.post(session, kind=kind, target=target, body=body).uid


def reaches_home(session: Session, home: str) -> bool:
    """Whether a request can travel from this node to the record home `home` (see messages.reaches)."""
    own = repository.own_node(session)
    return own is not None and messages.reaches(own, home)


def own_region(session: Session) -> str | None:
    """This node's region code; None while it takes no part in the exchange (no `panshi node init`)."""
    own = repository.own_node(session)
    return own.region_code if own is not None else None
