"""Each peer's lag: its latest sequence seen against ours applied."""

from __future__ import annotations

from sqlalchemy.orm import Session

from panshi.exchange import repository
from panshi.exchange.schemas import NodeOut, PeerStatus


def peer_statuses(session: Session) -> list[PeerStatus]:
    """The registered peers with how far behind their feed this node is."""
    cursors = repository.cursors(session)
    out = []
    for peer in repository.peers(session):
        cursor = cursors.get(peer.region_code)
        applied, latest = (cursor.applied_seq, cursor.latest_seq) if cursor else (0, 0)
        out.append(
            PeerStatus(
                node=NodeOut.model_validate(peer), applied_seq=applied, latest_seq=latest,
                lag=max(latest - applied, 0), last_sync_at=cursor.updated_at if cursor else None,
            )
        )  # fmt: skip
    return out
