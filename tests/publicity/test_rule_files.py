"""Rule files: the shipped ones load and chain by jurisdiction; a typo, an unknown 处罚类别, a class
out of order, overlapping versions or a gap are rejected with the file and the line at fault."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest

from panshi.publicity.rules import (
    RuleFault,
    _File,
    available,
    check_versions,
    jurisdictions_of,
    load_rule,
    parse,
    rule_set,
)

NATIONAL_2023, NATIONAL_2019, JILIN = "national-2023.1", "national-2019.1", "220000-2023.1"


def text_of(rule_id: str) -> str:
    return resources.files("panshi").joinpath("data/publicity", f"{rule_id}.yaml").read_text("utf-8")


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def fault(text: str, filename: str) -> str:
    with pytest.raises(RuleFault) as caught:
        parse(text, filename)
    return caught.value.message


def test_shipped_rules_load() -> None:
    assert {NATIONAL_2019, NATIONAL_2023, JILIN} <= set(available())
    order58 = load_rule(NATIONAL_2023).spec
    assert [(c.minimum_months, c.maximum_months) for c in order58.penalty.classes] == [(3, 36), (12, 36)]
    assert {order58.sectors[s].class_ for s in ("special_equipment", "work_safety", "fire")} == {
        "safety_fields"
    }
    assert order58.publication_working_days == 7
    old = load_rule(NATIONAL_2019).spec
    assert [(c.name, c.minimum_months, c.maximum_months) for c in old.penalty.classes] == [
        ("一般", 3, 12),
        ("严重", 6, 36),
    ]
    assert old.penalty.not_published is None  # every penalty was published under the 2019 rule
    # the province's file keeps the national periods and replaces thresholds only
    jilin = load_rule(JILIN).spec
    assert jilin.penalty.classes == order58.penalty.classes
    assert jilin.sectors["fire"] == order58.sectors["fire"]
    assert (
        jilin.sectors["market_regulation"].low_fine_max != order58.sectors["market_regulation"].low_fine_max
    )
    assert "transport" in jilin.sectors and "transport" not in order58.sectors


def test_jurisdiction_chain_and_versions_by_decision_date() -> None:
    assert jurisdictions_of("220284") == ["220284", "220200", "220000", "national"]
    assert jurisdictions_of("220000") == ["220000", "national"]
    county = rule_set("220284")
    assert county.for_decision(date(2023, 4, 30)).id == NATIONAL_2019  # type: ignore[union-attr]
    assert county.for_decision(date(2023, 5, 1)).id == JILIN  # type: ignore[union-attr]
    elsewhere = rule_set("110105")  # a node outside Jilin: the national rule
    assert elsewhere.for_decision(date(2023, 5, 1)).id == NATIONAL_2023  # type: ignore[union-attr]
    assert elsewhere.for_decision(date(1999, 1, 1)).id == NATIONAL_2019  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("rule_id", "old", "new", "expected"),
    [
        (NATIONAL_2023, "  default_class: general", "  default_clas: general", ["penalty.default_clas", "Extra inputs"]),
        (NATIONAL_2023, "    categories: [警告, 通报批评]", "    categories: [警告, 通报批评, 罚金]",
         ["penalty.not_published.categories[2]", "未知的处罚类别 '罚金'"]),
        (NATIONAL_2019, "    吊销许可证件: serious", "    吊销执照: serious",
         ["penalty.category_classes.吊销执照", "未知的处罚类别 '吊销执照'"]),
        (NATIONAL_2019, "    行政拘留: serious", "    行政拘留: grave", ["category_classes.行政拘留", "未知的公示期类别 'grave'"]),
        (NATIONAL_2023, "minimum_months: 12, maximum_months: 36}", "minimum_months: 2, maximum_months: 36}",
         ["penalty.classes[1]", "须由短到长排列"]),
        (NATIONAL_2023, "      violation_type: [消防]", "      violation_kind: [消防]",
         ["sectors.fire.match.violation_kind", "行政处罚没有字段 'violation_kind'"]),
        (NATIONAL_2019, "minimum_months: 6, maximum_months: 36}", "minimum_months: 60, maximum_months: 36}",
         ["penalty.classes[1]", "短于最短公示期"]),
    ],
)  # fmt: skip
def test_faults_name_file_line_and_entry(rule_id: str, old: str, new: str, expected: list[str]) -> None:
    text = text_of(rule_id)
    assert old in text, old
    bad = text.replace(old, new, 1)
    message = fault(bad, f"{rule_id}.yaml")
    assert f"{rule_id}.yaml 第 {line_of(bad, new.strip())} 行 " in message, message
    for part in expected:
        assert part in message, message


def test_invalid_yaml_names_its_line() -> None:
    bad = text_of(NATIONAL_2023).replace("  classes:\n", "  classes: [\n", 1)
    assert "national-2023.1.yaml 第" in fault(bad, "national-2023.1.yaml")


def test_a_fault_in_an_extending_file_is_reported_in_that_file() -> None:
    bad = text_of(JILIN).replace(
        "low_fine_max: {default: 0.3, natural_person: 0.1}", "low_fine_max: {default: -1}", 1
    )
    message = fault(bad, f"{JILIN}.yaml")
    assert message.startswith(
        f"{JILIN}.yaml 第 {line_of(bad, 'default: -1')} 行 sectors.market_regulation"
    ), message
    unknown_parent = text_of(JILIN).replace("extends: national-2023.1", "extends: national-2099.1")
    assert "没有公示规则 national-2099.1" in fault(unknown_parent, f"{JILIN}.yaml")


def _loaded(rule_id: str, text: str) -> tuple[object, list[_File]]:
    return parse(text, f"{rule_id}.yaml")


def test_overlapping_versions_are_rejected_with_the_line() -> None:
    newer = (
        text_of(NATIONAL_2023)
        .replace('version: "2023.1"', 'version: "2023.2"')
        .replace("in_force: {from: 2023-05-01, to: null}", "in_force: {from: 2024-01-01, to: null}")
    )
    loaded = [_loaded(i, text_of(i)) for i in (NATIONAL_2019, NATIONAL_2023)] + [
        _loaded("national-2023.2", newer)
    ]
    with pytest.raises(RuleFault) as caught:
        check_versions(loaded)  # type: ignore[arg-type]
    message = caught.value.message
    assert (
        f"national-2023.2.yaml 第 {line_of(newer, 'in_force:')} 行 in_force：与 national-2023.1 的施行期间重叠"
        in message
    )


def test_a_gap_in_the_national_versions_is_rejected() -> None:
    later = text_of(NATIONAL_2023).replace(
        "in_force: {from: 2023-05-01, to: null}", "in_force: {from: 2023-06-01, to: null}"
    )
    loaded = [_loaded(NATIONAL_2019, text_of(NATIONAL_2019)), _loaded(NATIONAL_2023, later)]
    with pytest.raises(RuleFault) as caught:
        check_versions(loaded)  # type: ignore[arg-type]
    assert "须紧接 national-2019.1 的结束日（2023-04-30）的次日" in caught.value.message
