"""Notices on every state change, unread first, marked read; email only after the commit, via the outbox."""

from __future__ import annotations

from typing import Any

import pytest

from cases.helpers import auth
from factories import make_uscc
from panshi.accounts import service as accounts
from panshi.core.db import unit_of_work
from panshi.notices import service
from panshi.notices.tasks import task


def _object_and_accept(world: dict[str, Any]) -> int:
    client, tokens = world["client"], world["tokens"]
    body = {"record_id": world["records"][1], "reason": "记录有误<script>alert(1)</script>"}
    case = client.post("/api/v1/objections", json=body, headers=auth(tokens["subject"])).json()
    client.post(
        f"/api/v1/cases/{case['id']}/decision", json={"action": "accept"}, headers=auth(tokens["operator"])
    )
    return int(case["id"])


def test_everyone_concerned_is_told_unread_first(world: dict[str, Any]) -> None:
    client, tokens = world["client"], world["tokens"]
    case_id = _object_and_accept(world)
    for who in ("subject", "department", "operator"):
        page = client.get("/api/v1/notices", headers=auth(tokens[who])).json()
        assert page["total"] == 2 and page["unread"] == 2, who
        assert [n["event"] for n in page["items"]] == ["accept", "file"]
        assert all(n["case_id"] == case_id for n in page["items"])
    for who in ("stranger", "other_department", "government"):
        assert client.get("/api/v1/notices", headers=auth(tokens[who])).json()["total"] == 0
    first = client.get("/api/v1/notices", headers=auth(tokens["subject"])).json()["items"][0]
    assert (
        client.post(f"/api/v1/notices/{first['id']}/read", headers=auth(tokens["subject"])).status_code == 204
    )
    assert (
        client.post(f"/api/v1/notices/{first['id']}/read", headers=auth(tokens["stranger"])).status_code
        == 404
    )
    page = client.get("/api/v1/notices", headers=auth(tokens["subject"])).json()
    assert page["unread"] == 1 and [n["read"] for n in page["items"]] == [False, True]
    assert page["items"][1]["id"] == first["id"]
    # The department's read state is its own.
    assert client.get("/api/v1/notices", headers=auth(tokens["department"])).json()["unread"] == 2


def test_email_goes_out_from_the_outbox_after_the_commit(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from panshi.core.settings import get_settings

    assert task().every_seconds == 0  # no SMTP: the task never runs
    monkeypatch.setenv("PANSHI_SMTP_HOST", "smtp.example.invalid")
    monkeypatch.setenv("PANSHI_SMTP_FROM", "credit@example.invalid")
    get_settings.cache_clear()
    sent: list[Any] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: float) -> None:
            assert host == "smtp.example.invalid"

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *_: Any) -> None:
            return None

        def send_message(self, message: Any) -> None:
            sent.append(message)

    monkeypatch.setattr(service.smtplib, "SMTP", FakeSMTP)
    with unit_of_work(write=True) as session:
        accounts.add_user(session, username="firm", password="a-long-password", role="subject",
                          subject_code=make_uscc(1001))  # fmt: skip
    who = accounts_principal("firm")
    with unit_of_work(write=True) as session:
        service.set_email(session, who=who, email="boss@firm.example")
    _object_and_accept(world)
    assert sent == []  # nothing is sent inside the transaction
    summary = service.send_pending()
    assert "发送 6 条" in summary
    assert len(sent) == 2 and all(m["Bcc"] == "boss@firm.example" for m in sent)
    assert "<script>" in sent[0].get_content()  # plain text: shown as text
    assert "发送 0 条" in service.send_pending()  # at most once per notice when it succeeds


def accounts_principal(username: str) -> Any:
    from panshi.accounts.schemas import Principal, Role

    with unit_of_work() as session:
        user = next(u for u in accounts.list_users(session) if u.username == username)
        return Principal(role=Role(user.role), actor=f"user:{user.username}", user_id=user.id,
                         subject_key=user.subject_key)  # fmt: skip
