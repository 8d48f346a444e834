"""Catalog documents published at the city flow down with its feed and are installed at the county;
one the county cannot take is noted on its message and refuses nothing else."""

from __future__ import annotations

from sqlalchemy import select

from catalog.helpers import NEW, fresh_snapshots, sanctions_files, with_extra_measure
from exchange.conftest import CHILD, PARENT, Tiers, direct_fetch, serving
from panshi.catalog import documents, installed
from panshi.catalog.documents import Document
from panshi.core.db import unit_of_work
from panshi.exchange.client import pull_from
from panshi.exchange.models import ExchangeMessage
from panshi.sanctions import catalog as sanctions_catalog

__all__ = ["fresh_snapshots"]


def _publish_at_city(tiers: Tiers, files: dict[str, str]) -> None:
    with serving(tiers.parent), unit_of_work(tiers.parent, write=True) as s:
        assert documents.publish(s, documents=[Document("sanctions", NEW, files)]).posted


def _county_pulls(tiers: Tiers) -> int:
    result = pull_from(PARENT, fetch=direct_fetch(tiers.parent, reader=CHILD), engine=tiers.child)
    assert result.refused == []
    installed.forget()
    return result.applied_batches


def _document_messages(tiers: Tiers) -> list[ExchangeMessage]:
    with unit_of_work(tiers.child) as s:
        found = select(ExchangeMessage).where(
            ExchangeMessage.kind == "document", ExchangeMessage.received_from == PARENT
        )
        return list(s.scalars(found))


def test_a_measures_version_published_at_the_city_is_used_at_the_county(tiers: Tiers) -> None:
    assert sanctions_catalog.load().version != NEW
    _publish_at_city(tiers, sanctions_files(measures=with_extra_measure))
    assert _county_pulls(tiers) == 1
    [message] = _document_messages(tiers)
    assert (message.outcome, message.origin_region, message.feed) == ("handled", PARENT, "down")
    catalog = sanctions_catalog.load()  # the county's database is the platform's
    assert catalog.version == NEW and "P99" in catalog.measures
    assert _county_pulls(tiers) == 0 and len(_document_messages(tiers)) == 1


def test_a_version_the_county_holds_with_other_content_is_noted_and_the_feed_goes_on(tiers: Tiers) -> None:
    with unit_of_work(tiers.child, write=True) as s:  # the county has its own 2026.2 already
        documents.publish(s, documents=[Document("sanctions", NEW, sanctions_files())])
    _publish_at_city(tiers, sanctions_files(measures=with_extra_measure))
    assert _county_pulls(tiers) == 1  # the batch applies: a document cannot hold the feed up
    [message] = _document_messages(tiers)
    assert message.outcome == "failed" and NEW in (message.note or "")
    assert "P99" not in sanctions_catalog.load().measures
