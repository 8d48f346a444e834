"""Evaluation models (评价模型) as versioned data: `data/evaluation/<code>-<version>.yaml`, validated
when loaded.

A fault names the file, the line and the entry, e.g. `enterprise-2026.1.yaml 第 40 行
dimensions[1]（incentive）.indicators[0]：未知的指标 'trustworthy'`. A model that `extends` another
is merged with it (top-level keys replace, `indicators` and `dimensions` merge by code) and each fault
is reported in the file and at the line its entry came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal, NoReturn

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from panshi.core.errors import PanshiError
from panshi.core.yamldata import Loc, load_yaml, located

DATA_DIR = "data/evaluation"
PENALTY_TYPE, LICENSE_TYPE, LIST_TYPE = "admin_penalty", "admin_license", "list_entry"
COMMITMENT_TYPE = "credit_commitment"
KEPT = "全部履行"  # 承诺履行状态 of a commitment kept; the other states are breaches (违诺)
_CODE = r"^[a-z][a-z0-9_]*$"
_MERGED = ("indicators", "dimensions")
# A model's scope is its own: another model that extends it does not inherit it; a new version of the
# same model (same `code`) does.
_SCOPE = ("uscc_prefixes", "out_of_scope")
_USCC_PREFIX = r"^[0-9A-HJ-NP-RTUWXY]{1,2}$"  # registration authority (pos. 1), and category (pos. 2)
KIND_LABELS = {
    "legal_entity": "法人及非法人组织",
    "individual_business": "个体工商户",
    "natural_person": "自然人",
}


class ModelFault(PanshiError):
    """A model file that does not validate; the message names file, line and entry."""

    code = "bad_evaluation_model"
    status_code = 500


class UnknownModel(PanshiError):
    code = "unknown_evaluation_model"
    status_code = 404


class Source(StrEnum):
    subject = "subject"  # a fact about the subject itself
    license = "license"  # 行政许可 in force on the evaluation date
    penalty = "penalty"  # 行政处罚, by severity class (the first matching penalty indicator)
    list_entry = "list_entry"  # red and black list entries in force on the evaluation date
    commitment = "commitment"  # 信用承诺 whose 履行状态 was assessed on or before the evaluation date


class Decay(BaseModel):
    """How a record's points fade with the days since its decision."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["linear", "half_life"]
    days: int = Field(gt=0, le=36_600)


class PenaltyMatch(BaseModel):
    """Which penalty decisions an indicator takes: any of these 处罚类别 (none: any), a fine of at least
    `fine_at_least` 万元."""

    model_config = ConfigDict(extra="forbid")
    categories_any: list[str] = []
    fine_at_least: float | None = Field(default=None, ge=0)


class CommitmentMatch(BaseModel):
    """Which assessed commitments an indicator takes: any of these 承诺履行状态, and of these 承诺类型
    (none: any)."""

    model_config = ConfigDict(extra="forbid")
    fulfilment_any: list[str] = Field(min_length=1)
    types_any: list[str] = []


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=_CODE, max_length=64)
    name: str = Field(min_length=2, max_length=100)
    source: Source
    points: float = Field(ge=-10_000, le=10_000)
    cap: float | None = Field(default=None, gt=0)  # the indicator's total is at most this much in size
    decay: Decay | None = None
    fact: Literal["has_uscc"] | None = None  # source subject
    match: PenaltyMatch | None = None  # source penalty
    commitment: CommitmentMatch | None = None  # source commitment
    list_types: list[str] = []  # source list_entry
    description: str = ""


class Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=_CODE, max_length=64)
    name: str = Field(min_length=2, max_length=100)
    indicators: list[str] = Field(min_length=1)
    min: float
    max: float


