"""Helpers of the report tests: a small county with a company on a list, a person, tokens of every role."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from factories import (
    DEPT_NAME,
    DEPT_USCC,
    OTHER_DEPT_USCC,
    ingest,
    make_resident_id,
    make_uscc,
    penalty_row,
    person_penalty_row,
    write_csv,
)
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.api.web import reset_rate_limits
from panshi.audit.models import QueryLogEntry
from panshi.core.db import unit_of_work
from panshi.core.timeutil import today_shanghai
from panshi.evaluation.service import evaluate_subject
from panshi.reports.models import CreditReport
from sanctions.helpers import COURT, COURT_USCC, entry_row

COMPANY = "磐石市测试1号商贸有限公司"
COMPANY_USCC = make_uscc(1001)
OTHER_COMPANY_USCC = make_uscc(1002)
PERSON_ID = make_resident_id(7)
LEGAL_REP_ID = make_resident_id(8)
LICENSE_HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "行政许可决定文书名称", "行政许可决定文书号",
    "许可类别", "许可内容", "许可决定日期", "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态",
    "数据来源单位", "数据来源单位统一社会信用代码",
]  # fmt: skip


def days_ago(days: int) -> str:
    return (today_shanghai() - timedelta(days=days)).isoformat()


def license_row() -> dict[str, str]:
    values = [
        COMPANY, "法人及非法人组织", COMPANY_USCC, "食品经营许可证", "JY12202840001", "普通", "预包装食品销售",
        days_ago(100), days_ago(100), "2099-12-31", DEPT_NAME, DEPT_USCC, "1", DEPT_NAME, DEPT_USCC,
    ]  # fmt: skip
    return dict(zip(LICENSE_HEADERS, values, strict=True))


PUBLIC_COMMITMENT = f"220284{days_ago(90).replace('-', '')}000001"
RESTRICTED_COMMITMENT = f"220284{days_ago(80).replace('-', '')}000002"


def commitment_row(
    code: str, made: str, *, disclosure: str, fulfilment: str = "", assessed: str = ""
) -> dict[str, str]:
    """A 容缺受理型 commitment of the company, accepted by the market regulator."""
    return {
        "承诺编码": code, "承诺人名称": COMPANY, "承诺人类别": "法人及非法人组织", "承诺人代码": COMPANY_USCC,
        "承诺类型": "容缺受理型", "承诺事由": "申请食品经营许可容缺受理", "承诺内容": "三十日内补齐场所证明材料",
        "违诺责任": "撤销许可", "承诺作出日期": made, "承诺有效期": "2099-12-31", "承诺履行状态": fulfilment,
        "未履行的承诺内容": "未补齐场所证明材料" if fulfilment == "全部未履行" else "", "履行状态认定日期": assessed,
        "认定单位": DEPT_NAME if fulfilment else "", "认定单位代码": DEPT_USCC if fulfilment else "",
        "承诺受理单位": DEPT_NAME, "受理单位代码": DEPT_USCC, "公开类型": disclosure,
    }  # fmt: skip


def load_county(tmp_path: Path) -> None:
    """A company with a license, a penalty in publicity (its legal representative's ID number is 政务共享),
    a 失信被执行人 entry and two commitments (a public one it broke, one 特定范围内公开 not yet assessed);
    another company; a person with a penalty. Everyone graded."""
    commitments = [
        commitment_row(PUBLIC_COMMITMENT, days_ago(90), disclosure="可向社会公开", fulfilment="全部未履行",
                       assessed=days_ago(30)),
        commitment_row(RESTRICTED_COMMITMENT, days_ago(80), disclosure="特定范围内公开"),
    ]  # fmt: skip
    company_penalty = penalty_row(
        1, **{"处罚类别": "罚款", "罚款金额(万元)": "5", "处罚内容": "罚款人民币伍万元", "处罚决定日期": days_ago(60),
              "处罚有效期": days_ago(60), "公示截止期": "", "法定代表人证件类型": "身份证",
              "法定代表人证件号码": LEGAL_REP_ID},
    )  # fmt: skip
    other_penalty = penalty_row(
        2, **{"处罚决定日期": days_ago(30), "处罚有效期": days_ago(30), "公示截止期": ""}
    )
    person = person_penalty_row(
        7, **{"处罚类别": "罚款", "罚款金额(万元)": "0.5", "证件号码": PERSON_ID, "处罚决定日期": days_ago(20),
              "处罚有效期": days_ago(20), "公示截止期": ""},
    )  # fmt: skip
    for name, rows, kind in (
        ("penalties.csv", [company_penalty, other_penalty], "admin_penalty"),
        ("person.csv", [person], "admin_penalty"),
        ("licenses.csv", [license_row()], "admin_license"),
        ("entries.csv", [entry_row(1)], "list_entry"),
        ("commitments.csv", commitments, "credit_commitment"),
    ):
        result = ingest(write_csv(tmp_path / name, rows), kind)
        assert result.rejected == 0, result.errors
    with unit_of_work(write=True) as session:
        for code in (COMPANY_USCC, OTHER_COMPANY_USCC):
            evaluate_subject(session, code=code)


@pytest.fixture
def county(engine: Engine, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The county loaded, tokens of every role, and a client of the application."""
    reset_rate_limits()
    with unit_of_work(write=True) as session:
        market, market_token = accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        accounts.add_department(session, name=COURT, uscc=COURT_USCC)
        tax, _ = accounts.add_department(session, name="磐石市税务局", uscc=OTHER_DEPT_USCC)
        tokens = {
            "operator": accounts.issue_token(session, role="operator"),
            "department": market_token,
            "government": accounts.issue_token(session, role="government", department_id=tax.id),
            "subject": accounts.issue_token(session, role="subject", subject_code=COMPANY_USCC),
            "other_subject": accounts.issue_token(session, role="subject", subject_code=OTHER_COMPANY_USCC),
        }
    load_county(tmp_path)
    with TestClient(create_app()) as client:
        yield {"client": client, "tokens": tokens}
    reset_rate_limits()


def auth(county: dict[str, Any], role: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {county['tokens'][role]}"} if role else {}


def pdf_text(pdf: bytes) -> str:
    """The text of every page of a PDF as a reader's copy-and-paste gives it, without whitespace: table
    cells wrap lines anywhere, even inside a word."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(io.BytesIO(pdf))
    try:
        text = "".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()
    return "".join(text.split())


def query_log_count() -> int:
    with unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(QueryLogEntry)) or 0


def issued_reports() -> list[CreditReport]:
    with unit_of_work() as session:
        return list(session.scalars(select(CreditReport).order_by(CreditReport.serial)))
