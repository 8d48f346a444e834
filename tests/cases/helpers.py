"""Helpers of the objection and repair tests: a department with penalty records, tokens of every role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from factories import DEPT_NAME, DEPT_USCC, OTHER_DEPT_USCC, ingest, make_uscc, penalty_row, write_csv
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.core.db import unit_of_work
from panshi.records.models import Record

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def published_penalty(n: int) -> dict[str, str]:
    """A penalty the publicity rules publish (a fine well above the low-fine thresholds)."""
    return penalty_row(n, **{"处罚类别": "罚款", "处罚内容": "罚款人民币拾万元", "罚款金额(万元)": "10"})


def set_minimum_end(record_id: int, day: date | None) -> None:
    with unit_of_work(write=True) as session:
        session.execute(update(Record).where(Record.id == record_id).values(publicity_minimum_end=day))


def record(record_id: int) -> Record:
    with unit_of_work() as session:
        found = session.get(Record, record_id)
        assert found is not None
        return found


@pytest.fixture
def world(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Two companies with a penalty each (from the market regulator), tokens of every role."""
    from panshi.core.settings import get_settings

    monkeypatch.setenv("PANSHI_EVIDENCE_DIR", str(tmp_path / "evidence"))
    get_settings.cache_clear()
    with unit_of_work(write=True) as session:
        dept, dept_token = accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        other, other_token = accounts.add_department(session, name="磐石市税务局", uscc=OTHER_DEPT_USCC)
        tokens = {
            "operator": accounts.issue_token(session, role="operator"),
            "department": dept_token,
            "other_department": other_token,
            "government": accounts.issue_token(session, role="government", department_id=other.id),
            "subject": accounts.issue_token(session, role="subject", subject_code=make_uscc(1001)),
            "stranger": accounts.issue_token(session, role="subject", subject_code=make_uscc(1002)),
        }
        department_id = dept.id
    ingest(write_csv(tmp_path / "p.csv", [published_penalty(1), published_penalty(2)]))
    with unit_of_work() as session:
        ids = dict(session.execute(select(Record.data["subject_name"].as_string(), Record.id)).all())
    records = {1: ids["磐石市测试1号商贸有限公司"], 2: ids["磐石市测试2号商贸有限公司"]}
    with TestClient(create_app()) as client:
        yield {"client": client, "tokens": tokens, "records": records, "department_id": department_id,
               "evidence_dir": tmp_path / "evidence"}  # fmt: skip
    get_settings.cache_clear()


def upload(client: TestClient, token: str, content: bytes = PDF, name: str = "receipt.pdf") -> Any:
    return client.post(
        "/api/v1/evidence", headers=auth(token), files={"file": (name, content, "application/pdf")}
    )


def commitment(**more: Any) -> dict[str, Any]:
    return {"legal_representative": "王五", "content": "本单位已缴清罚款并完成整改，承诺今后依法诚信经营。",
            "valid_until": "2027-12-31", **more}  # fmt: skip


def repair_body(record_id: int, evidence_ids: list[int], **more: Any) -> dict[str, Any]:
    return {"record_id": record_id, "declaration": "已于 2025 年 6 月 10 日缴清全部罚款并完成整改。",
            "evidence_ids": evidence_ids, "commitment": commitment(), **more}  # fmt: skip