class Grade(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grade: str = Field(pattern=r"^[A-Z][A-Z+-]{0,3}$")
    label: str = Field(min_length=1, max_length=10)
    min: float
    max: float


UsccPrefix = Annotated[str, Field(pattern=_USCC_PREFIX)]


class OutOfScope(BaseModel):
    """Subjects of the model's kinds that no model of its version grades, and why (shown to users)."""

    model_config = ConfigDict(extra="forbid")
    uscc_prefixes: list[UsccPrefix] = Field(min_length=1)
    name: str = Field(min_length=2, max_length=60)
    reason: str = Field(min_length=4, max_length=300)


class ModelSpec(BaseModel):
    """One evaluation model file, after `extends` is merged."""

    model_config = ConfigDict(extra="forbid")
    extends: str | None = None
    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)
    version: str = Field(pattern=r"^\d+(\.\d+)*$")
    name: str = Field(min_length=2, max_length=100)
    standard: str = ""
    subject_kinds: list[Literal["legal_entity", "individual_business", "natural_person"]] = Field(
        min_length=1
    )
    # Only subjects whose USCC starts with one of these (e.g. "5" 民政, "12" 事业单位); none: every
    # subject of its kinds that no model with a longer matching prefix takes and `out_of_scope` leaves.
    uscc_prefixes: list[UsccPrefix] = []
    out_of_scope: list[OutOfScope] = []
    public_grade: bool
    base_score: float
    score_range: tuple[float, float]
    indicators: list[Indicator] = Field(min_length=1)
    dimensions: list[Dimension] = Field(min_length=1)
    grades: list[Grade] = Field(min_length=2)


@dataclass(frozen=True)
class EvaluationModel:
    """A validated model with its look-ups."""

    spec: ModelSpec
    indicators: dict[str, Indicator] = field(repr=False)  # by code, in file order
    dimension_of: dict[str, Dimension] = field(repr=False)  # indicator code -> its dimension

    @property
    def id(self) -> str:
        return f"{self.spec.code}-{self.spec.version}"

    @property
    def version(self) -> str:
        return self.spec.version

    def of_source(self, source: Source) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.source is source]

    def grade_of(self, score: float) -> Grade:
        low, high = self.spec.score_range
        for grade in self.spec.grades:
            if grade.min <= score < grade.max or (score == high and grade.max == high):
                return grade
        raise ValueError(f"score {score} outside {low}..{high}")  # cannot happen: grades are checked


# --- files ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # one per file read: compared by identity
class _File:
    name: str
    text: str
    raw: dict[str, Any]


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


@cache
def available() -> tuple[str, ...]:
    """Model ids (`<code>-<version>`) of the shipped files, by version."""
    names = [f.name for f in resources.files("panshi").joinpath(DATA_DIR).iterdir()]
    ids = [n[: -len(".yaml")] for n in names if n.endswith(".yaml")]
    return tuple(sorted(ids, key=lambda i: (_version_key(i.rsplit("-", 1)[1]), i)))


def _read(model_id: str) -> str:
    if model_id not in available():
        raise UnknownModel(f"没有评价模型 {model_id}；已有：{', '.join(available())}")
    return resources.files("panshi").joinpath(DATA_DIR, f"{model_id}.yaml").read_text("utf-8")


@cache
def load_model(model_id: str) -> EvaluationModel:
    """The shipped model `model_id` (e.g. `enterprise-2026.1`), validated."""
    model = parse(_read(model_id), f"{model_id}.yaml", read=_read)
    if model.id != model_id:
        raise ModelFault(f"{model_id}.yaml 的 code 与 version 应为文件名 {model_id}，实为 {model.id}")
    return model


@cache
def models_of_version(version: str | None = None) -> tuple[EvaluationModel, ...]:
    """Every model of `version` (default: the newest); no two may evaluate the same kind of subject."""
    versions = sorted({i.rsplit("-", 1)[1] for i in available()}, key=_version_key)
    version = version or versions[-1]
    if version not in versions:
        raise UnknownModel(f"没有版本为 {version} 的评价模型；已有版本：{', '.join(versions)}")
    models = tuple(load_model(i) for i in available() if i.rsplit("-", 1)[1] == version)
    _check_scopes(models)
    return models


