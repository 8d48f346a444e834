"""Bad requests get clear Chinese errors, never a server error; codes are found in any printed form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from factories import ingest, make_uscc, penalty_row, write_csv
from panshi.api.app import create_app


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


@pytest.mark.parametrize(
    "url",
    [f"/api/v1/records/{2**70}", f"/api/v1/departments/{2**70}", f"/api/v1/publicity?department={2**70}",
     "/api/v1/publicity?from=2026-02-30", "/api/v1/search?page=abc"],
)  # fmt: skip
def test_out_of_range_and_malformed_parameters_are_422_in_chinese(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert message.startswith("请求参数有误") and any(w in message for w in ("数值过大", "日期", "整数"))


def test_an_organisation_code_in_its_printed_form_finds_the_subject(
    client: TestClient, tmp_path: Path
) -> None:
    ingest(write_csv(tmp_path / "p.csv", [penalty_row(1)]))
    org_code = make_uscc(1001)[8:17]
    printed = f"{org_code[:8]}-{org_code[8]}"
    response = client.get(f"/api/v1/subjects/{printed}")
    assert response.status_code == 200 and response.json()["subject"]["uscc"] == make_uscc(1001)
    assert client.get("/api/v1/search", params={"q": printed}).json()["hits"][0]["uscc"] == make_uscc(1001)
