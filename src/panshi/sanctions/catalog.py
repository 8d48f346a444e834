"""The catalogs of list types (红黑名单) and measures (措施清单): versioned YAML, validated when loaded.

A fault in either file is reported with the file, the line and the entry at fault, e.g.
`measures-2026.1.yaml 第 57 行 measures[4]（P05）.scenarios：未知的应用场景 'land'`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from panshi.catalog import installed as installed_documents
from panshi.catalog.installed import Installed
from panshi.catalog.schemas import Catalog
from panshi.catalog.service import version_key
from panshi.core.errors import PanshiError
from panshi.core.timeutil import add_months
from panshi.core.yamldata import located, validated

DATA_DIR = "data/sanctions"
LIST_ENTRY = "list_entry"  # the catalog record type that carries list entries
KIND = "sanctions"  # the kind of a list-types + measures document (catalog/documents.py)


class CatalogFault(PanshiError):
    """A list-type or measures file that does not validate; the message names file, line and entry."""

    code = "bad_sanctions_catalog"
    status_code = 500


class ListKind(StrEnum):
    red = "red"  # 守信激励
    black = "black"  # 失信惩戒


class MeasureKind(StrEnum):
    punishment = "punishment"  # 惩戒
    incentive = "incentive"  # 激励


LIST_KIND_LABELS = {ListKind.red: "红名单", ListKind.black: "黑名单"}
MEASURE_KIND_LABELS = {MeasureKind.punishment: "惩戒", MeasureKind.incentive: "激励"}
_CODE = r"^[a-z][a-z0-9_]*$"


class DepartmentKind(BaseModel):
    """A kind of department, recognised by words in its name (none: any department)."""

    model_config = ConfigDict(extra="forbid")
    label: str
    name_contains: list[str] = []

    def matches(self, department_name: str) -> bool:
        return not self.name_contains or any(word in department_name for word in self.name_contains)


class ListType(BaseModel):
    """A red or black list (名单类型)."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=_CODE, max_length=64)
    name: str = Field(min_length=2, max_length=100)
    kind: ListKind
    listed_by: list[str] = Field(min_length=1)  # department kinds that may list a subject
    duration_months: int = Field(gt=0, le=1200)  # default duration when the listing states no end
    public: bool  # whether the public portal shows its entries
    excludes_incentives: bool | None = None  # black lists: an entry withholds red-list incentives
    legal_basis: list[str] = Field(min_length=1)
    description: str = ""

    @property
    def kind_label(self) -> str:
        return LIST_KIND_LABELS[self.kind]

    @property
    def withholds_incentives(self) -> bool:
        if self.kind is ListKind.red:
            return False
        return True if self.excludes_incentives is None else self.excludes_incentives

    def default_end(self, start: date) -> date:
        """The last day on the list of an entry that started on `start` and states no end."""
        return add_months(start, self.duration_months) - timedelta(days=1)


class ListTypes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    department_kinds: dict[str, DepartmentKind]
    list_types: list[ListType] = Field(min_length=1)


class Scenario(BaseModel):
    """A scenario (应用场景) in which a checking system acts: 政府采购, 招标投标 ..."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=_CODE, max_length=64)
    name: str = Field(min_length=2, max_length=50)


class Measure(BaseModel):
    """One measure (奖惩措施) of the measures catalog."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_-]{1,15}$")
    name: str = Field(min_length=2, max_length=100)
    kind: MeasureKind
    content: str = Field(min_length=2)
    list_types: list[str] = Field(min_length=1)
    scenarios: list[str] = Field(min_length=1)
    departments: list[str] = Field(min_length=1)
    legal_basis: list[str] = Field(min_length=1)

    @property
    def kind_label(self) -> str:
        return MEASURE_KIND_LABELS[self.kind]