def _check_scopes(models: tuple[EvaluationModel, ...]) -> None:
    """Each subject falls to one model or one out-of-scope entry: one catch-all model per kind, and no
    USCC prefix claimed twice for a kind (by two models, or by a model and an out-of-scope entry)."""
    catch_all: dict[str, str] = {}
    claimed: dict[tuple[str, str], str] = {}
    for m in models:
        for kind in m.spec.subject_kinds:
            if not m.spec.uscc_prefixes:
                if kind in catch_all:
                    raise ModelFault(
                        f"{m.id}.yaml 与 {catch_all[kind]}.yaml 都评价全部 {kind} 类主体（未设 uscc_prefixes）"
                    )
                catch_all[kind] = m.id
            scoped = [(p, f"{m.id}.yaml") for p in m.spec.uscc_prefixes]
            scoped += [
                (p, f"{m.id}.yaml out_of_scope（{o.name}）")
                for o in m.spec.out_of_scope
                for p in o.uscc_prefixes
            ]
            for prefix, where in scoped:
                if (kind, prefix) in claimed:
                    raise ModelFault(
                        f"{where} 与 {claimed[(kind, prefix)]} 都认领 {kind} 类主体的代码前缀 {prefix}"
                    )
                claimed[(kind, prefix)] = where


@dataclass(frozen=True)
class ModelSet:
    """The models of one version, and which of them grades a subject (or why none does)."""

    models: tuple[EvaluationModel, ...]

    @property
    def ids(self) -> str:
        """The model ids, sorted and comma-separated (as a run names them)."""
        return ",".join(sorted(m.id for m in self.models))

    @property
    def kinds(self) -> list[str]:
        return sorted({k for m in self.models for k in m.spec.subject_kinds})

    def model_for(self, kind: str, uscc: str | None) -> EvaluationModel | None:
        """The model that grades a subject of `kind` with `uscc`; None when none does (see `why_not`)."""
        return self._assign(kind, uscc)[0]

    def why_not(self, kind: str, uscc: str | None) -> str | None:
        """Why no model grades such a subject, in words for its users; None when one does."""
        return self._assign(kind, uscc)[1]

    def _assign(self, kind: str, uscc: str | None) -> tuple[EvaluationModel | None, str | None]:
        """The longest USCC prefix that a model or an out-of-scope entry claims decides; else the kind's
        catch-all model (load checks make the answer unique)."""
        code = uscc or ""
        best: tuple[int, EvaluationModel | None, str | None] = (0, None, None)
        catch_all = None
        for m in (m for m in self.models if kind in m.spec.subject_kinds):
            if not m.spec.uscc_prefixes:
                catch_all = m
            for prefix in m.spec.uscc_prefixes:
                if code.startswith(prefix) and len(prefix) > best[0]:
                    best = (len(prefix), m, None)
            for o in m.spec.out_of_scope:
                for prefix in o.uscc_prefixes:
                    if code.startswith(prefix) and len(prefix) > best[0]:
                        best = (len(prefix), None, f"{o.name}不参与公共信用综合评价：{o.reason}")
        if best[0]:
            return best[1], best[2]
        if catch_all is not None:
            return catch_all, None
        label = KIND_LABELS.get(kind, kind)
        versions = "、".join(sorted({m.version for m in self.models}))
        return None, f"{versions} 版评价模型不评价{label}：{label}的信用以记录和名单为准，不作综合评价"


def resolve(selector: str | None) -> tuple[EvaluationModel, ...]:
    """The models a `--model` option names: a model id, a version (all its models), or the newest."""
    if selector and selector in available():
        return (load_model(selector),)
    return models_of_version(selector)


def model_set(selector: str | None = None) -> ModelSet:
    """The models a `--model` option names (see `resolve`), with the rule of which grades whom."""
    return ModelSet(resolve(selector))


# --- parsing and checks --------------------------------------------------------------------------


