"""Evaluation results as the API and CLI show them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class RecordContribution(BaseModel):
    id: int = Field(description="The record (GET /api/v1/records/{id} shows it as the caller may see it)")
    decision_date: date | None = Field(
        description="The date its points decay from: the decision date (a commitment's 履行状态认定日期)"
    )
    points: float = Field(description="Its points after time decay")


class IndicatorContribution(BaseModel):
    code: str
    name: str
    points: float = Field(description="What the indicator adds to its dimension, after its cap")
    raw_points: float = Field(description="The sum of its records' points, before the cap")
    cap: float | None
    records: list[RecordContribution]


class DimensionOut(BaseModel):
    code: str
    name: str
    points: float = Field(description="What the dimension adds to the base score, after its min/max")
    raw_points: float
    min: float
    max: float
    indicators: list[IndicatorContribution]


class EvaluationOut(BaseModel):
    """A subject's evaluation by one model on one date; the public view keeps the grade only."""

    subject_code: str
    subject_name: str
    model: str = Field(description="The model that made it: <code>-<version>, e.g. enterprise-2026.1")
    model_name: str
    model_version: str
    as_of: date = Field(description="The evaluation date: the records in force on it count")
    computed_at: datetime
    run_id: int | None = Field(description="The batch run; null when re-graded on demand")
    grade: str
    grade_label: str
    score: float | None
    base_score: float | None
    dimensions: list[DimensionOut] | None


class GradePoint(BaseModel):
    """One earlier result: a subject's grade over time."""

    as_of: date
    computed_at: datetime
    model: str
    score: float
    grade: str


class EvaluationView(BaseModel):
    view: Literal["full", "public"]
    evaluation: EvaluationOut
    history: list[GradePoint] | None
    more_with_purpose: bool = Field(description="A stated purpose would show the full evaluation")


class RunOut(BaseModel):
    id: int
    models: list[str]
    as_of: date
    status: str
    total: int
    done: int
    resumed: bool
    started_at: datetime
    finished_at: datetime | None


class GradeOut(BaseModel):
    """A subject's current grade, with the model version that gave it."""

    grade: str
    grade_label: str
    model: str
    as_of: date
    computed_at: datetime


class GradePanel(BaseModel):
    """What a page shows of a subject's evaluation: the view the caller may see, or why there is none."""

    view: EvaluationView | None
    note: str | None = Field(
        default=None, description="Why no grade is shown (not yet graded, out of scope, not public)"
    )
