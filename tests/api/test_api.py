"""The JSON API: department tokens submit their own records; operators read credit files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from factories import DEPT_NAME, DEPT_USCC, OTHER_DEPT_USCC, penalty_row, write_csv
from panshi.accounts import service as accounts
from panshi.api.app import create_app
from panshi.core.db import unit_of_work


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    with unit_of_work(write=True) as session:
        _, dept = accounts.add_department(session, name=DEPT_NAME, uscc=DEPT_USCC)
        operator = accounts.issue_token(session, role="operator", label="test")
    return {"department": dept, "operator": operator}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _post(client: TestClient, path: Path, token: str | None, record_type: str = "admin_penalty"):  # type: ignore[no-untyped-def]
    headers = _auth(token) if token else {}
    with path.open("rb") as fh:
        return client.post("/api/v1/batches", data={"type": record_type}, files={"file": (path.name, fh)},
                           headers=headers)  # fmt: skip


def test_department_submits_and_reads_its_error_report(
    client: TestClient, tokens: dict[str, str], tmp_path: Path
) -> None:
    rows = [penalty_row(1), penalty_row(2, **{"处罚决定日期": "2026-02-30"}),
            penalty_row(3, **{"数据来源单位统一社会信用代码": OTHER_DEPT_USCC})]  # fmt: skip
    response = _post(client, write_csv(tmp_path / "p.csv", rows, encoding="gbk"), tokens["department"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["received"], body["accepted"], body["rejected"]) == (3, 1, 2)
    assert {(e["row"], e["code"]) for e in body["errors"]} == {(2, "bad_date"), (3, "not_own_department")}

    report = client.get(f"/api/v1/batches/{body['batch_id']}/errors.csv", headers=_auth(tokens["department"]))
    assert report.status_code == 200 and report.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[0][0].startswith("行号") and [line[0] for line in lines[1:]] == ["2", "3"]

    again = client.get(f"/api/v1/batches/{body['batch_id']}", headers=_auth(tokens["department"]))
    assert again.json()["accepted"] == 1

    with unit_of_work(write=True) as session:
        _, other = accounts.add_department(session, name="磐石市税务局", uscc=OTHER_DEPT_USCC)
    for path in (f"/api/v1/batches/{body['batch_id']}", f"/api/v1/batches/{body['batch_id']}/errors.csv"):
        assert client.get(path, headers=_auth(other)).status_code == 404  # another department's batch
        assert client.get(path, headers=_auth(tokens["operator"])).status_code == 200


def test_credit_file_answers_each_caller_with_its_view(
    client: TestClient, tokens: dict[str, str], tmp_path: Path
) -> None:
    row = penalty_row(1)
    _post(client, write_csv(tmp_path / "p.csv", [row]), tokens["department"])
    code = row["行政相对人代码_1(统一社会信用代码)"]
    url = f"/api/v1/subjects/{code}"

    public = client.get(url).json()
    assert public["subject"]["name"] == row["行政相对人名称"] and public["levels"] == ["public"]
    assert public["records"][0]["provenance"] is None and not public["logged"]

    without_purpose = client.get(url, headers=_auth(tokens["operator"])).json()
    assert without_purpose["levels"] == ["public"] and without_purpose["more_with_purpose"]

    full = client.get(url, params={"purpose": "数据核对"}, headers=_auth(tokens["operator"])).json()
    assert full["records"][0]["provenance"]["department_uscc"] == DEPT_USCC
    assert full["logged"] and "private" in full["levels"]

    missing = client.get("/api/v1/subjects/91220284MA0000000X", headers=_auth(tokens["operator"]))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert client.get(url, headers=_auth("ps_not-a-token")).status_code == 401


def test_refusals(client: TestClient, tokens: dict[str, str], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [penalty_row(1)])
    assert _post(client, path, None).status_code == 401
    assert _post(client, path, "ps_not-a-token").status_code == 401
    assert _post(client, path, tokens["operator"]).status_code == 403
    unknown = _post(client, path, tokens["department"], record_type="nope")
    assert unknown.status_code == 422 and "admin_penalty" in unknown.json()["message"]
    (tmp_path / "bad.csv").write_bytes(b"\xff\xfe\x00garbage")
    assert _post(client, tmp_path / "bad.csv", tokens["department"]).status_code == 422


def test_oversized_upload_is_refused(
    client: TestClient, tokens: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANSHI_MAX_UPLOAD_BYTES", "1000")
    from panshi.core.settings import get_settings

    get_settings.cache_clear()
    path = write_csv(tmp_path / "p.csv", [penalty_row(i) for i in range(1, 20)])
    response = _post(client, path, tokens["department"])
    assert response.status_code == 413 and response.json()["error"] == "file_too_large"


def test_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/api/v1/batches" in client.get("/openapi.json").json()["paths"]


def test_docs_use_no_cdn(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "https://" not in page
    script = next(part.split('"')[1] for part in page.split("<script src=")[1:])
    assert client.get(script).status_code == 200
