"""Objections and repair in the browser (server-rendered forms): a subject files with evidence, the
credit centre accepts and forwards, the source department decides, the public view follows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cases.helpers import PDF, published_penalty, set_minimum_end
from console.helpers import SUBJECT_USCC, World, post_form, signed_in
from factories import ingest, write_csv
from panshi.core.db import unit_of_work
from panshi.records.models import Record

VERSION = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture
def penalty(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """The signed-in company's published penalty (its id); evidence goes to a temporary directory."""
    from panshi.core.settings import get_settings

    monkeypatch.setenv("PANSHI_EVIDENCE_DIR", str(tmp_path / "evidence"))
    get_settings.cache_clear()
    ingest(write_csv(tmp_path / "p.csv", [published_penalty(1)]))
    with unit_of_work() as session:
        return session.scalars(select(Record.id)).one()


def _file(client: TestClient, kind: str, record_id: int, **fields: str) -> object:
    form = f"/cases/new/{kind}?record={record_id}"
    files = [("files", ("缴款凭证.pdf", PDF, "application/pdf"))]
    return post_form(client, f"/cases/new/{kind}", {"record_id": str(record_id), **fields}, form_page=form,
                     files=files)  # fmt: skip


def _alert(page: str) -> str:
    found = re.search(r'role="alert">([^<]*)<', page)
    return found.group(1) if found else page[:300]


def _decide(
    client: TestClient, case_id: int, action: str, reason: str = "", version: int | None = None
) -> object:
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200, page.text[:300]
    seen = version if version is not None else int(VERSION.search(page.text).group(1))  # type: ignore[union-attr]
    return post_form(client, f"/cases/{case_id}", {"action": action, "reason": reason, "version": str(seen)},
                     form_page=f"/cases/{case_id}")  # fmt: skip


def test_objection_from_filing_to_withdrawal(
    world: World, penalty: int, new_browser: Callable[..., TestClient], tmp_path: Path
) -> None:
    firm = signed_in(new_browser, "firm")
    assert f"/cases/new/objection?record={penalty}" in firm.get("/me").text
    filed = _file(firm, "objection", penalty, reason="该处罚决定书文号有误，本公司未收到此决定书。")
    assert filed.status_code == 303, filed.text[:500]  # type: ignore[attr-defined]
    case_path = filed.headers["location"]  # type: ignore[attr-defined]
    case_id = int(case_path.rsplit("/", 1)[1])
    page = firm.get(case_path).text
    assert "待受理" in page and "缴款凭证.pdf" in page
    assert "异议处理中" in firm.get("/me").text
    assert f"/cases/{case_id}" in firm.get("/me/cases").text
    public = new_browser()
    assert "异议处理中" in public.get(f"/subjects/{SUBJECT_USCC}").text

    operator = signed_in(new_browser, "op-user")
    assert f"/cases/{case_id}" in operator.get("/console/cases").text
    assert _decide(operator, case_id, "accept").status_code == 303  # type: ignore[attr-defined]
    # A second reviewer who saw version 1 is told someone decided first; nothing changes.
    stale = _decide(signed_in(new_browser, "op-user"), case_id, "refuse", "重复", version=1)
    assert stale.status_code == 409 and "已受理" in stale.text  # type: ignore[attr-defined]
    assert _decide(operator, case_id, "forward").status_code == 303  # type: ignore[attr-defined]

    other_department = signed_in(new_browser, "dept-b")
    assert other_department.get(case_path).status_code == 404  # not its record
    department = signed_in(new_browser, "dept-a")
    assert f"/cases/{case_id}" in department.get("/console/cases").text
    done = _decide(department, case_id, "withdraw", "经核查，该决定书已撤销。")
    assert done.status_code == 303, done.text[:500]  # type: ignore[attr-defined]
    assert "已撤销记录" in firm.get(case_path).text
    assert f"record-{penalty}" not in public.get(f"/subjects/{SUBJECT_USCC}").text
    notices = firm.get("/notices").text
    assert "异议" in notices and "未读" in notices


def test_repair_before_the_minimum_period_is_refused_and_stores_nothing(
    world: World, penalty: int, new_browser: Callable[..., TestClient], tmp_path: Path
) -> None:
    set_minimum_end(penalty, date.today() + timedelta(days=30))
    firm = signed_in(new_browser, "firm")
    refused = _file(firm, "repair", penalty, reason="已于上月缴清全部罚款并完成整改。",
                    content="本公司承诺今后依法诚信经营。", valid_until="2028-12-31", legal_representative="王五")  # fmt: skip
    assert refused.status_code == 422, refused.text[:300]  # type: ignore[attr-defined]
    assert "届满后方可申请" in refused.text  # type: ignore[attr-defined]
    evidence_dir = tmp_path / "evidence"
    assert not evidence_dir.exists() or not [p for p in evidence_dir.iterdir() if not p.name.startswith(".")]
    assert "尚未提出" in firm.get("/me/cases").text


def test_repair_approved_by_the_department_takes_the_record_out_of_public_view(
    world: World, penalty: int, new_browser: Callable[..., TestClient]
) -> None:
    set_minimum_end(penalty, date.today() - timedelta(days=1))
    firm = signed_in(new_browser, "firm")
    filed = _file(firm, "repair", penalty, reason="已于上月缴清全部罚款并完成整改。",
                  content="本公司承诺今后依法诚信经营。", valid_until="2028-12-31", legal_representative="王五")  # fmt: skip
    assert filed.status_code == 303, _alert(filed.text)  # type: ignore[attr-defined]
    case_id = int(filed.headers["location"].rsplit("/", 1)[1])  # type: ignore[attr-defined]
    page = firm.get(f"/cases/{case_id}").text
    assert "信用修复型" in page and "待审核" in page
    public = new_browser()
    assert f"record-{penalty}" in public.get(f"/subjects/{SUBJECT_USCC}").text
    department = signed_in(new_browser, "dept-a")
    approved = _decide(department, case_id, "approve", "已履行义务，准予修复。")
    assert approved.status_code == 303, approved.text[:500]  # type: ignore[attr-defined]
    assert "准予修复" in firm.get(f"/cases/{case_id}").text
    assert f"record-{penalty}" not in public.get(f"/subjects/{SUBJECT_USCC}").text
    assert f"record-{penalty}" in firm.get("/me").text  # still in the subject's own full file


def test_a_government_user_and_the_public_cannot_open_the_queue_or_file(
    world: World, penalty: int, new_browser: Callable[..., TestClient]
) -> None:
    government = signed_in(new_browser, "gov-b")
    assert government.get("/console/cases").status_code == 403
    assert government.get(f"/cases/new/objection?record={penalty}").status_code == 403
    anonymous = new_browser()
    assert anonymous.get("/console/cases").status_code == 303  # to the sign-in page
