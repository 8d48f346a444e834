"""Portal fixtures: the web application over an empty database of each engine, and its departments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from factories import DEPT_NAME, DEPT_USCC, OTHER_DEPT_USCC
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.api.web import reset_rate_limits
from panshi.core.db import unit_of_work

OTHER_DEPT_NAME = "磐石市税务局"


@pytest.fixture
def departments(engine: Engine) -> dict[str, int]:
    """The two source departments of the factories' rows: their ids by short name."""
    with unit_of_work(write=True) as session:
        market, _ = accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        tax, _ = accounts.add_department(session, name=OTHER_DEPT_NAME, uscc=OTHER_DEPT_USCC)
        return {"market": market.id, "tax": tax.id}


@pytest.fixture
def client(departments: dict[str, int]) -> Iterator[TestClient]:
    """The whole application, as a browser of the public sees it; rate limits start from zero."""
    reset_rate_limits()
    with TestClient(create_app()) as c:
        yield c
    reset_rate_limits()
