"""The demo's accounts: one of each role, created once, written to var/demo/accounts.txt."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy.engine import Engine

from console.helpers import OTHER_DEPT_NAME
from factories import DEPT_NAME, DEPT_USCC, OTHER_DEPT_USCC, ingest, make_uscc, penalty_row, write_csv
from panshi.accounts import service as accounts
from panshi.audit.service import log_of_own_subject
from panshi.core.db import unit_of_work
from panshi.demo import service as demo


def test_demo_accounts_are_created_once(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    other = {"处罚机关": OTHER_DEPT_NAME, "数据来源单位": OTHER_DEPT_NAME, "处罚机关统一社会信用代码": OTHER_DEPT_USCC,
             "数据来源单位统一社会信用代码": OTHER_DEPT_USCC}  # fmt: skip
    ingest(
        write_csv(tmp_path / "p.csv", [penalty_row(1, **{"罚款金额(万元)": "50"}), penalty_row(2, **other)])
    )

    printed = io.StringIO()
    made = {a.username: a for a in demo.add_demo_accounts(Console(file=printed, width=200))}
    assert "/login" in printed.getvalue() and made["demo-gov"].password in printed.getvalue()
    assert set(made) == {"demo-operator", "demo-dept", "demo-gov", "demo-subject"}
    assert made["demo-dept"].bound_to == DEPT_NAME and made["demo-gov"].bound_to == OTHER_DEPT_NAME
    assert made["demo-subject"].subject_code in (make_uscc(1001), make_uscc(1002))
    written = (tmp_path / "var/demo/accounts.txt").read_text(encoding="utf-8")
    assert (tmp_path / "var/demo/accounts.txt").stat().st_mode & 0o077 == 0  # passwords: owner only
    for account in made.values():
        assert f"{account.username}\t{account.password}\t" in written and len(account.password) >= 12
        with unit_of_work(write=True) as session:
            token = accounts.sign_in(session, username=account.username, password=account.password)
            who = accounts.session_principal(session, token)
        assert who is not None and who.role.value == account.role
        if account.role == "department":
            assert who.department_uscc == DEPT_USCC

    subject = made["demo-subject"]
    with unit_of_work(write=True) as session:
        who = accounts.session_principal(session, accounts.sign_in(session, username=subject.username,
                                                                   password=subject.password))  # fmt: skip
        assert who is not None
        log = log_of_own_subject(session, who=who)
    assert [(e.actor, e.purpose, e.department_name) for e in log.entries] == [
        ("user:demo-gov", demo.DEMO_PURPOSE, OTHER_DEPT_NAME)
    ]

    again = {a.username: a for a in demo.add_demo_accounts(Console(file=io.StringIO()))}
    assert {name: a.password for name, a in again.items()} == {name: a.password for name, a in made.items()}
    with unit_of_work(write=True) as session:
        assert len(accounts.list_users(session)) == 4
        assert log_of_own_subject(session, who=who).total == 1  # no second demo query
