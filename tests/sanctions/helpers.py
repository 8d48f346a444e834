"""Helpers of the list and check tests: a court, a tax bureau, tokens of every role, list entry files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from factories import ingest, make_resident_id, make_uscc, write_csv
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.core.db import unit_of_work
from panshi.core.timeutil import today_shanghai
from panshi.ingest.schemas import BatchResult
from panshi.sanctions.models import Check

COURT = "磐石市人民法院"
COURT_USCC = make_uscc(11, prefix="11220284")
TAX = "国家税务总局磐石市税务局"
TAX_USCC = make_uscc(12, prefix="11220284")
PROCUREMENT = "磐石市财政局"
PROCUREMENT_USCC = make_uscc(13, prefix="11220284")

LIST_HEADERS = [
    "名单类型", "主体名称", "主体类别", "主体代码_1(统一社会信用代码)", "证件类型", "证件号码", "列入事由", "认定依据",
    "认定文书号", "列入日期", "移出日期", "认定单位", "认定单位统一社会信用代码", "数据来源单位",
    "数据来源单位统一社会信用代码",
]  # fmt: skip


def today() -> date:
    return today_shanghai()


def company(n: int) -> tuple[str, str]:
    """The name and USCC of test company n (the same as factories.penalty_row(n) uses)."""
    return f"磐石市测试{n}号商贸有限公司", make_uscc(1000 + n)


def entry_row(n: int, list_type: str = "judgment_defaulter", **overrides: str) -> dict[str, str]:
    """A valid list entry of company n, listed 30 days ago by the court, with no end date."""
    name, uscc = company(n)
    row = {h: "" for h in LIST_HEADERS}
    row |= {
        "名单类型": list_type, "主体名称": name, "主体类别": "法人及非法人组织", "主体代码_1(统一社会信用代码)": uscc,
        "列入事由": "有履行能力而拒不履行生效法律文书确定的义务",
        "认定依据": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        "认定文书号": f"（{today().year}）吉0284执{n}号", "列入日期": (today() - timedelta(days=30)).isoformat(),
        "认定单位": COURT, "认定单位统一社会信用代码": COURT_USCC, "数据来源单位": COURT,
        "数据来源单位统一社会信用代码": COURT_USCC,
    }  # fmt: skip
    row.update(overrides)
    return row


def person_entry_row(n: int, *, birth: str = "19800101", **overrides: str) -> dict[str, str]:
    row = entry_row(n, **{"主体名称": "李四", "主体类别": "自然人", "主体代码_1(统一社会信用代码)": "",
                          "证件类型": "身份证", "证件号码": make_resident_id(n, birth=birth)})  # fmt: skip
    row.update(overrides)
    return row


def load_rows(tmp_path: Path, rows: list[dict[str, str]], name: str = "entries.csv") -> BatchResult:
    return ingest(write_csv(tmp_path / name, rows), "list_entry")


def count_checks() -> int:
    with unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(Check)) or 0


@pytest.fixture
def world(engine: Engine) -> Iterator[dict[str, Any]]:
    """Departments (court, tax, finance) and tokens of every role."""
    with unit_of_work(write=True) as session:
        court, court_token = accounts.add_department(session, name=COURT, uscc=COURT_USCC)
        tax, tax_token = accounts.add_department(session, name=TAX, uscc=TAX_USCC)
        finance, _ = accounts.add_department(session, name=PROCUREMENT, uscc=PROCUREMENT_USCC)
        tokens = {
            "operator": accounts.issue_token(session, role="operator"),
            "court": court_token,
            "tax": tax_token,
            "finance": accounts.issue_token(session, role="government", department_id=finance.id),
            "subject": accounts.issue_token(session, role="subject", subject_code=company(1)[1]),
        }
        ids = {"court": court.id, "tax": tax.id, "finance": finance.id}
    with TestClient(create_app()) as client:
        yield {"client": client, "tokens": tokens, "ids": ids}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def check_body(subject: str, scenario: str = "government_procurement", **more: str) -> dict[str, str]:
    return {"subject": subject, "scenario": scenario, "purpose": "政府采购供应商资格审查",
            "case_reference": "PS-CG-2026-001", **more}  # fmt: skip