def parse(text: str, filename: str, *, read: Any = _read, _seen: tuple[str, ...] = ()) -> EvaluationModel:
    """Validate a model file's text (`read(model_id)` supplies the texts of the models it extends)."""
    raw, _tree = load_yaml(text, filename, error=ModelFault)
    if not isinstance(raw, dict):
        raise ModelFault(f"{filename} 第 1 行：评价模型须为键值映射")
    own = _File(filename, text, raw)
    files = [own]
    merged = dict(raw)
    origins: dict[tuple[str, int], list[tuple[_File, int]]] = {}
    parent_id = raw.get("extends")
    if parent_id is not None:
        if not isinstance(parent_id, str) or parent_id in _seen:
            _fail([(own, ("extends",), f"不能继承 '{parent_id}'（循环或不是模型名）")])
        try:
            parent_text = read(parent_id)
        except UnknownModel as exc:
            _fail([(own, ("extends",), exc.message)])
        parent = parse(parent_text, f"{parent_id}.yaml", read=read, _seen=(*_seen, parent_id))
        parent_file = _File(f"{parent_id}.yaml", parent_text, _raw_of(parent_text))
        files.append(parent_file)
        _check_keys(own)
        merged, origins = _merge(parent.spec.model_dump(exclude={"extends"}), own, parent_file)
    else:
        origins = {(s, i): [(own, i)] for s in _MERGED for i in range(len(raw.get(s) or []))}
    try:
        spec = ModelSpec.model_validate(merged)
    except ValidationError as exc:
        _fail([(*_origin(own, files, origins, tuple(e["loc"])), e["msg"]) for e in exc.errors()])
    faults = _cross_check(spec)
    if faults:
        _fail([(*_origin(own, files, origins, loc), message) for loc, message in faults])
    return EvaluationModel(
        spec=spec,
        indicators={i.code: i for i in spec.indicators},
        dimension_of={code: d for d in spec.dimensions for code in d.indicators},
    )


def _raw_of(text: str) -> dict[str, Any]:
    raw, _ = load_yaml(text, "", error=ModelFault)
    return raw if isinstance(raw, dict) else {}


def _check_keys(own: _File) -> None:
    """An extending file gives partial entries: check its keys here, their values after the merge."""
    faults: list[tuple[_File, Loc, str]] = []
    top = set(ModelSpec.model_fields)
    for key in own.raw:
        if key not in top:
            faults.append((own, (key,), f"未知的键 '{key}'"))
    for section, model in (("indicators", Indicator), ("dimensions", Dimension)):
        entries = own.raw.get(section) or []
        if not isinstance(entries, list):
            faults.append((own, (section,), "须为列表"))
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
                faults.append((own, (section, i), "须为带 code 的映射"))
                continue
            faults += [
                (own, (section, i, k), f"未知的键 '{k}'") for k in entry if k not in model.model_fields
            ]
    if faults:
        _fail(faults)


def _merge(
    parent: dict[str, Any], own: _File, parent_file: _File
) -> tuple[dict[str, Any], dict[tuple[str, int], list[tuple[_File, int]]]]:
    """The parent's document with the child's keys applied, and where each merged entry came from
    (the child's entry first, then the parent's)."""
    same_model = own.raw.get("code", parent["code"]) == parent["code"]
    not_inherited = ("extends",) if same_model else ("extends", *_SCOPE)
    merged = {k: v for k, v in parent.items() if k not in not_inherited}
    merged.update({k: v for k, v in own.raw.items() if k not in (*_MERGED, "extends")})
    origins: dict[tuple[str, int], list[tuple[_File, int]]] = {}
    for section in _MERGED:
        entries = [dict(e) for e in parent[section]]
        index = {e["code"]: i for i, e in enumerate(entries)}
        for i in range(len(entries)):
            origins[(section, i)] = [(parent_file, i)]
        for j, entry in enumerate(own.raw.get(section) or []):
            if entry["code"] in index:
                i = index[entry["code"]]
                entries[i].update(entry)
                origins[(section, i)] = [(own, j), (parent_file, i)]
            else:
                entries.append(dict(entry))
                origins[(section, len(entries) - 1)] = [(own, j)]
        merged[section] = entries
    return merged, origins


