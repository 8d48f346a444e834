"""Operators manage accounts and API tokens in the console."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from console.helpers import PASSWORD, World, follow, post_form, sign_in, signed_in
from factories import DEPT_NAME
from panshi.accounts.models import ApiToken, User
from panshi.core.db import unit_of_work

Browser = Callable[..., TestClient]
TOKEN = re.compile(r'<code class="console-token">(ps_[^<]+)</code>')


def _post(client: TestClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return post_form(client, path, data, form_page="/console/accounts")


def _user(username: str) -> User | None:
    with unit_of_work() as session:
        return session.scalar(select(User).where(User.username == username))


def test_operator_adds_an_account_that_can_sign_in(world: World, new_browser: Browser) -> None:
    operator = signed_in(new_browser, "op-user")
    page = operator.get("/console/accounts")
    assert page.status_code == 200 and "dept-a" in page.text and "税务局审查员" in page.text
    new = {"username": "dept-a-2", "password": PASSWORD, "role": "department", "display_name": "第二报送员",
           "department_id": str(world.department_a), "subject_code": "ignored for departments"}  # fmt: skip
    added = _post(operator, "/console/accounts", new)
    assert added.status_code == 303 and added.headers["location"] == "/console/accounts?notice=added"
    listing = follow(operator, added)
    assert "账号已创建" in listing.text and "第二报送员" in listing.text
    created = _user("dept-a-2")
    assert created is not None and created.department_id == world.department_a and created.subject_key is None
    colleague = signed_in(new_browser, "dept-a-2")
    assert DEPT_NAME in colleague.get("/console").text


def test_bad_accounts_are_refused_with_the_reason(world: World, new_browser: Browser) -> None:
    operator = signed_in(new_browser, "op-user")
    cases = [
        ({"username": "short-pw", "password": "short", "role": "operator"}, "密码至少"),
        ({"username": "no-dept", "password": PASSWORD, "role": "government"}, "须指定所属单位"),
        ({"username": "no-code", "password": PASSWORD, "role": "subject"}, "须绑定"),
        ({"username": "op-user", "password": PASSWORD, "role": "operator"}, "已存在"),
        ({"username": "who", "password": PASSWORD, "role": "superuser"}, "请选择角色"),
    ]
    for form, reason in cases:
        refused = _post(operator, "/console/accounts", form)
        assert refused.status_code == 400 and reason in refused.text, form
        assert f'value="{form["username"]}"' in refused.text  # what was typed is kept (the password is not)
    assert _user("short-pw") is None and _user("no-dept") is None


def test_a_disabled_account_cannot_sign_in_and_loses_its_sessions(world: World, new_browser: Browser) -> None:
    operator = signed_in(new_browser, "op-user")
    victim = signed_in(new_browser, "dept-b")
    assert victim.get("/console").status_code == 200
    user_id = world.users["dept-b"]
    disabled = _post(operator, f"/console/accounts/{user_id}/disable")
    assert disabled.status_code == 303 and "账号已停用" in follow(operator, disabled).text
    assert victim.get("/console").status_code == 303  # its session ended at once
    refused = sign_in(new_browser(), "dept-b")
    assert refused.status_code == 401 and "用户名或密码错误，或账号已停用" in refused.text
    assert _post(operator, f"/console/accounts/{user_id}/enable").status_code == 303
    assert sign_in(new_browser(), "dept-b").status_code == 303
    itself = _post(operator, f"/console/accounts/{world.users['op-user']}/disable")
    assert itself.status_code == 400 and "不能停用自己" in itself.text
    assert _post(operator, "/console/accounts/999999/disable").status_code == 404


def test_a_token_is_shown_once_and_revoking_it_locks_the_api(world: World, new_browser: Browser) -> None:
    operator = signed_in(new_browser, "op-user")
    form = {"role": "government", "label": "招投标系统", "department_id": str(world.department_b)}
    issued = _post(operator, "/console/tokens", form)
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    token = TOKEN.findall(issued.text)[0]
    api = new_browser()
    whoami = api.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert whoami.status_code == 200 and whoami.json()["role"] == "government"
    listing = operator.get("/console/accounts")
    assert "招投标系统" in listing.text and token not in listing.text  # never shown again

    with unit_of_work() as session:
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.label == "招投标系统"))
    revoked = _post(operator, f"/console/tokens/{token_id}/revoke")
    assert revoked.status_code == 303 and "令牌已吊销" in follow(operator, revoked).text
    assert api.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "已吊销" in operator.get("/console/accounts").text

    no_department = _post(operator, "/console/tokens", {"role": "department"})
    assert no_department.status_code == 400 and "须指定所属单位" in no_department.text
    assert not TOKEN.findall(no_department.text)


def test_only_operators_manage_accounts(world: World, new_browser: Browser) -> None:
    department = signed_in(new_browser, "dept-a")
    form = {"username": "sneaky", "password": PASSWORD, "role": "operator"}
    assert post_form(department, "/console/accounts", form, form_page="/console").status_code == 403
    assert (
        post_form(department, "/console/tokens", {"role": "operator"}, form_page="/console").status_code
        == 403
    )
    assert _user("sneaky") is None
    anonymous = new_browser()
    assert post_form(anonymous, "/console/accounts", form).headers["location"] == "/login"
