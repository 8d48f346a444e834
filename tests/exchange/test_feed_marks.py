"""The down feed reads the history past its last batch once: what held nothing for it is not read again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from exchange.conftest import CHILD, PARENT, Tiers, direct_fetch, serving
from exchange.test_sync import CITY_COURT
from factories import ingest, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.exchange import feed, homes, repository
from panshi.exchange.client import pull_from
from sanctions.helpers import entry_row


def test_the_down_feed_reads_on_from_where_it_found_nothing(
    tiers: Tiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    original = homes.feed_changes

    def counted(session: Any, which: Any, own: Any, *, after: int, upto: int, limit: int) -> Any:
        if which == "down":
            reads.append(after)
        return original(session, which, own, after=after, upto=upto, limit=limit)

    monkeypatch.setattr(feed, "feed_changes", counted)
    with serving(tiers.parent):
        ingest(write_csv(tmp_path / "p.csv", [penalty_row(n) for n in range(1, 21)]))  # stays at the city
    assert feed.publish_pending("down", engine=tiers.parent) == 0
    with unit_of_work(tiers.parent) as s:
        horizon = feed.feed_horizon(s)
        assert horizon >= 20 and repository.scanned_upto(s, "down", after=0) == horizon
    assert reads == [0]
    assert feed.publish_pending("down", engine=tiers.parent) == 0
    assert reads == [0, horizon]  # the second time from where the first found nothing
    with serving(tiers.parent):
        ingest(write_csv(tmp_path / "l.csv", [entry_row(1, **CITY_COURT)]), "list_entry")
    result = pull_from(PARENT, fetch=direct_fetch(tiers.parent, reader=CHILD), engine=tiers.child)
    assert (result.new, result.refused) == (1, [])  # what comes after the mark still flows down
    with unit_of_work(tiers.parent) as s:
        last = repository.last_published(s, "down")
        assert last is not None and last.first_history_id > horizon
