"""What the throughput work must not change: a pull that asks for the next page while applying this
one, and a feed read in windows of history, deliver exactly what the plain ones do."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import _empty
from exchange.conftest import CHILD, Tiers
from exchange.test_flow import publish_all, state
from exchange.test_properties import link_parent_again
from factories import ingest, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings
from panshi.exchange import client, feed
from panshi.exchange.client import pull_from
from panshi.exchange.repository import cursors
from panshi.exchange.schemas import FeedPage, WireBatch
from panshi.records import repository as records_repository


@pytest.fixture
def published(tiers: Tiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[WireBatch]:
    monkeypatch.setenv("PANSHI_EXCHANGE_BATCH_CHANGES", "2")
    get_settings.cache_clear()
    ingest(write_csv(tmp_path / "a.csv", [penalty_row(n) for n in range(1, 8)]))
    ingest(write_csv(tmp_path / "b.csv", [penalty_row(2, **{"处罚内容": "更正"}), penalty_row(9)]))
    return publish_all(tiers.child)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), page=st.integers(1, 3))
def test_a_prefetching_pull_applies_each_batch_once_in_order_whatever_the_pages(
    tiers: Tiers, published: list[WireBatch], seed: int, page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages that skip a batch (a gap), repeat one, or come short: what was asked for ahead is used
    only when it follows what was applied, and one request is in flight at a time."""
    _empty(tiers.parent)
    link_parent_again(tiers)
    monkeypatch.setattr(client, "PAGE", page)
    latest, rng = published[-1].seq, random.Random(seed)
    in_flight, calls = threading.Semaphore(1), list[bool]()

    def fetch(after: int, limit: int) -> FeedPage:
        assert in_flight.acquire(blocking=False), "two requests at once"
        try:
            batches = [b for b in published if b.seq > after][:limit]
            # Never two of three calls in a row: the page asked for ahead of a spoiled one is dropped
            # unanswered, so spoiling every other call would starve the pull (it gives up, rightly).
            spoil = not any(calls[-2:]) and rng.random() < 0.5
            if spoil and len(batches) > 1 and rng.random() < 0.5:
                batches.pop(0)  # a gap: refused, asked for again
            elif spoil and batches:
                batches.insert(0, rng.choice(published))  # a replay or a gap
            calls.append(spoil)
            return FeedPage(origin=CHILD, latest_seq=latest, batches=batches)
        finally:
            in_flight.release()

    result = pull_from(CHILD, fetch=fetch, engine=tiers.parent, prefetch=True)
    assert (result.applied_seq, result.lag, result.refused) == (latest, 0, [])
    assert result.applied_batches == latest
    assert state(tiers.parent) == state(tiers.child)
    with unit_of_work(tiers.parent) as s:
        assert cursors(s)[CHILD].applied_seq == latest


def test_the_feed_read_in_small_windows_is_the_feed_read_at_once(
    tiers: Tiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(write_csv(tmp_path / "a.csv", [penalty_row(n) for n in range(1, 12)]))
    ingest(write_csv(tmp_path / "b.csv", [penalty_row(3, **{"处罚内容": "更正"}), penalty_row(20)]))
    with unit_of_work(tiers.child, write=True) as s:
        upto = feed.feed_horizon(s)
    with unit_of_work(tiers.child) as s:
        whole = records_repository.changes_after(
            s, after=0, upto=upto, own_region=CHILD, area_prefix=CHILD, limit=1000
        )
        monkeypatch.setattr(records_repository, "FEED_WINDOW", 1)
        for limit in (1, 2, 5, 1000):
            for after in (0, 3, upto - 1):
                windowed = records_repository.changes_after(
                    s, after=after, upto=upto, own_region=CHILD, area_prefix=CHILD, limit=limit
                )
                expected = [r for r in whole if r["h_id"] > after][:limit]
                assert [dict(r) for r in windowed] == [dict(r) for r in expected]
    assert len(whole) == 13


def test_pages_stop_at_their_byte_budget_but_carry_at_least_one_batch(
    tiers: Tiers, published: list[WireBatch], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed, "PAGE_BYTES", 1)
    with unit_of_work(tiers.child) as s:
        assert [b.seq for b in feed.feed_page(s, after=0, limit=100).batches] == [1]
    monkeypatch.setattr(feed, "PAGE_BYTES", len(published[0].body) + 1)
    with unit_of_work(tiers.child) as s:
        assert [b.seq for b in feed.feed_page(s, after=0, limit=100).batches] == [1, 2]
