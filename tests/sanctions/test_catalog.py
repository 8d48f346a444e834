"""The list-type and measures catalogs: the shipped data validates, and faults name file, line and entry."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from panshi.catalog.service import load_catalog
from panshi.core.timeutil import add_months
from panshi.sanctions.catalog import CatalogFault, ListKind, load, parse
from panshi.sanctions.entries import open_end_floor


def _texts() -> tuple[str, str]:
    base = resources.files("panshi").joinpath("data", "sanctions")
    version = load().version
    return (base.joinpath(f"list-types-{version}.yaml").read_text("utf-8"),
            base.joinpath(f"measures-{version}.yaml").read_text("utf-8"))  # fmt: skip


def test_shipped_catalog_has_the_lists_the_issue_names() -> None:
    catalog = load()
    names = {t.name for t in catalog.list_types.values()}
    assert {"严重失信主体名单", "失信被执行人", "重大税收违法失信主体", "安全生产严重失信主体", "政府采购严重违法失信",
            "严重违法失信企业名单", "经营异常名录", "A级纳税人", "海关高级认证企业", "守信激励对象"} <= names  # fmt: skip
    scenarios = {s.name for s in catalog.scenarios.values()}
    assert {
        "政府采购",
        "招标投标",
        "行政许可",
        "财政资金",
        "评优评先",
        "国有土地出让",
        "融资信贷",
        "任职资格",
    } <= scenarios
    for t in catalog.list_types.values():  # every list has at least one measure
        assert any(t.code in m.list_types for m in catalog.measures.values()), t.code
    assert [m.code for m in catalog.measures_for("judgment_defaulter", "consumption")] == ["P09"]
    assert all(
        m.kind.value == "incentive" for m in catalog.measures_for("tax_grade_a", "administrative_licensing")
    )


def test_list_types_are_the_values_of_the_catalog_field() -> None:
    values = set(load_catalog().record_types["list_entry"].field("list_type").values)
    assert values == {key for t in load().list_types.values() for key in (t.code, t.name)}


@pytest.mark.parametrize(
    ("which", "old", "new", "expected"),
    [
        ("lists", "duration_months: 24", "duration_months: two", ["list-types.yaml 第 ", "（judgment_defaulter）.duration_months"]),
        ("lists", "listed_by: [court]", "listed_by: [courts]", ["（judgment_defaulter）.listed_by[0]", "未知的部门类别 'courts'"]),
        ("lists", "kind: red\n    listed_by: [tax]", "kind: purple\n    listed_by: [tax]", ["（tax_grade_a）.kind"]),
        ("lists", "name: 经营异常名录", "name: 失信被执行人", ["与 list_types[1] 重复"]),
        ("measures", "scenarios: [land_transfer]", "scenarios: [land]", ["measures.yaml 第 ", "（P05）.scenarios[0]", "'land'"]),
        ("measures", "list_types: [customs_aeo]", "list_types: [customs]", ["（R06）.list_types[0]", "未知的名单类型 'customs'"]),
        ("measures", "list_types: [major_tax_violation]\n", "list_types: [tax_grade_a]\n", ["（P11）", "应为激励(incentive)"]),
        ("measures", "  - code: P02", "  - code: P01", ["措施代码 P01 与 measures[0] 重复"]),
        ("measures", "version: \"2026.1\"", "version: [", ["measures.yaml 第 ", "不是有效的 YAML"]),
    ],
)  # fmt: skip
def test_faults_name_file_line_and_entry(which: str, old: str, new: str, expected: list[str]) -> None:
    lists, measures = _texts()
    if which == "lists":
        assert old in lists
        lists = lists.replace(old, new, 1)
    else:
        assert old in measures
        measures = measures.replace(old, new, 1)
    with pytest.raises(CatalogFault) as fault:
        parse(lists, measures)
    for part in expected:
        assert part in fault.value.message


def test_fault_line_is_the_line_of_the_entry() -> None:
    lists, measures = _texts()
    bad = lists.replace("duration_months: 24", "duration_months: -1", 1)
    line = next(i for i, text in enumerate(bad.splitlines(), 1) if "duration_months: -1" in text)
    with pytest.raises(CatalogFault) as fault:
        parse(bad, measures)
    assert f"第 {line} 行" in fault.value.message


def test_catalog_and_record_catalog_must_agree() -> None:
    lists, measures = _texts()
    extra = lists.replace("  - code: trustworthy", "  - code: extra_list\n    name: 新名单\n    kind: red\n"
                          "    listed_by: [any]\n    duration_months: 12\n    public: true\n    legal_basis: [某文件]\n"
                          "  - code: trustworthy")  # fmt: skip
    with pytest.raises(CatalogFault, match="目录缺少"):
        parse(extra, measures)
    assert parse(extra, measures, check_record_catalog=False).list_type("新名单") is not None


def test_default_end_is_the_day_before_the_anniversary() -> None:
    defaulter = load().list_types["judgment_defaulter"]
    assert defaulter.default_end(date(2024, 3, 1)) == date(2026, 2, 28)
    assert defaulter.default_end(date(2024, 2, 29)) == date(2026, 2, 27)  # 2026-02-28 is the anniversary
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert load().list_types["tax_grade_a"].kind is ListKind.red


@given(
    st.dates(date(2000, 1, 1), date(2060, 12, 31)),
    st.integers(-2000, 2000),
    st.sampled_from(sorted(load().list_types)),
)
def test_open_end_floor_matches_the_window(on: date, offset: int, code: str) -> None:
    """An entry without an end is in force on `on` exactly when it started between the floor and `on`."""
    list_type = load().list_types[code]
    start = on - timedelta(days=offset)
    in_force = start <= on <= list_type.default_end(start)
    assert in_force == (open_end_floor(list_type, on) <= start <= on)
