"""Publicity rules (公示规则) as versioned data per jurisdiction: `data/publicity/<jurisdiction>-<version>.yaml`.

A rule says which penalties are not published, the publicity periods (classes, from the shortest)
that penalty types, fines and sectors give a decision, and how licenses are published. A file may
`extends` another (a province's thresholds over the national rule): top-level keys replace, `penalty`
keys replace one by one, `sectors` merge by code. A fault names the file, the line and the entry.

The rule that applies to a record is the version in force on its decision date of the most specific
jurisdiction of this node (node 220284: 220284, then 220200, then 220000, then national).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, NoReturn

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from panshi.core.errors import PanshiError
from panshi.core.settings import get_settings
from panshi.core.yamldata import Loc, fault_at, load_yaml

DATA_DIR = "data/publicity"
NATIONAL = "national"
PENALTY, LICENSE = "admin_penalty", "admin_license"
SUBJECT_KINDS = ("legal_entity", "individual_business", "natural_person")


class RuleFault(PanshiError):
    """A rule file that does not validate; the message names file, line and entry."""

    code = "bad_publicity_rule"
    status_code = 500


class UnknownRule(PanshiError):
    code = "unknown_publicity_rule"
    status_code = 404


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class AmountByKind(_Strict):
    """An amount in 万元 by subject kind; `default` for the kinds not named."""

    default: float = Field(ge=0)
    legal_entity: float | None = Field(default=None, ge=0)
    individual_business: float | None = Field(default=None, ge=0)
    natural_person: float | None = Field(default=None, ge=0)

    def of(self, kind: str) -> float:
        value = getattr(self, kind, None)
        return self.default if value is None else float(value)


class InForce(_Strict):
    """Decision dates the version applies to, both inclusive; none: open on that side."""

    start: date | None = Field(default=None, alias="from")
    end: date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> InForce:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"结束日 {self.end} 早于开始日 {self.start}")
        return self

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def overlaps(self, other: InForce) -> bool:
        return (self.start is None or other.end is None or self.start <= other.end) and (
            other.start is None or self.end is None or other.start <= self.end
        )


class NotPublished(_Strict):
    """Decisions of only these penalty types (and a fine at or below the low-fine threshold) are not published."""

    categories: list[str] = Field(min_length=1)
    low_fine_category: str | None = None


class PeriodClass(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    name: str = Field(min_length=1, max_length=60)
    minimum_months: int = Field(ge=0, le=1200)
    maximum_months: int = Field(ge=1, le=1200)

    @model_validator(mode="after")
    def _ordered(self) -> PeriodClass:
        if self.maximum_months < self.minimum_months:
            raise ValueError(
                f"最长公示期 {self.maximum_months} 个月短于最短公示期 {self.minimum_months} 个月"
            )
        return self


class FineClass(_Strict):
    """A fine of at least `at_least` 万元 gives the decision at least class `class_`."""

    at_least: AmountByKind
    class_: str = Field(alias="class")


class PenaltyRule(_Strict):
    not_published: NotPublished | None = None
    classes: list[PeriodClass] = Field(min_length=1)
    default_class: str
    category_classes: dict[str, str] = {}  # 处罚类别 -> class code
    fine_classes: list[FineClass] = []
    low_fine_max: AmountByKind = AmountByKind(default=0)


class Sector(_Strict):
    """A field (领域): recognised by words in fields of the penalty; its class and low-fine threshold."""

    name: str = Field(min_length=1, max_length=60)
    match: dict[str, list[str]] = Field(min_length=1)  # field name -> words (any of them)
    class_: str | None = Field(default=None, alias="class")
    low_fine_max: AmountByKind | None = None


class LicenseRule(_Strict):
    end_field: str | None = None  # e.g. valid_to; none: public with no end


class RuleSpec(_Strict):
    """One rule file, after `extends` is merged."""

    jurisdiction: str = Field(pattern=r"^(national|\d{6})$")
    version: str = Field(pattern=r"^\d+(\.\d+)*$")
    title: str = Field(min_length=2, max_length=200)
    in_force: InForce
    publication_working_days: int = Field(ge=1, le=60)
    penalty: PenaltyRule
    sectors: dict[str, Sector] = {}
    license: LicenseRule = LicenseRule()


@dataclass(frozen=True)
class Rule:
    """A validated rule version with its look-ups."""

    spec: RuleSpec

    @property
    def id(self) -> str:
        return f"{self.spec.jurisdiction}-{self.spec.version}"

    def rank(self, class_code: str) -> int:
        return next(i for i, c in enumerate(self.spec.penalty.classes) if c.code == class_code)


# --- files ---------------------------------------------------------------------------------------


def _version_key(rule_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in rule_id.rsplit("-", 1)[1].split("."))


@cache
def available() -> tuple[str, ...]:
    """Rule ids (`<jurisdiction>-<version>`) of the shipped files."""
    names = [f.name for f in resources.files("panshi").joinpath(DATA_DIR).iterdir()]
    ids = [n[: -len(".yaml")] for n in names if n.endswith(".yaml")]
    return tuple(sorted(ids, key=lambda i: (i.rsplit("-", 1)[0], _version_key(i))))


def _read(rule_id: str) -> str:
    if rule_id not in available():
        raise UnknownRule(f"没有公示规则 {rule_id}；已有：{', '.join(available())}")
    return resources.files("panshi").joinpath(DATA_DIR, f"{rule_id}.yaml").read_text("utf-8")


@dataclass(frozen=True, eq=False)
class _File:
    name: str
    text: str
    raw: dict[str, Any]


def _fail(faults: list[tuple[_File, Loc, str]]) -> NoReturn:
    lines = []
    for file, loc, message in faults:
        tree = load_yaml(file.text, file.name, error=RuleFault)[1]
        lines.append(fault_at(file.name, tree, file.raw, loc, message))
    raise RuleFault("；\n".join(lines))


def _depth_in(raw: Any, loc: Loc) -> int:
    """How many parts of `loc` the document `raw` has."""
    depth = 0
    for part in loc:
        in_list = isinstance(raw, list) and isinstance(part, int) and part < len(raw)
        if not (in_list or (isinstance(raw, dict) and part in raw)):
            break
        raw = raw[part]
        depth += 1
    return depth


def _where(files: list[_File], loc: Loc) -> _File:
    """The file a fault at `loc` of the merged rule is reported in: the one that says most of it."""
    return max(files, key=lambda f: (_depth_in(f.raw, loc), f is files[0]))


def _merge(parent: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(parent)
    for key, value in own.items():
        if key == "extends":
            continue
        if key == "penalty" and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        elif key == "sectors" and isinstance(value, dict) and isinstance(merged.get(key), dict):
            for code, sector in value.items():
                base = merged[key].get(code)
                both = isinstance(base, dict) and isinstance(sector, dict)
                merged[key][code] = {**base, **sector} if both else sector
        else:
            merged[key] = value
    return merged


def parse(
    text: str, filename: str, *, read: Any = _read, _seen: tuple[str, ...] = ()
) -> tuple[Rule, list[_File]]:
    """Validate a rule file's text (`read(rule_id)` gives the texts of the files it extends); the rule
    and the files it was merged from (its own first)."""
    raw, _tree = load_yaml(text, filename, error=RuleFault)
    if not isinstance(raw, dict):
        raise RuleFault(f"{filename} 第 1 行：公示规则须为键值映射")
    own = _File(filename, text, raw)
    files, merged = [own], raw
    parent_id = raw.get("extends")
    if parent_id is not None:
        if not isinstance(parent_id, str) or parent_id in _seen:
            _fail([(own, ("extends",), f"不能继承 '{parent_id}'（循环或不是规则名）")])
        try:
            parent_text = read(parent_id)
        except UnknownRule as exc:
            _fail([(own, ("extends",), exc.message)])
        _, parent_files = parse(parent_text, f"{parent_id}.yaml", read=read, _seen=(*_seen, parent_id))
        files += parent_files
        merged = _merge(_merged_raw(parent_files), raw)
    try:
        spec = RuleSpec.model_validate(merged)
    except ValidationError as exc:
        _fail([(_where(files, tuple(e["loc"])), tuple(e["loc"]), e["msg"]) for e in exc.errors()])
    faults = _cross_check(spec)
    if faults:
        _fail([(_where(files, loc), loc, message) for loc, message in faults])
    return Rule(spec), files


def _merged_raw(files: list[_File]) -> dict[str, Any]:
    """The document of a chain of files (the first extends the second, ...), merged."""
    merged: dict[str, Any] = {}
    for file in reversed(files):
        merged = _merge(merged, file.raw) if merged else dict(file.raw)
    return merged


def _penalty_values() -> tuple[set[str], set[str]]:
    """The catalog's 处罚类别 values and the names of the penalty record's fields."""
    from panshi.catalog.service import get_record_type

    record_type = get_record_type(PENALTY)
    return set(record_type.field("penalty_categories").values), {f.name for f in record_type.fields}


def _cross_check(spec: RuleSpec) -> list[tuple[Loc, str]]:
    """What one entry cannot say about itself: class references and order, catalog values and fields."""
    categories, fields = _penalty_values()
    penalty = spec.penalty
    classes = [c.code for c in penalty.classes]
    faults: list[tuple[Loc, str]] = []

    def known_class(code: str | None, loc: Loc) -> None:
        if code is not None and code not in classes:
            faults.append((loc, f"未知的公示期类别 '{code}'（已有：{', '.join(classes)}）"))

    def known_category(value: str, loc: Loc) -> None:
        if value not in categories:
            faults.append((loc, f"未知的处罚类别 '{value}'（见信息目录的处罚类别取值）"))

    if len(set(classes)) != len(classes):
        faults.append((("penalty", "classes"), "公示期类别的 code 重复"))
    for i, (before, after) in enumerate(zip(penalty.classes, penalty.classes[1:], strict=False), start=1):
        if after.minimum_months < before.minimum_months or after.maximum_months < before.maximum_months:
            faults.append(
                (("penalty", "classes", i), f"公示期类别须由短到长排列：{after.code} 短于 {before.code}")
            )
    known_class(penalty.default_class, ("penalty", "default_class"))
    for category, code in penalty.category_classes.items():
        known_category(category, ("penalty", "category_classes", category))
        known_class(code, ("penalty", "category_classes", category))
    for i, fine in enumerate(penalty.fine_classes):
        known_class(fine.class_, ("penalty", "fine_classes", i, "class"))
    if penalty.not_published is not None:
        for i, value in enumerate(penalty.not_published.categories):
            known_category(value, ("penalty", "not_published", "categories", i))
        if penalty.not_published.low_fine_category is not None:
            known_category(
                penalty.not_published.low_fine_category, ("penalty", "not_published", "low_fine_category")
            )
    for code, sector in spec.sectors.items():
        known_class(sector.class_, ("sectors", code, "class"))
        for name, words in sector.match.items():
            if name not in fields:
                faults.append((("sectors", code, "match", name), f"行政处罚没有字段 '{name}'"))
            if not words or any(not w.strip() for w in words):
                faults.append((("sectors", code, "match", name), "须为非空的词语列表"))
    if spec.license.end_field is not None:
        from panshi.catalog.service import get_record_type

        if spec.license.end_field not in {f.name for f in get_record_type(LICENSE).fields}:
            faults.append((("license", "end_field"), f"行政许可没有字段 '{spec.license.end_field}'"))
    return faults


@cache
def _load(rule_id: str) -> tuple[Rule, list[_File]]:
    rule, files = parse(_read(rule_id), f"{rule_id}.yaml")
    if rule.id != rule_id:
        raise RuleFault(f"{rule_id}.yaml 的 jurisdiction 与 version 应为文件名 {rule_id}，实为 {rule.id}")
    return rule, files


def load_rule(rule_id: str) -> Rule:
    """The shipped rule `rule_id` (e.g. `national-2023.1`), validated."""
    return _load(rule_id)[0]


def check_versions(rules: list[tuple[Rule, list[_File]]]) -> None:
    """No two versions of a jurisdiction in force on the same day; the national rule covers every day."""
    faults: list[tuple[_File, Loc, str]] = []
    by_jurisdiction: dict[str, list[tuple[Rule, list[_File]]]] = {}
    for entry in rules:
        by_jurisdiction.setdefault(entry[0].spec.jurisdiction, []).append(entry)
    for jurisdiction, versions in by_jurisdiction.items():
        versions.sort(key=lambda e: e[0].spec.in_force.start or date.min)
        for (earlier, _), (later, files) in zip(versions, versions[1:], strict=False):
            if earlier.spec.in_force.overlaps(later.spec.in_force):
                faults.append((files[0], ("in_force",), f"与 {earlier.id} 的施行期间重叠"))
        if jurisdiction == NATIONAL:
            faults += _gaps(versions)
    if faults:
        _fail(faults)


def _gaps(versions: list[tuple[Rule, list[_File]]]) -> list[tuple[_File, Loc, str]]:
    """The national versions must together cover every decision date (no rule is never an answer)."""
    found: list[tuple[_File, Loc, str]] = []
    first, files = versions[0]
    if first.spec.in_force.start is not None:
        found.append((files[0], ("in_force", "from"), "全国规则的最早版本须无开始日（适用于此前的所有决定）"))
    for (earlier, _), (later, files) in zip(versions, versions[1:], strict=False):
        end, start = earlier.spec.in_force.end, later.spec.in_force.start
        if end is None or start is None or (start - end).days != 1:
            found.append((files[0], ("in_force", "from"), f"须紧接 {earlier.id} 的结束日（{end}）的次日"))
    last, files = versions[-1]
    if last.spec.in_force.end is not None:
        found.append((files[0], ("in_force", "to"), "全国规则的最新版本须无结束日"))
    return found


def jurisdictions_of(region_code: str) -> list[str]:
    """A node's jurisdictions, most specific first: 220284 → 220284, 220200, 220000, national."""
    chain = [region_code, region_code[:4] + "00", region_code[:2] + "0000"] if len(region_code) == 6 else []
    return [*dict.fromkeys(chain), NATIONAL]


@dataclass(frozen=True)
class RuleSet:
    """The rules that apply on this node: (rule, jurisdiction depth), most specific first."""

    rules: tuple[Rule, ...]

    def for_decision(self, day: date) -> Rule | None:
        """The rule of a decision date: the most specific jurisdiction's version in force that day."""
        return next((r for r in self.rules if r.spec.in_force.covers(day)), None)


def rule_set(region_code: str | None = None) -> RuleSet:
    """Every shipped rule checked, and those of this node's jurisdictions (settings
    `node_region_code` by default), most specific first."""
    return _rule_set(region_code or get_settings().node_region_code)


@cache
def _rule_set(region_code: str) -> RuleSet:
    loaded = [_load(i) for i in available()]
    check_versions(loaded)
    chain = jurisdictions_of(region_code)
    ordered = sorted(
        (r for r, _ in loaded if r.spec.jurisdiction in chain),
        key=lambda r: (chain.index(r.spec.jurisdiction), r.spec.in_force.start or date.min),
    )
    return RuleSet(tuple(ordered))