def _origin(
    own: _File, files: list[_File], origins: dict[tuple[str, int], list[tuple[_File, int]]], loc: Loc
) -> tuple[_File, Loc]:
    """The file, and the path in it, that a fault at `loc` of the merged model is to be reported at."""
    if len(loc) >= 2 and loc[0] in _MERGED and isinstance(loc[1], int) and (loc[0], loc[1]) in origins:
        candidates = origins[(loc[0], loc[1])]
        for file, index in candidates:
            entry = (file.raw.get(loc[0]) or [])[index]
            if len(loc) == 2 or (isinstance(entry, dict) and loc[2] in entry):
                return file, (loc[0], index, *loc[2:])
        file, index = candidates[0]
        return file, (loc[0], index, *loc[2:])
    if loc and loc[0] not in own.raw:
        for file in files[1:]:
            if loc[0] in file.raw:
                return file, loc
    return own, loc


def _fail(faults: list[tuple[_File, Loc, str]]) -> NoReturn:
    lines: list[str] = []
    for file in dict.fromkeys(f for f, _, _ in faults):
        lines += located([(loc, m) for f, loc, m in faults if f is file], file.text, file.name)
    raise ModelFault("；\n".join(lines))


def _cross_check(spec: ModelSpec) -> list[tuple[Loc, str]]:
    """What one entry cannot say about itself: references, signs, sources' settings, thresholds."""
    from panshi.catalog.service import load_catalog
    from panshi.sanctions.catalog import ListKind
    from panshi.sanctions.catalog import load as load_lists

    lists = load_lists()
    catalog = load_catalog()
    categories = set(catalog.record_types[PENALTY_TYPE].field("penalty_categories").values)
    commitments = catalog.record_types[COMMITMENT_TYPE]
    fulfilments, commitment_types = (
        set(commitments.field(name).values) for name in ("fulfilment", "commitment_type")
    )
    faults: list[tuple[Loc, str]] = []
    codes: dict[str, int] = {}
    for i, ind in enumerate(spec.indicators):
        at: Loc = ("indicators", i)
        if ind.code in codes:
            faults.append(((*at, "code"), f"指标代码 {ind.code} 与 indicators[{codes[ind.code]}] 重复"))
        codes.setdefault(ind.code, i)
        if ind.points == 0:
            faults.append(((*at, "points"), "分值不能为 0"))
        elif ind.source is Source.penalty and ind.points > 0:
            faults.append(((*at, "points"), "行政处罚指标的分值应为负数（处罚不能加分）"))
        needs = {Source.subject: "fact", Source.penalty: "match", Source.list_entry: "list_types",
                 Source.commitment: "commitment"}  # fmt: skip
        for key in needs.values():
            given = bool(getattr(ind, key)) if key == "list_types" else getattr(ind, key) is not None
            if given and needs.get(ind.source) != key:
                faults.append(((*at, key), f"来源为 {ind.source.value} 的指标不能设置 {key}"))
        if ind.source is Source.subject and ind.fact is None:
            faults.append((at, "来源为 subject 的指标须设置 fact"))
        if ind.source is Source.penalty and ind.match is None:
            faults.append((at, "来源为 penalty 的指标须设置 match（{} 表示其余全部处罚）"))
        if ind.source is Source.list_entry and not ind.list_types:
            faults.append((at, "来源为 list_entry 的指标须列出 list_types"))
        if ind.source is Source.commitment:
            faults += _commitment_faults(ind, at, fulfilments, commitment_types)
        if ind.decay is not None and ind.source in (Source.subject, Source.list_entry):
            faults.append(((*at, "decay"), "名单和主体信息只在有效期内计分，不能设置 decay"))
        for j, category in enumerate(ind.match.categories_any if ind.match else []):
            if category not in categories:
                faults.append(((*at, "match", "categories_any", j), f"未知的处罚类别 '{category}'"))
        for j, code in enumerate(ind.list_types):
            list_type = lists.list_types.get(code)
            if list_type is None:
                faults.append(((*at, "list_types", j), f"未知的名单类型 '{code}'"))
            elif (list_type.kind is ListKind.red) != (ind.points > 0):
                sign = "正" if list_type.kind is ListKind.red else "负"
                faults.append(((*at, "list_types", j), f"名单 '{code}' 的分值应为{sign}数"))
    placed: dict[str, str] = {}
    for i, dim in enumerate(spec.dimensions):
        at = ("dimensions", i)
        if dim.min > dim.max:
            faults.append(((*at, "min"), f"下限 {dim.min:g} 大于上限 {dim.max:g}"))
        for j, code in enumerate(dim.indicators):
            if code not in codes:
                faults.append(((*at, "indicators", j), f"未知的指标 '{code}'"))
            elif code in placed:
                faults.append(((*at, "indicators", j), f"指标 '{code}' 已属于维度 {placed[code]}"))
            placed.setdefault(code, dim.code)
    for code, i in codes.items():
        if code not in placed:
            faults.append((("indicators", i), f"指标 '{code}' 不属于任何维度"))
    return faults + _grade_faults(spec)