class Measures(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    scenarios: list[Scenario] = Field(min_length=1)
    measures: list[Measure] = Field(min_length=1)


# --- the loaded catalog --------------------------------------------------------------------------


@dataclass(frozen=True)
class SanctionsCatalog:
    """List types, scenarios and measures of one version, with their look-ups."""

    version: str
    department_kinds: dict[str, DepartmentKind]
    list_types: dict[str, ListType]  # by code, in file order
    scenarios: dict[str, Scenario]  # by code, in file order
    measures: dict[str, Measure]  # by code, in file order

    def list_type(self, code_or_name: str) -> ListType | None:
        """A list type by its code or its name (files may carry either)."""
        found = self.list_types.get(code_or_name)
        if found is None:
            found = next((t for t in self.list_types.values() if t.name == code_or_name), None)
        return found

    def scenario(self, code_or_name: str) -> Scenario | None:
        text = code_or_name.strip()
        return self.scenarios.get(text) or next((s for s in self.scenarios.values() if s.name == text), None)

    def measures_for(self, list_type: str, scenario: str) -> list[Measure]:
        """The measures that follow from being on `list_type`, to apply in `scenario`."""
        return [m for m in self.measures.values() if list_type in m.list_types and scenario in m.scenarios]

    def authority_recognised(self, list_type: ListType, authority: str) -> bool:
        """Whether a listing authority of this name is of a kind that may list on `list_type`."""
        return any(self.department_kinds[k].matches(authority) for k in list_type.listed_by)

    def public_codes(self) -> tuple[str, ...]:
        return tuple(code for code, t in self.list_types.items() if t.public)


@cache
def package_versions() -> tuple[str, ...]:
    """The versions the package ships (a list-types and a measures file each)."""
    names = [f.name for f in resources.files("panshi").joinpath(DATA_DIR).iterdir()]
    found = [
        n[len("list-types-") : -len(".yaml")]
        for n in names
        if n.startswith("list-types-") and n.endswith(".yaml")
    ]
    return tuple(sorted(found, key=version_key))


def file_names(version: str) -> tuple[str, str]:
    """The list-types and measures file names of `version`."""
    return f"list-types-{version}.yaml", f"measures-{version}.yaml"


def package_files(version: str) -> dict[str, str]:
    base = resources.files("panshi").joinpath(DATA_DIR)
    return {name: base.joinpath(name).read_text("utf-8") for name in file_names(version)}


def available_versions() -> list[str]:
    """The package's versions and those installed at this node (catalog documents), oldest first."""
    return _versions(installed_documents.current())


def _versions(installed: Installed) -> list[str]:
    return sorted({*package_versions(), *installed.versions(KIND)}, key=version_key)


def load(version: str | None = None) -> SanctionsCatalog:
    """The list types and measures of `version` (default: the newest, packaged or installed here),
    validated against each other and against the record catalog's list_entry type."""
    return _load(version, installed_documents.current())


@lru_cache(maxsize=16)
def _load(version: str | None, installed: Installed) -> SanctionsCatalog:
    versions = _versions(installed)
    version = version or versions[-1]
    if version not in versions:
        raise CatalogFault(f"没有措施清单版本 {version}；已有版本：{', '.join(versions)}")
    # A version installed here is the one the province issued: it wins over a packaged file of that name.
    files = installed.files_of(KIND, version) or package_files(version)
    list_file, measure_file = file_names(version)
    return parse(files[list_file], files[measure_file], list_file=list_file, measure_file=measure_file)


def parse(
    list_text: str,
    measure_text: str,
    *,
    list_file: str = "list-types.yaml",
    measure_file: str = "measures.yaml",
    check_record_catalog: bool = True,
    record_catalog: Catalog | None = None,
) -> SanctionsCatalog:
    """Validate the two files' texts; a fault raises CatalogFault naming the file, line and entry.

    The list types are checked against `record_catalog` (default: the newest record catalog)."""
    list_types = _validated(ListTypes, list_text, list_file)
    measures = _validated(Measures, measure_text, measure_file)
    _cross_check(list_types, list_text, list_file, measures, measure_text, measure_file)
    if list_types.version != measures.version:
        raise CatalogFault(
            f"{list_file} 的版本 {list_types.version} 与 {measure_file} 的版本 {measures.version} 不一致"
        )
    catalog = SanctionsCatalog(
        version=list_types.version,
        department_kinds=list_types.department_kinds,
        list_types={t.code: t for t in list_types.list_types},
        scenarios={s.code: s for s in measures.scenarios},
        measures={m.code: m for m in measures.measures},
    )
    if check_record_catalog:
        _check_record_catalog(catalog, list_file, record_catalog)
    return catalog


def _validated(model: type[BaseModel], text: str, filename: str) -> Any:
    return validated(model, text, filename, error=CatalogFault)


def _cross_check(
    list_types: ListTypes,
    list_text: str,
    list_file: str,
    measures: Measures,
    measure_text: str,
    measure_file: str,
) -> None:
    """References between entries: codes unique, list types and scenarios known, department kinds known."""
    list_faults: list[tuple[tuple[Any, ...], str]] = []
    measure_faults: list[tuple[tuple[Any, ...], str]] = []
    seen: dict[str, int] = {}
    for i, t in enumerate(list_types.list_types):
        for key in (t.code, t.name):
            if key in seen:
                list_faults.append((("list_types", i), f"代码或名称“{key}”与 list_types[{seen[key]}] 重复"))
            seen.setdefault(key, i)
        for j, kind in enumerate(t.listed_by):
            if kind not in list_types.department_kinds:
                known = "、".join(list_types.department_kinds)
                list_faults.append(
                    (("list_types", i, "listed_by", j), f"未知的部门类别 '{kind}'（可用：{known}）")
                )
        if t.kind is ListKind.red and t.excludes_incentives:
            list_faults.append(
                (("list_types", i, "excludes_incentives"), "红名单不能设置 excludes_incentives")
            )
    codes = {t.code: t for t in list_types.list_types}
    scenarios = {s.code for s in measures.scenarios}
    if len(scenarios) != len(measures.scenarios):
        measure_faults.append((("scenarios",), "应用场景代码重复"))
    measure_codes: dict[str, int] = {}
    for i, m in enumerate(measures.measures):
        if m.code in measure_codes:
            measure_faults.append(
                (("measures", i, "code"), f"措施代码 {m.code} 与 measures[{measure_codes[m.code]}] 重复")
            )
        measure_codes.setdefault(m.code, i)
        for j, code in enumerate(m.list_types):
            if code not in codes:
                measure_faults.append((("measures", i, "list_types", j), f"未知的名单类型 '{code}'"))
            elif (codes[code].kind is ListKind.red) != (m.kind is MeasureKind.incentive):
                expected = "激励(incentive)" if codes[code].kind is ListKind.red else "惩戒(punishment)"
                measure_faults.append(
                    (("measures", i, "list_types", j), f"名单 '{code}' 的措施应为{expected}")
                )
        for j, code in enumerate(m.scenarios):
            if code not in scenarios:
                measure_faults.append((("measures", i, "scenarios", j), f"未知的应用场景 '{code}'"))
    faults = _located(list_faults, list_text, list_file) + _located(
        measure_faults, measure_text, measure_file
    )
    if faults:
        raise CatalogFault("；\n".join(faults))


def _located(faults: list[tuple[tuple[Any, ...], str]], text: str, filename: str) -> list[str]:
    return located(faults, text, filename)


def _check_record_catalog(catalog: SanctionsCatalog, list_file: str, record_catalog: Catalog | None) -> None:
    """The list_entry type's 名单类型 values must be exactly the list types' codes and names."""
    from panshi.catalog.service import load_catalog

    record_catalog = record_catalog or load_catalog()
    record_type = record_catalog.record_types.get(LIST_ENTRY)
    if record_type is None:
        raise CatalogFault(f"信息目录 {record_catalog.version} 中没有名单信息类别 {LIST_ENTRY}")
    declared = set(record_type.field("list_type").values)
    expected = {key for t in catalog.list_types.values() for key in (t.code, t.name)}
    if declared != expected:
        missing, extra = sorted(expected - declared), sorted(declared - expected)
        raise CatalogFault(
            f"{list_file} 与信息目录 {record_catalog.version} 的 {LIST_ENTRY}.list_type 取值不一致：目录缺少 {missing}，目录多出 {extra}"
        )
