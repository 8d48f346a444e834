"""行政处罚 rows: one department, violation type, subject and penalty per row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from panshi.demo.catalogue import CONFISCATIONS, LICENSE_ACTIONS, NATURAL_PERSON, Department, Violation
from panshi.demo.context import Context, Entry, NoSubjects, Template, amounts, department_table, weighted
from panshi.demo.departments import DEPARTMENTS
from panshi.demo.headers import PENALTY_COLUMN
from panshi.demo.words import REGION

# Ways a department gets a penalty row wrong, for the demo's error reports.
PENALTY_DEFECTS: Final = (
    "bad_check_char",
    "impossible_date",
    "missing_required",
    "negative_fine",
    "unknown_category",
    "publicity_before_decision",
)
_REQUIRED: Final = tuple(
    PENALTY_COLUMN[header]
    for header in (
        "行政相对人名称",
        "行政处罚决定书文号",
        "违法行为类型",
        "违法事实",
        "处罚依据",
        "处罚决定日期",
        "处罚机关统一社会信用代码",
    )
)
_UNKNOWN_CATEGORIES: Final = ("责令改正", "罚没款", "罚金", "批评教育")
_CATEGORIES: Final = PENALTY_COLUMN["处罚类别"]
_FINE: Final = PENALTY_COLUMN["罚款金额(万元)"]
_DECISION_DATE: Final = PENALTY_COLUMN["处罚决定日期"]
_PUBLICITY_END: Final = PENALTY_COLUMN["公示截止期"]

_PHRASES: Final = {
    "警告": "给予警告",
    "通报批评": "予以通报批评",
    "罚款": "处罚款人民币{fine}元",
    "没收违法所得": "没收违法所得人民币{confiscated}元",
    "没收非法财物": "没收{seized}",
    "暂扣许可证件": "暂扣{license}{months}个月",
    "降低资质等级": "将其{license}资质等级降低一级",
    "吊销许可证件": "吊销{license}",
    "限制开展生产经营活动": "限制开展生产经营活动{months}个月",
    "责令停产停业": "责令停产停业整顿",
    "责令关闭": "责令关闭",
    "限制从业": "限制其主要负责人五年内从事相关生产经营活动",
    "行政拘留": "行政拘留{days}日",
    "其他": "{other}",
}
_REMARKS: Final = ("当事人已履行处罚决定", "已缴纳罚款", "依法从轻处罚", "首次违法，依法减轻处罚")
_SIMPLE_CATEGORIES: Final = frozenset({"警告", "罚款"})
_MILD_CATEGORIES: Final = frozenset({"警告", "通报批评"})
_MILD_PUBLICITY_DAYS: Final = 92  # not published under Order No. 58; the shortest period is written
_SIMPLE_LIMIT_PERSON: Final = 200  # 简易程序 fines up to 200 yuan for people,
_SIMPLE_LIMIT_OTHERS: Final = 3000  # 3000 yuan for organisations


@dataclass(frozen=True, slots=True)
class _Choice:
    """One way of penalising a violation: the categories and the 处罚内容 they make."""

    text: str  # 处罚类别 as written, ";"-joined
    content: str  # 处罚内容 template: {fine}, {confiscated}, {months}, {days}
    fined: bool
    confiscates: bool
    license_action: bool
    simple: bool  # may be decided by 简易程序
    mild: bool  # only 警告 / 通报批评


def _choice(violation: Violation, text: str) -> _Choice:
    categories = frozenset(text.split(";"))
    phrases = [
        _PHRASES[category].format(
            fine="{fine}",
            confiscated="{confiscated}",
            months="{months}",
            days="{days}",
            seized=violation.seized,
            license=violation.license,
            other=violation.other,
        )
        for category in text.split(";")
    ]
    return _Choice(
        text=text,
        content="对当事人作出如下行政处罚：" + "；".join(phrases) + "。",
        fined="罚款" in categories,
        confiscates=bool(CONFISCATIONS & categories),
        license_action=bool(LICENSE_ACTIONS & categories),
        simple=categories <= _SIMPLE_CATEGORIES,
        mild=categories <= _MILD_CATEGORIES,
    )


@dataclass(frozen=True, slots=True)
class _Plan:
    department: Department
    violation: Violation
    pool: list[Entry]
    facts: tuple[Template, ...]
    choices: tuple[_Choice, ...]
    fines: list[tuple[str, int]]
    confiscations: list[tuple[str, int]]
    publicity: tuple[int, ...]
    number: Template
    simple_number: Template | None


class PenaltyMaker:
    """Makes 行政处罚 rows as lists in PENALTY_HEADERS order."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.plans = self._plans()

    def _plans(self) -> list[_Plan]:
        """One plan per department and violation type, repeated by weight for drawing."""
        context = self.context
        plans: list[tuple[str, _Plan, int]] = []
        for department in DEPARTMENTS:
            number = context.template(department.penalty_number)
            simple = (
                context.template(department.simple_penalty_number)
                if department.simple_penalty_number
                else None
            )
            for violation in department.violations:
                pool = context.pools.fitting(violation.kinds, violation.sectors)
                if not pool:
                    continue
                plan = _Plan(
                    department=department,
                    violation=violation,
                    pool=pool,
                    facts=tuple(context.template(text, violation.fills) for text in violation.facts),
                    choices=tuple(_choice(violation, text) for text in weighted(violation.penalties)),
                    fines=amounts(context.rng, *violation.fine) if violation.fine else [],
                    confiscations=amounts(context.rng, *violation.confiscation),
                    publicity=violation.publicity_days or department.publicity_days,
                    number=number,
                    simple_number=simple,
                )
                plans.append((department.name, plan, violation.weight))
        if not plans:
            raise NoSubjects("no subject fits any violation type")
        return department_table(
            plans, {department.name: department.penalty_weight for department in DEPARTMENTS}
        )

    def row(self, index: int) -> list[str]:
        """The index-th row: a random plan, subject and penalty, decided on the index-th date."""
        context = self.context
        rnd = context.random
        plan = self.plans[int(rnd() * len(self.plans))]
        entry = context.entry = plan.pool[int(rnd() * len(plan.pool))]
        calendar = context.calendar
        offset = context.offset = calendar.decisions[index * len(calendar.decisions) // calendar.n]
        context.money = plan.violation.money
        iso = calendar.iso
        choice = plan.choices[int(rnd() * len(plan.choices))]
        fine, fine_yuan = plan.fines[int(rnd() * len(plan.fines))] if choice.fined else ("", 0)
        confiscated, confiscated_yuan = (
            plan.confiscations[int(rnd() * len(plan.confiscations))] if choice.confiscates else ("", 0)
        )
        license_text = (
            f"{plan.violation.license}（编号：{REGION}{int(rnd() * 10**6):06d}）"
            if choice.license_action
            else ""
        )
        content = choice.content
        if "{" in content:
            content = content.format(
                fine=fine_yuan,
                confiscated=confiscated_yuan,
                months=1 + int(rnd() * 6),
                days=1 + int(rnd() * 10),
            )
        limit = _SIMPLE_LIMIT_PERSON if entry.kind == NATURAL_PERSON else _SIMPLE_LIMIT_OTHERS
        number = (
            plan.simple_number if plan.simple_number and choice.simple and fine_yuan <= limit else plan.number
        )
        days = _MILD_PUBLICITY_DAYS if choice.mild else plan.publicity[int(rnd() * len(plan.publicity))]
        publicity_end = iso[offset + days]
        department = plan.department
        violation = plan.violation
        return [
            *(entry.full if rnd() < 0.3 else entry.short),
            number.render(),
            violation.type,
            plan.facts[int(rnd() * len(plan.facts))].render(),
            violation.basis,
            choice.text,
            content,
            fine,
            confiscated,
            license_text,
            iso[offset],
            publicity_end,  # 处罚有效期
            publicity_end,  # 公示截止期
            department.name,
            department.uscc,
            department.name,
            department.uscc,
            context.pick(_REMARKS) if rnd() < 0.06 else "",
        ]

    def spoil(self, row: list[str]) -> None:
        """Turn a good row into one a department might send by mistake."""
        context = self.context
        defect = context.pick(PENALTY_DEFECTS)
        if defect == "bad_check_char":
            context.break_code(row)
        elif defect == "impossible_date":
            row[_DECISION_DATE] = context.impossible_date(row[_DECISION_DATE])
        elif defect == "missing_required":
            row[_REQUIRED[int(context.random() * len(_REQUIRED))]] = ""
        elif defect == "negative_fine":
            if not row[_FINE]:
                row[_CATEGORIES] += ";罚款"
                row[_FINE] = "0.2"
            row[_FINE] = "-" + row[_FINE]
        elif defect == "unknown_category":
            categories = row[_CATEGORIES].split(";")
            categories[int(context.random() * len(categories))] = context.pick(_UNKNOWN_CATEGORIES)
            row[_CATEGORIES] = ";".join(categories)
        else:  # publicity_before_decision
            row[_PUBLICITY_END] = context.day_before(context.offset, within=60)
