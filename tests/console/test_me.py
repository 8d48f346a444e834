"""Subject self-service: a subject's own file, and who queried it, why and when."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from console.helpers import OTHER_DEPT_NAME, SUBJECT_USCC, World, follow, post_form, signed_in
from factories import ingest, make_uscc, penalty_row, write_csv
from panshi.accounts import service as accounts
from panshi.core.db import unit_of_work

Browser = Callable[..., TestClient]


def test_a_subject_sees_its_file_and_who_queried_it(
    world: World, new_browser: Browser, tmp_path: Path
) -> None:
    row = penalty_row(1, **{"证件类型": "营业执照", "证件号码": "X-123"})
    ingest(write_csv(tmp_path / "p.csv", [row, penalty_row(2)]))
    firm = signed_in(new_browser, "firm")
    before = firm.get("/me")
    assert before.status_code == 200
    assert row["行政相对人名称"] in before.text and "磐市监处罚〔2025〕1号" in before.text
    assert "X-123" in before.text and "授权查询" in before.text  # its own authorised fields
    assert "磐市监处罚〔2025〕2号" not in before.text  # another subject's record
    assert "尚无被查询记录" in before.text

    government = signed_in(new_browser, "gov-b")
    looked_up = post_form(
        government,
        "/console/subjects",
        {"code": SUBJECT_USCC, "purpose": "政府采购供应商资格审查"},
        form_page="/console",
    )
    assert "本次查询已登记" in follow(government, looked_up).text

    after = firm.get("/me").text
    log = after.split("被查询记录")[1]
    assert "政府采购供应商资格审查" in log and OTHER_DEPT_NAME in log and "税务局审查员" in log
    assert "尚无被查询记录" not in after
    # Its own reads are not in the log: a subject reading its file is not a query of it.
    assert log.count("<tr>") == 2  # the header and the one query


def test_a_subject_with_no_records_yet_is_told_so(world: World, new_browser: Browser) -> None:
    with unit_of_work(write=True) as session:
        accounts.add_user(session, username="new-firm", password="correct-horse-battery", role="subject",
                          subject_code=make_uscc(4242))  # fmt: skip
    page = signed_in(new_browser, "new-firm").get("/me")
    assert page.status_code == 200 and "平台尚无记录涉及本主体" in page.text and "尚无被查询记录" in page.text
