"""From the points of records to a score, a grade and its explanation: caps per indicator, clamps per
dimension, the base score and the grade thresholds of the model. Pure: no database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from panshi.evaluation.definition import EvaluationModel, Indicator, Source


@dataclass(frozen=True)
class SubjectFacts:
    """What the model may read about the subject itself."""

    subject_id: int
    kind: str
    uscc: str | None


@dataclass(frozen=True)
class Scored:
    subject_id: int
    score: float
    grade: str
    explanation: dict[str, Any]


def score(
    model: EvaluationModel,
    subject: SubjectFacts,
    record_points: Iterable[tuple[str, int, date, float]],
    *,
    as_of: date,
) -> Scored:
    """The subject's score and grade from (indicator, record_id, decision_date, points) of its records."""
    by_indicator: dict[str, list[tuple[int, date, float]]] = defaultdict(list)
    for indicator, record_id, decision_date, points in record_points:
        by_indicator[indicator].append((record_id, decision_date, points))
    dimensions = []
    total = model.spec.base_score
    for dim in model.spec.dimensions:
        parts = [_indicator(model.indicators[c], subject, by_indicator.get(c, [])) for c in dim.indicators]
        shown = [p for p in parts if p is not None]
        raw = sum(p["points"] for p in shown)
        points = min(max(raw, dim.min), dim.max)
        total += points
        dimensions.append({
            "code": dim.code, "name": dim.name, "points": round(points, 2), "raw_points": round(raw, 2),
            "min": dim.min, "max": dim.max, "indicators": shown,
        })  # fmt: skip
    low, high = model.spec.score_range
    final = round(min(max(total, low), high), 2)
    grade = model.grade_of(final)
    explanation = {
        "model": model.id, "model_name": model.spec.name, "as_of": as_of.isoformat(),
        "base_score": model.spec.base_score, "score": final, "grade": grade.grade, "grade_label": grade.label,
        "dimensions": dimensions,
    }  # fmt: skip
    return Scored(subject_id=subject.subject_id, score=final, grade=grade.grade, explanation=explanation)


def _indicator(
    ind: Indicator, subject: SubjectFacts, rows: list[tuple[int, date, float]]
) -> dict[str, Any] | None:
    """One indicator's contribution (capped) with the records behind it; None when it contributes nothing."""
    if ind.source is Source.subject:
        applies = ind.fact == "has_uscc" and bool(subject.uscc)
        if not applies:
            return None
        return {"code": ind.code, "name": ind.name, "points": ind.points, "raw_points": ind.points,
                "cap": ind.cap, "records": []}  # fmt: skip
    rows = sorted(r for r in rows if r[2] != 0)  # fully decayed records no longer count; by record id
    if not rows:
        return None
    raw = sum(p for _, _, p in rows)
    points = max(min(raw, ind.cap), -ind.cap) if ind.cap is not None else raw
    return {
        "code": ind.code, "name": ind.name, "points": round(points, 2), "raw_points": round(raw, 2),
        "cap": ind.cap,
        "records": [{"id": r, "decision_date": d.isoformat() if d else None, "points": round(p, 2)} for r, d, p in rows],
    }  # fmt: skip
