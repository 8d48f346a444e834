"""GET /api/v1/subjects/{code}/evaluation: the full explanation to the subject itself and to staff who
state a purpose (logged); the grade alone to everyone else where the model makes it public."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from evaluation.helpers import (
    AS_OF,
    add_departments,
    company,
    license_row,
    listed,
    load,
    penalty,
    sole_trader,
)
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.audit.models import QueryLogEntry
from panshi.core.db import unit_of_work
from panshi.evaluation.service import evaluate_subject


@pytest.fixture
def api(engine: Engine, tmp_path: Path) -> Iterator[dict[str, Any]]:
    add_departments()
    name, uscc = sole_trader(7)
    load(
        tmp_path,
        licenses=[license_row(1), license_row(2)],
        penalties=[
            penalty(2, 1, categories="吊销许可证件", decided="2025-11-01"),
            penalty(7, 1, categories="警告", decided="2026-09-01", **{
                "行政相对人名称": name, "行政相对人类别": "个体工商户", "行政相对人代码_1(统一社会信用代码)": uscc}),
        ],
        entries=[listed(2, "serious_dishonest", start="2026-10-01")],
    )  # fmt: skip
    with unit_of_work(write=True) as session:
        for code in (company(1)[1], company(2)[1], uscc):
            evaluate_subject(session, code=code, as_of=AS_OF)
        gov_department = accounts.list_departments(session)[0]
        tokens = {
            "operator": accounts.issue_token(session, role="operator"),
            "government": accounts.issue_token(session, role="government", department_id=gov_department.id),
            "subject": accounts.issue_token(session, role="subject", subject_code=company(2)[1]),
            "other_subject": accounts.issue_token(session, role="subject", subject_code=company(1)[1]),
        }
    with TestClient(create_app()) as client:
        yield {"client": client, "tokens": tokens}


def get(api: dict[str, Any], code: str, role: str | None = None, **params: str) -> Any:
    headers = {"Authorization": f"Bearer {api['tokens'][role]}"} if role else {}
    return api["client"].get(f"/api/v1/subjects/{code}/evaluation", headers=headers, params=params)


def logged() -> int:
    with unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(QueryLogEntry)) or 0


def test_staff_with_a_purpose_see_the_explanation_and_the_read_is_logged(api: dict[str, Any]) -> None:
    for role in ("operator", "government"):
        before = logged()
        response = get(api, company(2)[1], role, purpose="招标投标资格审查")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["view"] == "full"
        e = body["evaluation"]
        # 750 + 30 + 5 − 150 × 2^−0.5 (severe, 365 days) − 400 (严重失信主体名单) = 278.93 → D
        assert (e["score"], e["grade"], e["model"]) == (278.93, "D", "enterprise-2026.2")
        contributions = {i["code"]: i for d in e["dimensions"] for i in d["indicators"]}
        assert contributions["serious_dishonest"]["points"] == -400
        assert len(contributions["serious_dishonest"]["records"]) == 1
        assert contributions["penalty_severe"]["records"][0]["points"] == -106.07
        assert body["history"][0]["grade"] == "D"
        assert logged() == before + 1


def test_the_subject_sees_its_own_explanation_unlogged(api: dict[str, Any]) -> None:
    before = logged()
    body = get(api, company(2)[1], "subject").json()
    assert body["view"] == "full" and body["evaluation"]["dimensions"]
    assert logged() == before


def test_the_public_sees_the_grade_only(api: dict[str, Any]) -> None:
    for role in (None, "other_subject", "operator"):  # staff without a purpose get the public view
        body = get(api, company(2)[1], role).json()
        assert body["view"] == "public"
        e = body["evaluation"]
        assert (e["grade"], e["grade_label"], e["score"], e["dimensions"]) == ("D", "差", None, None)
        assert body["more_with_purpose"] is (role == "operator")


def test_a_grade_the_model_keeps_private_is_refused_clearly(api: dict[str, Any]) -> None:
    code = sole_trader(7)[1]
    response = get(api, code)
    assert response.status_code == 403
    assert response.json()["error"] == "not_authorised"
    assert "不向社会公开" in response.json()["message"]
    assert "查询事由" in get(api, code, "operator").json()["message"]
    assert (
        get(api, code, "operator", purpose="数据核对").json()["evaluation"]["model"]
        == "individual-business-2026.2"
    )


def test_unknown_and_unevaluated_subjects(api: dict[str, Any]) -> None:
    assert get(api, company(99)[1]).status_code == 404
    assert get(api, company(99)[1]).json()["error"] == "not_found"
    with unit_of_work(write=True) as session:
        accounts.add_department(session, name="磐石市税务局", uscc=company(98)[1])
    assert get(api, "not-a-code").status_code == 404
    response = get(api, company(2)[1], "operator", purpose="x")
    assert response.status_code == 400 and response.json()["error"] == "bad_purpose"
