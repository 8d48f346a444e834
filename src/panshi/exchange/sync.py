"""One round of exchange with every enabled peer: pull the feed it offers us, push ours where it
cannot reach us (the peer's `link`). What `panshi sync` runs once and `panshi serve` runs on a timer."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError
from panshi.exchange import repository
from panshi.exchange.client import PullResult, http_fetch, http_post, peer_client, pull_from, push_to

log = logging.getLogger("panshi.exchange")


@dataclass
class PeerSync:
    """What one round did with one peer: what we applied of its feed, what it applied of ours."""

    peer: str
    relation: str
    pulled: PullResult | None = None
    pushed: PullResult | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return bool(
            self.error or (self.pulled and self.pulled.refused) or (self.pushed and self.pushed.refused)
        )


def linked_peers(engine: Engine | None = None) -> list[tuple[str, str, str]]:
    """(region, relation, link) of the enabled peers this node exchanges with; none before `node init`."""
    with unit_of_work(engine) as session:
        if repository.own_node(session) is None:
            return []
        return [(p.region_code, p.relation, p.link) for p in repository.peers(session) if p.enabled]


def sync_peers(*, only: str | None = None, engine: Engine | None = None) -> list[PeerSync]:
    """Pull from (and push to, where the link says so) every enabled peer, or only `only`, until caught
    up; a peer that cannot be reached or refuses is reported and tried again next round."""
    results = []
    for region, relation, link in linked_peers(engine):
        if link == "wait" or (only and region != only):  # a `wait` peer connects to us
            continue
        done = PeerSync(peer=region, relation=relation)
        try:
            with peer_client(region, engine=engine) as http:
                done.pulled = pull_from(
                    region, fetch=http_fetch(region, engine=engine, client=http), engine=engine, prefetch=True
                )
                if link == "push":
                    done.pushed = push_to(
                        region, post=http_post(region, engine=engine, client=http), engine=engine
                    )
        except PanshiError as exc:
            done.error = exc.message
        results.append(done)
        _log(done)
    return results


def _log(done: PeerSync) -> None:
    if done.error:
        log.warning("exchange %s: %s", done.peer, done.error)
    for verb, result in (("pulled", done.pulled), ("pushed", done.pushed)):
        if result is None:
            continue
        if result.applied_batches:
            log.info(
                "exchange %s %s: %d batches applied (%d new, %d updated records), at %d of %d",
                verb, done.peer, result.applied_batches, result.new, result.updated, result.applied_seq,
                result.latest_seq,
            )  # fmt: skip
        for refusal in result.refused:
            log.warning("exchange %s %s refused %s", verb, done.peer, refusal)


def summary(results: list[PeerSync]) -> str:
    """One line for the scheduler's log."""
    if not results:
        return "nothing to do: node not initialised, or no enabled peer to connect to"
    parts = []
    for r in results:
        if r.error:
            parts.append(f"{r.peer} unreachable")
            continue
        pulled = r.pulled.applied_batches if r.pulled else 0
        pushed = r.pushed.applied_batches if r.pushed else 0
        refused = len(r.pulled.refused if r.pulled else []) + len(r.pushed.refused if r.pushed else [])
        parts.append(
            f"{r.peer} +{pulled} in"
            + (f"/{pushed} out" if r.pushed else "")
            + (f" {refused} refused" if refused else "")
        )
    return "; ".join(parts)
