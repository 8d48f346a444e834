"""`panshi account add`: the password from standard input or a hidden prompt, never from an argument."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from factories import DEPT_NAME, DEPT_USCC, OTHER_DEPT_USCC, make_uscc
from panshi.accounts import service as accounts
from panshi.cli import app
from panshi.core.db import unit_of_work

runner = CliRunner()
PASSWORD = "a-long-enough-password"


@pytest.fixture
def department(engine: Engine) -> int:
    with unit_of_work(write=True) as session:
        department, _ = accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        return department.id


def _signs_in(username: str, password: str = PASSWORD) -> bool:
    with unit_of_work(write=True) as session:
        try:
            accounts.sign_in(session, username=username, password=password)
        except accounts.NotAuthenticated:
            return False
        return True


def test_adds_a_department_user_with_the_password_on_stdin(department: int) -> None:
    result = runner.invoke(
        app,
        ["account", "add", "--username", "dept-a", "--role", "department", "--name", "市场监管报送员",
         "--department", DEPT_USCC, "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "dept-a" in result.stderr and PASSWORD not in result.output
    with unit_of_work() as session:
        (user,) = accounts.list_users(session)
    assert (user.role, user.department_id, user.display_name) == ("department", department, "市场监管报送员")
    assert _signs_in("dept-a") and not _signs_in("dept-a", PASSWORD + "x")


def test_prompts_twice_for_the_password(engine: Engine) -> None:
    result = runner.invoke(
        app, ["account", "add", "--username", "firm", "--role", "subject", "--subject", make_uscc(7)],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # the prompt hides what is typed
    assert _signs_in("firm")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "superuser"], PASSWORD, "未知角色"),
        (["--role", "department"], PASSWORD, "须指定所属单位"),
        (["--role", "government", "--department", OTHER_DEPT_USCC], PASSWORD, "未找到统一社会信用代码"),
        (["--role", "subject"], PASSWORD, "须绑定"),
        (["--role", "subject", "--subject", "91220284MA0000000X"], PASSWORD, "主体代码无效"),
        (["--role", "operator", "--department", DEPT_USCC], PASSWORD, "不属于任何单位"),
        (["--role", "operator"], "short", "密码至少"),
        (["--role", "operator"], "", "held no password"),
    ],
)
def test_bad_input_exits_2_with_the_reason(
    department: int, args: list[str], stdin: str, message: str
) -> None:
    result = runner.invoke(app, ["account", "add", "--username", "someone", *args, "--password-stdin"],
                           input=stdin + "\n")  # fmt: skip
    assert result.exit_code == 2 and message in result.stderr, result.output
    with unit_of_work() as session:
        assert accounts.list_users(session) == []


def test_a_taken_username_exits_2(engine: Engine) -> None:
    first = ["account", "add", "--username", "op-1", "--role", "operator", "--password-stdin"]
    assert runner.invoke(app, first, input=PASSWORD + "\n").exit_code == 0
    again = runner.invoke(app, first, input=PASSWORD + "\n")
    assert again.exit_code == 2 and "已存在" in again.stderr


def test_there_is_no_password_argument(engine: Engine) -> None:
    result = runner.invoke(
        app, ["account", "add", "--username", "op-1", "--role", "operator", "--password", PASSWORD]
    )
    assert result.exit_code == 2 and "No such option" in result.stderr
    with unit_of_work() as session:
        assert accounts.list_users(session) == []
