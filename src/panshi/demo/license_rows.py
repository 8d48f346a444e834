"""行政许可 rows: one department, license type and subject per row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from panshi.demo.catalogue import Department, LicenseType
from panshi.demo.context import Context, Entry, NoSubjects, Template, department_table
from panshi.demo.departments import DEPARTMENTS
from panshi.demo.headers import LICENSE_COLUMN, LONG_TERM

# Ways a department gets a license row wrong, for the demo's error reports.
LICENSE_DEFECTS: Final = (
    "bad_check_char",
    "impossible_date",
    "missing_required",
    "valid_to_before_from",
    "unknown_category",
    "bad_status",
)
_REQUIRED: Final = tuple(
    LICENSE_COLUMN[header]
    for header in (
        "行政相对人名称",
        "行政许可决定文书号",
        "许可内容",
        "许可决定日期",
        "有效期自",
        "许可机关",
        "许可机关统一社会信用代码",
    )
)
_UNKNOWN_CATEGORIES: Final = ("审批", "备案", "许可", "行政许可")
_BAD_STATUSES: Final = ("有效", "3", "0", "正常")
_ENDED: Final = ("已注销", "已撤销", "申请人主动注销")
_CATEGORY: Final = LICENSE_COLUMN["许可类别"]
_DECISION_DATE: Final = LICENSE_COLUMN["许可决定日期"]
_VALID_TO: Final = LICENSE_COLUMN["有效期至"]
_STATUS: Final = LICENSE_COLUMN["当前状态"]


@dataclass(frozen=True, slots=True)
class _Plan:
    department: Department
    license: LicenseType
    pool: list[Entry]
    contents: tuple[Template, ...]
    number: Template | None
    document_number: Template | None


class LicenseMaker:
    """Makes 行政许可 rows as lists in LICENSE_HEADERS order."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.plans = self._plans()

    def _plans(self) -> list[_Plan]:
        """One plan per department and license type, repeated by weight for drawing."""
        context = self.context
        plans: list[tuple[str, _Plan, int]] = []
        for department in DEPARTMENTS:
            for license_type in department.licenses:
                pool = context.pools.fitting(license_type.kinds, license_type.sectors)
                if not pool:
                    continue
                fills = license_type.fills
                plan = _Plan(
                    department=department,
                    license=license_type,
                    pool=pool,
                    contents=tuple(context.template(text, fills) for text in license_type.contents),
                    number=context.template(license_type.number, fills) if license_type.number else None,
                    document_number=(
                        context.template(license_type.document_number, fills)
                        if license_type.document_number
                        else None
                    ),
                )
                plans.append((department.name, plan, license_type.weight))
        if not plans:
            raise NoSubjects("no subject fits any license type")
        return department_table(
            plans, {department.name: department.license_weight for department in DEPARTMENTS}
        )

    def row(self, index: int) -> list[str]:
        """The index-th row: a random plan and subject, decided on the index-th date."""
        context = self.context
        rnd = context.random
        plan = self.plans[int(rnd() * len(self.plans))]
        entry = context.entry = plan.pool[int(rnd() * len(plan.pool))]
        offset = context.offset = context.calendar.decision(index)
        iso = context.calendar.iso
        license_type = plan.license
        number = plan.number.render() if plan.number else ""
        # 行政许可决定文书号: the 许可编号 serves when there is no separate decision number.
        document_number = plan.document_number.render() if plan.document_number else number
        valid_to = iso[offset + license_type.valid_days - 1] if license_type.valid_days else LONG_TERM
        status, remark = ("1", "") if valid_to >= iso[context.calendar.end] else ("2", "有效期届满")
        if status == "1" and rnd() < 0.03:
            status, remark = "2", context.pick(_ENDED)
        department = plan.department
        return [
            *(entry.full if rnd() < 0.3 else entry.short),
            license_type.document,
            document_number,
            license_type.category,
            license_type.certificate,
            number,
            plan.contents[int(rnd() * len(plan.contents))].render(),
            iso[offset],
            iso[offset],  # 有效期自
            valid_to,
            department.name,
            department.uscc,
            status,
            department.name,
            department.uscc,
            remark,
        ]

    def spoil(self, row: list[str]) -> None:
        """Turn a good row into one a department might send by mistake."""
        context = self.context
        defect = context.pick(LICENSE_DEFECTS)
        if defect == "bad_check_char":
            context.break_code(row)
        elif defect == "impossible_date":
            row[_DECISION_DATE] = context.impossible_date(row[_DECISION_DATE])
        elif defect == "missing_required":
            row[_REQUIRED[int(context.random() * len(_REQUIRED))]] = ""
        elif defect == "valid_to_before_from":
            row[_VALID_TO] = context.day_before(context.offset, within=100)
        elif defect == "unknown_category":
            row[_CATEGORY] = context.pick(_UNKNOWN_CATEGORIES)
        else:  # bad_status
            row[_STATUS] = context.pick(_BAD_STATUSES)
