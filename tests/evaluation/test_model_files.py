"""Model files: the shipped ones load; a typo, an unknown reference, thresholds that overlap or leave
a gap are rejected with the file, the line and the entry at fault."""

from __future__ import annotations

from importlib import resources

import pytest

from panshi.evaluation.definition import (
    ModelFault,
    available,
    load_model,
    model_set,
    models_of_version,
    parse,
)

ENTERPRISE = "enterprise-2026.1"
INDIVIDUAL = "individual-business-2026.1"
SOCIAL = "social-organisation-2026.1"
INSTITUTION = "public-institution-2026.1"


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
    assert [m.id for m in models_of_version("2026.1")] == [ENTERPRISE, INDIVIDUAL, INSTITUTION, SOCIAL]


@pytest.mark.parametrize(
    ("kind", "uscc", "model", "refusal"),
    [
        ("legal_entity", "91220284MA0000000X", ENTERPRISE, None),
        ("legal_entity", "93220284MA0000000X", ENTERPRISE, None),  # 农民专业合作社
        ("legal_entity", None, ENTERPRISE, None),  # known by an old code only
        ("legal_entity", "51220284MA0000000X", SOCIAL, None),  # 社会团体
        ("legal_entity", "53220284MA0000000X", SOCIAL, None),  # 基金会
        ("legal_entity", "12220284MA0000000X", INSTITUTION, None),  # 事业单位
        ("legal_entity", "11220284MA0000000X", None, "机关不参与公共信用综合评价：机关的诚信是政务诚信"),
        ("legal_entity", "81220284MA0000000X", None, "群众团体和工会不参与"),
        ("legal_entity", "71220284MA0000000X", None, "宗教活动场所和军队单位不参与"),
        ("individual_business", "92220284MA0000000X", INDIVIDUAL, None),
        ("natural_person", None, None, "2026.1 版评价模型不评价自然人"),
    ],
)  # fmt: skip
def test_every_kind_of_subject_has_a_model_or_a_reason(
    kind: str, uscc: str | None, model: str | None, refusal: str | None
) -> None:
    models = model_set("2026.1")
    chosen = models.model_for(kind, uscc)
    assert (chosen.id if chosen else None) == model
    reason = models.why_not(kind, uscc)
    assert (reason is None) == (refusal is None)
    assert refusal is None or refusal in (reason or ""), reason


def test_scope_is_a_model_s_own_and_not_inherited() -> None:
    social = load_model(SOCIAL)
    assert social.spec.uscc_prefixes == ["5"] and social.spec.out_of_scope == []
    assert load_model(INDIVIDUAL).spec.out_of_scope == []
    assert [o.uscc_prefixes for o in load_model(ENTERPRISE).spec.out_of_scope] == [
        ["11"],
        ["13", "8"],
        ["7", "A"],
    ]
    # the social-organisation model is the enterprise model with a lower heavy-fine threshold
    assert social.indicators["penalty_heavy_fine"].match is not None
    assert social.indicators["penalty_heavy_fine"].match.fine_at_least == 5
    assert social.spec.grades == load_model(ENTERPRISE).spec.grades and social.spec.public_grade


def test_two_models_claiming_one_prefix_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from panshi.evaluation import definition

    clash = text_of(INSTITUTION).replace('uscc_prefixes: ["12"]', 'uscc_prefixes: ["5"]')
    twin = parse(clash, f"{INSTITUTION}.yaml")
    with pytest.raises(ModelFault, match="都认领 legal_entity 类主体的代码前缀 5"):
        definition._check_scopes((load_model(ENTERPRISE), load_model(SOCIAL), twin))
    excluded = parse(text_of(INSTITUTION).replace('uscc_prefixes: ["12"]', 'uscc_prefixes: ["11"]'), "x.yaml")
    with pytest.raises(ModelFault, match="out_of_scope（机关）"):
        definition._check_scopes((load_model(ENTERPRISE), excluded))
    catch_all = parse(text_of(INSTITUTION).replace('uscc_prefixes: ["12"]\n', ""), "y.yaml")
    with pytest.raises(ModelFault, match="都评价全部 legal_entity 类主体"):
        definition._check_scopes((load_model(ENTERPRISE), catch_all))
    bad_prefix = text_of(SOCIAL).replace('uscc_prefixes: ["5"]', 'uscc_prefixes: ["S"]')
    assert "uscc_prefixes[0]" in fault(bad_prefix, f"{SOCIAL}.yaml")


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


CURRENT = "enterprise-2026.2"


def test_a_new_version_of_a_model_keeps_its_scope_and_adds_commitments() -> None:
    """enterprise-2026.2 extends enterprise-2026.1 (same code): it keeps the out-of-scope entries that
    another model extending it would not inherit, and adds the commitment indicators."""
    old, new = load_model(ENTERPRISE), load_model(CURRENT)
    assert new.spec.out_of_scope == old.spec.out_of_scope and new.spec.out_of_scope
    assert load_model("individual-business-2026.2").spec.out_of_scope == []
    assert [m.id for m in models_of_version()] == [
        CURRENT,
        "individual-business-2026.2",
        "public-institution-2026.2",
        "social-organisation-2026.2",
    ]
    assert new.dimension_of["commitment_kept"].code == "incentive"
    assert new.dimension_of["commitment_breached"].code == "commitment"
    assert set(old.indicators) < set(new.indicators)
    assert model_set().why_not("legal_entity", "11220284MA0000000X") is not None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("commitment: {fulfilment_any: [全部履行]}", "commitment: {fulfilment_any: [已履行]}",
         ["（commitment_kept）.commitment.fulfilment_any[0]", "未知的承诺履行状态 '已履行'"]),
        ("commitment: {fulfilment_any: [全部履行]}", "commitment: {fulfilment_any: [全部履行, 部分履行]}",
         ["（commitment_kept）.commitment.fulfilment_any", "不能计入同一指标"]),
        ("commitment: {fulfilment_any: [全部未履行]}", "commitment: {fulfilment_any: [全部未履行], types_any: [承诺型]}",
         ["（commitment_breached）.commitment.types_any[0]", "未知的承诺类型 '承诺型'"]),
        ("    points: 10\n", "    points: -10\n", ["（commitment_kept）.points", "履约指标的分值应为正数"]),
        ("    points: -100\n", "    points: 100\n", ["（commitment_breached）.points", "违诺指标的分值应为负数"]),
        ("    commitment: {fulfilment_any: [部分履行]}\n", "",
         ["（commitment_partly_breached）", "须设置 commitment"]),
        ("    commitment: {fulfilment_any: [部分履行]}\n",
         "    commitment: {fulfilment_any: [部分履行]}\n    list_types: [trustworthy]\n",
         ["（commitment_partly_breached）.list_types", "不能设置 list_types"]),
    ],
)  # fmt: skip
def test_commitment_indicator_faults(old: str, new: str, expected: list[str]) -> None:
    text = text_of(CURRENT)
    assert old in text
    message = fault(text.replace(old, new, 1), f"{CURRENT}.yaml")
    assert f"{CURRENT}.yaml 第 " in message, message
    for part in expected:
        assert part in message, message
