"""What the publicity domain answers: job results and timeliness (及时率) figures."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class ExpiryRun(BaseModel):
    """One run of the publicity job (`panshi publicity run`)."""

    on: date = Field(description="Records whose window ended before this date leave public view")
    expired: int = Field(description="Records closed as expired by this run")
    remaining: int = Field(description="Records still to close (0 unless the run was stopped)")


class RecomputeRun(BaseModel):
    """One run of `panshi publicity recompute`."""

    rule: str | None = Field(description="Records of this rule only (None: never computed; *: all)")
    examined: int
    changed: int = Field(description="Records whose window dates changed (one history event each)")
    relabelled: int = Field(description="Records whose rule name alone changed")


class TimelinessRow(BaseModel):
    """One department's 双公示 records decided in one month (行政许可 and 行政处罚)."""

    department_id: int
    department_name: str
    month: str = Field(description="YYYY-MM of the decision date")
    decided: int = Field(description="Records decided in the month")
    on_time: int = Field(description="Arrived within the working days of the rule (7) of the decision")
    late: int
    unknown: int = Field(description="Deadline beyond the working-day calendar's known years: not judged")
    share: float | None = Field(description="on_time / (on_time + late); None when none were judged")


class Timeliness(BaseModel):
    """双公示 timeliness (及时率) by department and month."""

    month_from: str
    month_to: str
    working_days: list[int] = Field(description="The rules' deadlines in working days, as applied")
    rows: list[TimelinessRow]
