"""Whatever order and repetition the batches arrive in, the pull loop ends in the county's state."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import _empty
from exchange.conftest import CHILD, Tiers, link
from exchange.test_flow import publish_all, state
from factories import ingest, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings
from panshi.exchange.client import pull_from
from panshi.exchange.repository import cursors
from panshi.exchange.schemas import FeedPage, WireBatch


@pytest.fixture
def published(tiers: Tiers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[WireBatch]:
    monkeypatch.setenv("PANSHI_EXCHANGE_BATCH_CHANGES", "2")
    get_settings.cache_clear()
    ingest(write_csv(tmp_path / "a.csv", [penalty_row(n) for n in range(1, 6)]))
    ingest(write_csv(tmp_path / "b.csv", [penalty_row(2, **{"处罚内容": "更正"}), penalty_row(9)]))
    return publish_all(tiers.child)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_permutation_or_duplication_of_delivered_batches_yields_the_same_state(
    tiers: Tiers, published: list[WireBatch], data: st.DataObject
) -> None:
    assert len(published) >= 3
    _empty(tiers.parent)
    link_parent_again(tiers)
    latest = published[-1].seq

    def fetch(after: int, limit: int) -> FeedPage:
        remaining = [b for b in published if b.seq > after]
        delivered = list(data.draw(st.permutations(remaining)))
        for extra in data.draw(st.lists(st.sampled_from(published), max_size=4)):
            delivered.insert(data.draw(st.integers(0, len(delivered))), extra)
        return FeedPage(origin=CHILD, latest_seq=latest, batches=delivered)

    result = pull_from(CHILD, fetch=fetch, engine=tiers.parent)
    assert (result.applied_seq, result.lag, result.refused) == (latest, 0, [])
    assert state(tiers.parent) == state(tiers.child)
    with unit_of_work(tiers.parent) as s:
        assert cursors(s)[CHILD].applied_seq == latest


def link_parent_again(tiers: Tiers) -> None:
    """The parent's database was emptied: set it up again (its key file is kept and reused)."""
    link(tiers.child, tiers.parent, child_exists=True)
