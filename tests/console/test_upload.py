"""Uploading in the console: counts, the row-by-row errors, the CSV report, and whose batches one sees."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from console.helpers import World, csrf, follow, signed_in
from factories import DEPT_USCC, OTHER_DEPT_USCC, make_uscc, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.ingest.service import recent_batches

Browser = Callable[..., TestClient]


def _upload(client: TestClient, path: Path, record_type: str = "admin_penalty") -> httpx.Response:
    token = csrf(client, "/console/upload")
    with path.open("rb") as fh:
        return client.post(
            "/console/upload",
            data={"csrf_token": token, "type": record_type},
            files={"file": (path.name, fh)},
        )


def _bad_file(tmp_path: Path) -> Path:
    rows = [
        penalty_row(1),
        penalty_row(2, **{"处罚决定日期": "2026-02-30"}),
        penalty_row(3, **{"数据来源单位统一社会信用代码": OTHER_DEPT_USCC}),
        penalty_row(4, **{"行政相对人代码_1(统一社会信用代码)": make_uscc(1004)[:-1] + "0"}),
    ]
    return write_csv(tmp_path / "penalties.csv", rows, encoding="gbk")


def test_department_upload_shows_each_bad_row_and_the_csv_report(
    world: World, new_browser: Browser, tmp_path: Path
) -> None:
    department = signed_in(new_browser, "dept-a")
    form = department.get("/console/upload")
    assert form.status_code == 200 and 'value="admin_penalty"' in form.text and DEPT_USCC in form.text

    response = _upload(department, _bad_file(tmp_path))
    assert response.status_code == 303 and response.headers["location"].startswith("/console/batches/")
    batch_id = response.headers["location"].rsplit("/", 1)[1]
    page = follow(department, response)
    assert page.status_code == 200
    for label, count in (("收到", 4), ("新增", 1), ("拒收", 3)):
        assert f"{label} <b>{count}</b>" in page.text
    errors = page.text.split("<tbody>")[1].split("</tbody>")[0]
    rows = [r for r in errors.split("<tr>")[1:]]
    assert [r.split('<td class="num">')[1].split("<")[0] for r in rows] == ["2", "3", "4"]
    assert "bad_date" in rows[0] and "处罚决定日期" in rows[0] and "2026-02-30" in rows[0]
    assert "not_own_department" in rows[1]
    assert f'href="/console/batches/{batch_id}/errors.csv"' in page.text

    report = department.get(f"/console/batches/{batch_id}/errors.csv")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    assert report.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[0][0].startswith("行号") and [line[0] for line in lines[1:] if "拒收" in line[4]] == [
        "2",
        "3",
        "4",
    ]

    with unit_of_work() as session:
        (batch,) = recent_batches(session)
    assert (batch.id, batch.channel, batch.department_id) == (batch_id, "web", world.department_a)


def test_a_department_sees_only_its_own_batches(world: World, new_browser: Browser, tmp_path: Path) -> None:
    response = _upload(signed_in(new_browser, "dept-a"), _bad_file(tmp_path))
    batch_url = response.headers["location"]
    other = signed_in(new_browser, "dept-b")
    assert other.get(batch_url).status_code == 404
    assert other.get(batch_url + "/errors.csv").status_code == 404
    assert "penalties.csv" not in other.get("/console").text  # nor in its dashboard
    operator = signed_in(new_browser, "op-user")
    assert operator.get(batch_url).status_code == 200
    assert operator.get(batch_url + "/errors.csv").status_code == 200
    assert "penalties.csv" in operator.get("/console").text
    assert signed_in(new_browser, "gov-b").get(batch_url).status_code == 403
    assert operator.get("/console/batches/" + "0" * 32).status_code == 404


def test_operator_upload_registers_the_departments_its_rows_name(
    world: World, new_browser: Browser, tmp_path: Path
) -> None:
    third = make_uscc(3, prefix="11220284")
    path = write_csv(
        tmp_path / "p.csv",
        [penalty_row(1, **{"数据来源单位": "磐石市应急管理局", "数据来源单位统一社会信用代码": third})],
    )
    page = follow(operator := signed_in(new_browser, "op-user"), _upload(operator, path))
    assert "新增 <b>1</b>" in page.text and "拒收 <b>0</b>" in page.text
    assert "磐石市应急管理局" in operator.get("/console").text


def test_a_file_that_cannot_be_read_stores_nothing(
    world: World, new_browser: Browser, tmp_path: Path
) -> None:
    department = signed_in(new_browser, "dept-a")
    garbage = tmp_path / "bad.csv"
    garbage.write_bytes(b"\xff\xfe\x00garbage")
    refused = _upload(department, garbage)
    assert refused.status_code == 422 and 'class="flash-error"' in refused.text
    unknown_type = _upload(department, _bad_file(tmp_path), record_type="nope")
    assert unknown_type.status_code == 400 and "请选择信息类别" in unknown_type.text
    with unit_of_work() as session:
        assert recent_batches(session) == []
    assert signed_in(new_browser, "gov-b").get("/console/upload").status_code == 403
