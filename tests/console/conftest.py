"""Console fixtures: departments and one account of each role, and browsers that sign in with forms."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from console.helpers import OTHER_DEPT_NAME, PASSWORD, SUBJECT_USCC, World
from factories import DEPT_NAME, DEPT_USCC, OTHER_DEPT_USCC
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.api.web import reset_rate_limits
from panshi.core.db import unit_of_work


@pytest.fixture
def world(engine: Engine) -> World:
    """Department A (市场监管, sends records) and B (税务); users of every role."""
    with unit_of_work(write=True) as session:
        a, _ = accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        b, _ = accounts.add_department(session, name=OTHER_DEPT_NAME, uscc=OTHER_DEPT_USCC)
        made = [
            accounts.add_user(session, username="op-user", password=PASSWORD, role="operator",
                              display_name="运营人员甲"),
            accounts.add_user(session, username="dept-a", password=PASSWORD, role="department",
                              display_name="市场监管报送员", department_id=a.id),
            accounts.add_user(session, username="dept-b", password=PASSWORD, role="department",
                              display_name="税务报送员", department_id=b.id),
            accounts.add_user(session, username="gov-b", password=PASSWORD, role="government",
                              display_name="税务局审查员", department_id=b.id),
            accounts.add_user(session, username="firm", password=PASSWORD, role="subject",
                              display_name="测试一号公司", subject_code=SUBJECT_USCC),
        ]  # fmt: skip
        return World(department_a=a.id, department_b=b.id, users={u.username: u.id for u in made})


@pytest.fixture
def new_browser(engine: Engine) -> Iterator[Callable[..., TestClient]]:
    """`new_browser()` opens a new browser (its own cookies); redirects are not followed, so tests see them."""
    reset_rate_limits()
    opened: list[TestClient] = []
    app = create_app()

    def open_one(base_url: str = "http://testserver") -> TestClient:
        client = TestClient(app, base_url=base_url, follow_redirects=False)
        client.__enter__()
        opened.append(client)
        return client

    yield open_one
    for client in opened:
        client.__exit__(None, None, None)
    reset_rate_limits()
