"""The grade on pages, through HTTP: the console's subject page and /me in full (dimensions, indicators,
the records behind them, the history), the public page the grade alone where the model makes it
public, and the reason where there is none."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from console.helpers import SUBJECT_USCC, World, follow, post_form, signed_in
from evaluation.helpers import sole_trader
from factories import ingest, make_uscc, penalty_row, write_csv
from panshi.core.db import unit_of_work
from panshi.evaluation import runs
from panshi.evaluation.service import latest_evaluation
from panshi.subjects import service as subjects

Browser = Callable[..., TestClient]
ORGAN_USCC = make_uscc(503, prefix="11220284")
HOSTILE = '<script>alert("x")</script>磐石市测试1号商贸有限公司'


def grade_of(code: str) -> tuple[str, float, str]:
    with unit_of_work() as session:
        e = latest_evaluation(session, subjects.find_subject(session, code).id)
        assert e is not None
        return e.grade, e.score, e.explanation["grade_label"]


def load(tmp_path: Path) -> None:
    trader_name, trader = sole_trader(7)
    rows = [
        penalty_row(1, **{"行政相对人名称": HOSTILE, "处罚类别": "吊销许可证件", "处罚决定日期": "2026-06-01"}),
        penalty_row(7, **{"行政相对人名称": trader_name, "行政相对人类别": "个体工商户",
                          "行政相对人代码_1(统一社会信用代码)": trader}),
        penalty_row(8, **{"行政相对人名称": "磐石市测试局", "行政相对人代码_1(统一社会信用代码)": ORGAN_USCC}),
    ]  # fmt: skip
    assert ingest(write_csv(tmp_path / "p.csv", rows)).rejected == 0


def console_page(browser: TestClient, code: str) -> str:
    looked_up = post_form(
        browser, "/console/subjects", {"code": code, "purpose": "评价结果核对"}, form_page="/console"
    )
    page = follow(browser, looked_up)
    assert page.status_code == 200
    return page.text


def test_console_shows_the_full_evaluation_with_its_records(
    world: World, new_browser: Browser, tmp_path: Path
) -> None:
    load(tmp_path)
    operator = signed_in(new_browser, "op-user")
    assert "该主体尚无公共信用综合评价结果" in console_page(operator, SUBJECT_USCC)
    runs.run()
    grade, score, label = grade_of(SUBJECT_USCC)
    assert grade in "CD"  # a severe penalty this year
    text = console_page(operator, SUBJECT_USCC)
    section = text.split('id="evaluation"')[1].split("</section>")[0]
    assert f"{grade} {label}" in section and f"得分 <b>{score}</b>" in section
    assert "enterprise-2026.2" in section and "版本 2026.2" in section
    assert "失信惩戒" in section and "严重行政处罚" in section and "已取得统一社会信用代码" in section
    linked = re.findall(r'href="#record-(\d+)"', section)
    assert len(linked) == 1 and f'id="record-{linked[0]}"' in text  # the record behind it, on the page
    assert "等级变化" in section
    assert "<script>alert" not in text and "&lt;script&gt;" in text  # hostile text shown as text
    queries = signed_in(new_browser, "firm").get("/me").text.split('id="queries"')[1]
    assert queries.count("评价结果核对") == 2  # two page views, two queries: the grade is part of each


def test_me_shows_the_subject_its_own(world: World, new_browser: Browser, tmp_path: Path) -> None:
    load(tmp_path)
    runs.run()
    grade, score, label = grade_of(SUBJECT_USCC)
    page = signed_in(new_browser, "firm").get("/me")
    assert page.status_code == 200
    section = page.text.split('id="evaluation"')[1].split("</section>")[0]
    assert f"{grade} {label}" in section and f"得分 <b>{score}</b>" in section and "等级变化" in section


def test_public_page_shows_the_grade_only_where_the_model_makes_it_public(
    world: World, new_browser: Browser, tmp_path: Path
) -> None:
    load(tmp_path)
    public = new_browser()
    assert "该主体尚无公共信用综合评价结果" in public.get(f"/subjects/{SUBJECT_USCC}").text
    runs.run()
    grade, score, label = grade_of(SUBJECT_USCC)
    page = public.get(f"/subjects/{SUBJECT_USCC}").text
    section = page.split('id="grade"')[1].split("</section>")[0]
    assert "信用等级" in section and f"{grade} {label}" in section and "enterprise-2026.2" in section
    assert str(score) not in page and "失信惩戒" not in page  # the grade alone: no score, no explanation
    trader = public.get(f"/subjects/{sole_trader(7)[1]}").text.split('id="grade"')[1].split("</section>")[0]
    assert "该主体的信用等级不向社会公开" in trader and "grade-" not in trader  # 个体工商户: not public
    organ = public.get(f"/subjects/{ORGAN_USCC}").text.split('id="grade"')[1].split("</section>")[0]
    assert "机关不参与公共信用综合评价" in organ
