"""The rules of objections and credit repair as versioned data (data/cases/cases-*.yaml).

A fault names the file, the line and the entry, e.g.
`cases-2026.1.yaml 第 40 行 repair.list_types.court_list：未知的名单类型 'court_list'`.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from panshi.core.errors import PanshiError
from panshi.core.timeutil import add_months
from panshi.core.yamldata import located, validated

DATA_DIR = "data/cases"


class CaseRulesFault(PanshiError):
    code = "bad_case_rules"
    status_code = 500


class Deadline(BaseModel):
    """Working days allowed in one open state, and what must be done in them."""

    model_config = ConfigDict(extra="forbid")
    days: int = Field(ge=0, le=120)
    action: str = Field(min_length=2)
    basis: str = Field(min_length=2)


class ObjectionRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deadlines: dict[str, Deadline]

    @model_validator(mode="after")
    def _states(self) -> ObjectionRules:
        expected = {"submitted", "accepted", "with_department"}
        if set(self.deadlines) != expected:
            raise ValueError(f"deadlines 须恰好列出 {sorted(expected)}")
        return self


class ListRule(BaseModel):
    """Whether entries of one list type may be repaired through the platform, and after how long."""

    model_config = ConfigDict(extra="forbid")
    repairable: bool
    minimum_months: int = Field(default=0, ge=0, le=120)
    basis: str = ""
    refusal: str = ""

    @model_validator(mode="after")
    def _explained(self) -> ListRule:
        if not self.repairable and len(self.refusal) < 2:
            raise ValueError("不可修复的名单须写明 refusal（告诉申请人向谁申请）")
        if self.repairable and len(self.basis) < 2:
            raise ValueError("可修复的名单须写明 basis")
        return self

    def minimum_end(self, listed_on: date) -> date:
        """The last day of the minimum period of an entry listed on `listed_on`."""
        return add_months(listed_on, self.minimum_months) - timedelta(days=1)


class CommitmentRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(pattern="^信用修复型$")
    liability: str = Field(min_length=10)
    maximum_term_months: int = Field(ge=1, le=120)


class RepairRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deadlines: dict[str, Deadline]
    record_types: list[str] = Field(min_length=1)
    list_types: dict[str, ListRule] = {}
    commitment: CommitmentRules

    @model_validator(mode="after")
    def _states(self) -> RepairRules:
        if set(self.deadlines) != {"submitted"}:
            raise ValueError("deadlines 须恰好列出 ['submitted']")
        return self


class EvidenceType(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str
    extensions: list[str] = Field(min_length=1)
    content_type: str = Field(pattern=r"^[a-z]+/[a-z0-9.+-]+$")


class EvidenceRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_files_per_case: int = Field(ge=1, le=100)
    types: dict[str, EvidenceType]

    @model_validator(mode="after")
    def _known(self) -> EvidenceRules:
        unknown = set(self.types) - {"pdf", "png", "jpeg"}
        if unknown:
            raise ValueError(f"平台只能按内容识别 pdf、png、jpeg，不认识 {sorted(unknown)}")
        return self


class CaseRules(BaseModel):
    """One version of the rules."""

    model_config = ConfigDict(extra="forbid")
    version: str = Field(pattern=r"^\d{4}\.\d+$")
    objection: ObjectionRules
    repair: RepairRules
    evidence: EvidenceRules

    def deadline(self, kind: str, state: str) -> Deadline | None:
        table = self.objection.deadlines if kind == "objection" else self.repair.deadlines
        return table.get(state)


def versions() -> list[str]:
    names = [f.name for f in resources.files("panshi").joinpath(DATA_DIR).iterdir()]
    found = [
        n[len("cases-") : -len(".yaml")] for n in names if n.startswith("cases-") and n.endswith(".yaml")
    ]
    return sorted(found, key=lambda v: tuple(int(p) for p in v.split(".")))


@cache
def load(version: str | None = None) -> CaseRules:
    """The rules of `version` (default: the newest), checked against the record and list catalogs."""
    known = versions()
    version = version or known[-1]
    if version not in known:
        raise CaseRulesFault(f"没有 cases-{version}.yaml；已有版本：{', '.join(known)}")
    filename = f"cases-{version}.yaml"
    return parse(resources.files("panshi").joinpath(DATA_DIR, filename).read_text("utf-8"), filename)


def parse(text: str, filename: str = "cases.yaml") -> CaseRules:
    """Validate a rules file's text; a fault raises CaseRulesFault naming the file, line and entry."""
    from panshi.catalog.service import load_catalog
    from panshi.sanctions.catalog import load as load_lists

    rules: CaseRules = validated(CaseRules, text, filename, error=CaseRulesFault)
    faults: list[tuple[tuple[Any, ...], str]] = []
    record_types = load_catalog().record_types
    for i, key in enumerate(rules.repair.record_types):
        if key not in record_types:
            faults.append((("repair", "record_types", i), f"信息目录中没有信息类别 '{key}'"))
    list_types = load_lists().list_types
    for code in rules.repair.list_types:
        if code not in list_types:
            faults.append((("repair", "list_types", code), f"未知的名单类型 '{code}'"))
    if faults:
        raise CaseRulesFault("；\n".join(located(faults, text, filename)))
    return rules