def _commitment_faults(
    ind: Indicator, at: Loc, fulfilments: set[str], commitment_types: set[str]
) -> list[tuple[Loc, str]]:
    """A commitment indicator counts kept commitments (positive) or breaches (negative), never both."""
    if ind.commitment is None:
        return [(at, "来源为 commitment 的指标须设置 commitment（fulfilment_any：承诺履行状态）")]
    faults: list[tuple[Loc, str]] = []
    match = ind.commitment
    for j, value in enumerate(match.fulfilment_any):
        if value not in fulfilments:
            faults.append(((*at, "commitment", "fulfilment_any", j), f"未知的承诺履行状态 '{value}'"))
    for j, value in enumerate(match.types_any):
        if value not in commitment_types:
            faults.append(((*at, "commitment", "types_any", j), f"未知的承诺类型 '{value}'"))
    kept = {v == KEPT for v in match.fulfilment_any}
    if len(kept) > 1:
        faults.append(((*at, "commitment", "fulfilment_any"), f"履约（{KEPT}）与违诺不能计入同一指标"))
    elif kept == {True} and ind.points < 0:
        faults.append(((*at, "points"), "履约指标的分值应为正数"))
    elif kept == {False} and ind.points > 0:
        faults.append(((*at, "points"), "违诺指标的分值应为负数"))
    return faults


def _grade_faults(spec: ModelSpec) -> list[tuple[Loc, str]]:
    """Grades from the lowest up must tile score_range: no gap, no overlap, nothing outside."""
    low, high = spec.score_range
    faults: list[tuple[Loc, str]] = []
    if low >= high:
        return [(("score_range",), f"分数范围 [{low:g}, {high:g}] 无效")]
    if not low <= spec.base_score <= high:
        faults.append((("base_score",), f"基础分 {spec.base_score:g} 不在分数范围 [{low:g}, {high:g}] 内"))
    expected = low
    names: set[str] = set()
    for i, g in enumerate(spec.grades):
        if g.grade in names:
            faults.append((("grades", i, "grade"), f"等级 {g.grade} 重复"))
        names.add(g.grade)
        if g.min >= g.max:
            faults.append((("grades", i), f"等级 {g.grade} 的下限 {g.min:g} 不小于上限 {g.max:g}"))
        if g.min < expected:
            faults.append((("grades", i, "min"), f"等级 {g.grade} 与前一等级重叠（应从 {expected:g} 起）"))
        elif g.min > expected:
            faults.append(
                (("grades", i, "min"), f"等级 {g.grade} 前有空档：{expected:g} 至 {g.min:g} 不属于任何等级")
            )
        expected = g.max
    if expected != high:
        faults.append((("grades", len(spec.grades) - 1, "max"), f"最高等级的上限应为分数范围上限 {high:g}"))
    return faults
