"""Two nodes in one test: the child (county 磐石市 220284) is the platform's database of the `engine`
fixture; the parent (city 吉林市 220200) is a second database of the same engine, migrated once."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from conftest import PG_ADMIN_URL, _empty
from panshi.api.app import create_app
from panshi.core import db as core_db
from panshi.core import migrate
from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings
from panshi.exchange.client import Fetch, http_fetch, pull_from
from panshi.exchange.nodes import add_peer, init_node
from panshi.exchange.schemas import FeedPage

CHILD, PARENT = "220284", "220200"


@pytest.fixture(scope="session")
def second_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = core_db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('parent') / 'parent.sqlite3'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def second_postgres(pg_url: str) -> Iterator[Engine]:
    name = f"panshi_parent_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = core_db.make_engine(make_url(pg_url).set(database=name).render_as_string(hide_password=False))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def parent_engine(engine: Engine, request: pytest.FixtureRequest) -> Engine:
    """The parent node's database, empty, of the same engine kind as the child's."""
    second: Engine = request.getfixturevalue(
        "second_postgres" if engine.dialect.name == "postgresql" else "second_sqlite"
    )
    _empty(second)
    return second


@pytest.fixture(autouse=True)
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Node keys of the test's nodes in a directory of its own."""
    directory = tmp_path / "keys"
    monkeypatch.setenv("PANSHI_NODE_KEY_DIR", str(directory))
    get_settings.cache_clear()
    return directory


@dataclass
class Tiers:
    child: Engine
    parent: Engine
    client: TestClient  # the child's HTTP (the platform's database is the child's)

    def pull(self) -> object:
        """The parent pulls the child's feed over HTTP until caught up."""
        fetch = http_fetch(CHILD, engine=self.parent, client=self.client)
        return pull_from(CHILD, fetch=fetch, engine=self.parent)


def link(child: Engine, parent: Engine, *, child_exists: bool = False) -> None:
    """Set both nodes up and register each with the other (`child_exists`: the child is set up already)."""
    with unit_of_work(child, write=True) as s:
        child_key = init_node(s, region=CHILD, name="磐石市公共信用信息平台").node.public_key
    with unit_of_work(parent, write=True) as s:
        parent_key = init_node(s, region=PARENT, name="吉林市公共信用信息平台").node.public_key
        add_peer(s, region=CHILD, relation="child", url="http://testserver", public_key=child_key)
    if not child_exists:
        with unit_of_work(child, write=True) as s:
            add_peer(s, region=PARENT, relation="parent", url="http://testserver", public_key=parent_key)


@pytest.fixture
def tiers(engine: Engine, parent_engine: Engine) -> Iterator[Tiers]:
    link(engine, parent_engine)
    with TestClient(create_app()) as client:
        yield Tiers(child=engine, parent=parent_engine, client=client)


@contextmanager
def serving(engine: Engine) -> Iterator[None]:
    """Make `engine` the platform's database for a while (to ingest at the parent, say)."""
    original = core_db.get_engine
    core_db.get_engine = lambda: engine  # type: ignore[assignment]
    try:
        yield
    finally:
        core_db.get_engine = original  # type: ignore[assignment]


def direct_fetch(origin: Engine, *, reader: str) -> Fetch:
    """A peer's feed read straight from its database, as its HTTP route serves it to `reader`."""
    from panshi.exchange.feed import feed_page, publish_pending
    from panshi.exchange.homes import feed_read_by
    from panshi.exchange.nodes import peer

    with unit_of_work(origin) as s:
        feed = feed_read_by(peer(s, reader).relation)

    def fetch(after: int, limit: int) -> FeedPage:
        publish_pending(feed, engine=origin)
        with unit_of_work(origin) as s:
            return feed_page(s, after=after, limit=limit, feed=feed)

    return fetch
