"""Model files: the shipped ones load; a typo, an unknown reference, thresholds that overlap or leave
a gap are rejected with the file, the line and the entry at fault."""

from __future__ import annotations

from importlib import resources

import pytest

from panshi.evaluation.definition import ModelFault, available, load_model, models_of_version, parse

ENTERPRISE = "enterprise-2026.1"
INDIVIDUAL = "individual-business-2026.1"


def text_of(model_id: str) -> str:
    return resources.files("panshi").joinpath("data/evaluation", f"{model_id}.yaml").read_text("utf-8")


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def fault(text: str, filename: str = f"{ENTERPRISE}.yaml", parent: str | None = None) -> str:
    """The fault message of `text`; `parent` replaces the shipped enterprise model it may extend."""

    def read(model_id: str) -> str:
        return parent if parent is not None and model_id == ENTERPRISE else text_of(model_id)

    with pytest.raises(ModelFault) as caught:
        parse(text, filename, read=read) if parent is not None else parse(text, filename)
    return caught.value.message


def test_shipped_models_load_and_name_their_version() -> None:
    assert {ENTERPRISE, INDIVIDUAL} <= set(available())
    enterprise, individual = load_model(ENTERPRISE), load_model(INDIVIDUAL)
    assert enterprise.spec.public_grade and not individual.spec.public_grade
    # the individual-business model is the enterprise model with its own changes
    assert individual.indicators["uscc_registered"].points == 20
    assert individual.indicators["penalty_heavy_fine"].match is not None
    assert individual.indicators["penalty_heavy_fine"].match.fine_at_least == 5
    assert individual.indicators["penalty_severe"] == enterprise.indicators["penalty_severe"]
    assert [m.id for m in models_of_version("2026.1")] == [ENTERPRISE, INDIVIDUAL]


@pytest.mark.parametrize(
    ("old", "new", "expected", "at"),
    [
        ("    points: 5\n", "    pionts: 5\n", ["indicators[1]（valid_licenses）.pionts", "Extra inputs"], None),
        ("indicators: [trustworthy_list, customs_aeo]", "indicators: [trustworthy, customs_aeo]",
         ["dimensions[1]（incentive）.indicators[0]", "未知的指标 'trustworthy'"], None),
        ("list_types: [customs_aeo]", "list_types: [customs]", ["（customs_aeo）.list_types[0]", "未知的名单类型 'customs'"], None),
        ("list_types: [serious_dishonest]", "list_types: [trustworthy]", ["（serious_dishonest）", "应为正数"], None),
        ("categories_any: [罚款], fine_at_least: 10", "categories_any: [罚金], fine_at_least: 10",
         ["（penalty_heavy_fine）.match.categories_any[0]", "未知的处罚类别 '罚金'"], None),
        ("  - {grade: B, label: 良, min: 700, max: 850}", "  - {grade: B, label: 良, min: 690, max: 850}",
         ["grades[2].min", "与前一等级重叠"], None),
        ("  - {grade: A, label: 优, min: 850, max: 1000}", "  - {grade: A, label: 优, min: 860, max: 1000}",
         ["grades[3].min", "空档：850 至 860"], None),
        ("  - {grade: A, label: 优, min: 850, max: 1000}", "  - {grade: A, label: 优, min: 850, max: 990}",
         ["grades[3].max", "上限应为分数范围上限"], None),
        ("                 judgment_defaulter, sector_black_lists]", "                 judgment_defaulter]",
         ["（sector_black_lists）", "不属于任何维度"], "- code: sector_black_lists"),
        ("    decay: {kind: half_life, days: 730}", "    decay: {kind: halflife, days: 730}",
         ["（penalty_severe）.decay.kind"], None),
        ("    points: -150\n", "    points: 150\n", ["（penalty_severe）.points", "应为负数"], None),
        ("public_grade: true", "public_grade: maybe", ["public_grade"], None),
    ],
)  # fmt: skip
def test_faults_name_file_line_and_entry(old: str, new: str, expected: list[str], at: str | None) -> None:
    """`at`: the line the fault is at, when it is not the changed line (by default it is)."""
    text = text_of(ENTERPRISE)
    assert old in text
    bad = text.replace(old, new, 1)
    line = line_of(bad, at) if at else text[: text.index(old)].count("\n") + 1
    message = fault(bad)
    assert f"{ENTERPRISE}.yaml 第 {line} 行 " in message, message
    for part in expected:
        assert part in message, message


def test_invalid_yaml_names_its_line() -> None:
    bad = text_of(ENTERPRISE).replace("base_score: 750", "base_score: [750", 1)
    assert "不是有效的 YAML" in fault(bad)


def test_extending_file_faults_are_reported_in_that_file() -> None:
    child = text_of(INDIVIDUAL)
    bad = child.replace("fine_at_least: 5}", "fine_at_least: -5}", 1)
    message = fault(bad, f"{INDIVIDUAL}.yaml")
    assert message.startswith(f"{INDIVIDUAL}.yaml 第 {line_of(bad, 'fine_at_least: -5')} 行 "), message
    assert "indicators[1]（penalty_heavy_fine）.match.fine_at_least" in message
    typo = child.replace("    points: 20", "    point: 20", 1)
    message = fault(typo, f"{INDIVIDUAL}.yaml")
    assert f"第 {line_of(typo, 'point: 20')} 行 indicators[0]（uscc_registered）.point：未知的键" in message


def test_a_fault_in_the_parent_is_reported_in_the_parent() -> None:
    parent = text_of(ENTERPRISE).replace("    cap: 450", "    cap: -450", 1)
    message = fault(text_of(INDIVIDUAL), f"{INDIVIDUAL}.yaml", parent=parent)
    assert message.startswith(f"{ENTERPRISE}.yaml 第 {line_of(parent, 'cap: -450')} 行 "), message


def test_unknown_parent_is_a_fault() -> None:
    bad = text_of(INDIVIDUAL).replace("extends: enterprise-2026.1", "extends: enterprise-2025.9")
    assert "没有评价模型 enterprise-2025.9" in fault(bad, f"{INDIVIDUAL}.yaml")
