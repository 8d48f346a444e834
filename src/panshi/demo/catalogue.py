"""What a demo department issues: its violation types (行政处罚) and license types (行政许可).

Text fields are `str.format` templates. Their placeholders are filled per row, first from the
type's own `fills`, then by the generator's common fillers (see `rows.COMMON_FILLERS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

LEGAL_ENTITY: Final = "legal_entity"
INDIVIDUAL_BUSINESS: Final = "individual_business"
NATURAL_PERSON: Final = "natural_person"
SUBJECT_KINDS: Final = (LEGAL_ENTITY, INDIVIDUAL_BUSINESS, NATURAL_PERSON)
ORGANISATIONS: Final = frozenset({LEGAL_ENTITY, INDIVIDUAL_BUSINESS})
ANYONE: Final = frozenset(SUBJECT_KINDS)
PEOPLE: Final = frozenset({NATURAL_PERSON})

# The national 处罚类别 value list (DESIGN §3.2); several are joined by ";".
PENALTY_CATEGORIES: Final = (
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证件",
    "降低资质等级",
    "吊销许可证件",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "行政拘留",
    "其他",
)
LICENSE_CATEGORIES: Final = ("普通", "特许", "认可", "核准", "登记", "其他")
CONFISCATIONS: Final = frozenset({"没收违法所得", "没收非法财物"})
LICENSE_ACTIONS: Final = frozenset({"暂扣许可证件", "降低资质等级", "吊销许可证件"})

# Publicity periods in days (NDRC Order No. 58): at least 3 months, at least 1 year in the
# 安全生产, 消防 and 特种设备 fields, at most 3 years.
GENERAL_PUBLICITY: Final = (92, 183, 365, 365, 730, 1095)
SAFETY_PUBLICITY: Final = (365, 365, 730, 1095)


@dataclass(frozen=True)
class Violation:
    """A kind of violation a department penalises, with the texts and penalties that go with it."""

    type: str  # 违法行为类型
    facts: tuple[str, ...]  # 违法事实 templates
    basis: str  # 处罚依据
    penalties: tuple[tuple[str, int], ...]  # (处罚类别 joined by ";", weight)
    fine: tuple[float, float] | None = None  # 罚款 range in 万元
    confiscation: tuple[float, float] = (0.01, 2.0)  # 没收 amounts in 万元
    kinds: frozenset[str] = ORGANISATIONS
    sectors: frozenset[str] = frozenset()  # subject sectors it fits; empty: any
    license: str = ""  # the certificate suspended, downgraded or revoked
    seized: str = "涉案物品"
    other: str = "责令限期改正违法行为"  # what 其他 means here
    money: tuple[int, int] = (500, 50000)  # yuan range of {money} in the facts
    fills: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    weight: int = 1
    publicity_days: tuple[int, ...] | None = None  # None: the department's


@dataclass(frozen=True)
class LicenseType:
    """A kind of license a department grants."""

    document: str  # 行政许可决定文书名称
    category: str  # 许可类别
    certificate: str  # 许可证书名称, empty when no certificate is issued
    number: str  # template of 许可编号, empty when there is none
    document_number: str  # template of 行政许可决定文书号, empty: the 许可编号 serves
    contents: tuple[str, ...]  # 许可内容 templates
    valid_days: int | None = None  # None: 长期 (有效期至 2099-12-31)
    kinds: frozenset[str] = ORGANISATIONS
    sectors: frozenset[str] = frozenset()
    fills: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    weight: int = 1


@dataclass(frozen=True)
class Department:
    """A 磐石市 source department (数据来源单位) and what it issues."""

    name: str
    uscc: str
    sector: str
    penalty_number: str  # template of 行政处罚决定书文号: {year}, {seq}
    simple_penalty_number: str = ""  # the same for 简易程序 decisions, if numbered apart
    violations: tuple[Violation, ...] = ()
    licenses: tuple[LicenseType, ...] = ()
    penalty_weight: int = 0  # share of the region's penalties
    license_weight: int = 0  # share of the region's licenses
    publicity_days: tuple[int, ...] = GENERAL_PUBLICITY

    @property
    def record_kinds(self) -> tuple[str, ...]:
        """The 双公示 record kinds this department issues."""
        kinds = []
        if self.violations:
            kinds.append("行政处罚")
        if self.licenses:
            kinds.append("行政许可")
        return tuple(kinds)
