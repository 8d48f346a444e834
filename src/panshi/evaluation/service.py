"""Evaluation: grading subjects on a model (one scoring definition for one subject and for a chunk of
the population), re-grading one subject on demand, and reading a result as the caller may see it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from panshi.access.service import clean_purpose, find_subject_for, is_own
from panshi.accounts.schemas import Principal, Role
from panshi.audit.service import log_query
from panshi.core.errors import NotAuthorised, PanshiError
from panshi.core.timeutil import today_shanghai, utcnow
from panshi.evaluation import repository
from panshi.evaluation.definition import EvaluationModel, ModelSet, model_set, resolve
from panshi.evaluation.models import Evaluation
from panshi.evaluation.schemas import (
    DimensionOut,
    EvaluationOut,
    EvaluationView,
    GradeOut,
    GradePanel,
    GradePoint,
)
from panshi.evaluation.scoring import Scored, SubjectFacts, score
from panshi.records import service as records
from panshi.subjects import service as subjects

HISTORY_SIZE = 20


class NotEvaluated(PanshiError):
    code = "not_evaluated"
    status_code = 404


def models_by_kind(selector: str | None = None) -> dict[str, EvaluationModel]:
    """The catch-all model of each kind of subject, of the version (or model id) `selector` names
    (a kind's subjects may fall to a model of a USCC prefix instead: see `ModelSet.model_for`)."""
    return {kind: m for m in resolve(selector) for kind in m.spec.subject_kinds if not m.spec.uscc_prefixes}


def out_of_scope_reason(kind: str, uscc: str | None, *, selector: str | None = None) -> str | None:
    """Why no model grades such a subject (机关, 自然人...), in words for its users; None when one does."""
    return model_set(selector).why_not(kind, uscc)


def list_window(on: date) -> records.Window:
    """List entries in force on `on`, by the list types' rules (a 移出日期, else the default duration)."""
    from panshi.sanctions.catalog import load
    from panshi.sanctions.entries import open_end_floor

    floors: dict[str, date] = {}
    for t in load().list_types.values():
        floors[t.code] = floors[t.name] = open_end_floor(t, on)
    return records.Window(on=on, end_field="end_date", group_field="list_type", open_end_floors=floors)


def grade_subjects(
    session: Session, *, models: ModelSet, subjects: Sequence[SubjectFacts], as_of: date
) -> list[tuple[EvaluationModel, Scored]]:
    """Score a set of subjects on `as_of`: one statement per model over all their records. The batch run,
    the re-grading sweep and the single-subject path all come here — there is no other scoring.
    Subjects that no model grades (out of scope) are left out."""
    return score_points(read_points(session, models=models, subjects=subjects, as_of=as_of), as_of=as_of)


@dataclass
class ChunkPoints:
    """What the scoring statement read for a set of subjects: per model, its subjects and their points
    (the database's half of `grade_subjects`; a batch run reads the next chunk while it scores this one)."""

    groups: list[tuple[EvaluationModel, list[SubjectFacts], dict[int, list[tuple[str, int, date, float]]]]]


def read_points(
    session: Session, *, models: ModelSet, subjects: Sequence[SubjectFacts], as_of: date
) -> ChunkPoints:
    """The points of the records of these subjects on `as_of`, by the model that grades each."""
    window = list_window(as_of)
    by_model: dict[str, tuple[EvaluationModel, list[SubjectFacts]]] = {}
    for s in subjects:
        chosen = models.model_for(s.kind, s.uscc)
        if chosen is not None:
            by_model.setdefault(chosen.id, (chosen, []))[1].append(s)
    groups = []
    for model, group in by_model.values():
        points: dict[int, list[tuple[str, int, date, float]]] = defaultdict(list)
        for subject_id, indicator, record_id, decided, value in repository.record_points(
            session, model=model, subject_ids=[s.subject_id for s in group], as_of=as_of, list_window=window
        ):
            points[subject_id].append((indicator, record_id, decided, value))
        groups.append((model, group, points))
    return ChunkPoints(groups=groups)


def score_points(read: ChunkPoints, *, as_of: date) -> list[tuple[EvaluationModel, Scored]]:
    """Scores, grades and explanations from what `read_points` read (no database)."""
    return [
        (model, score(model, s, points.get(s.subject_id, []), as_of=as_of))
        for model, group, points in read.groups
        for s in group
    ]


def result_rows(
    graded: list[tuple[EvaluationModel, Scored]],
    *,
    run_id: int | None,
    as_of: date,
    computed_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """Rows of the evaluations table for graded subjects. `computed_at` should be taken before the
    records were read: a change stamped later is then one the result has not seen (re-grading)."""
    now = computed_at or utcnow()
    return [
        {"subject_id": s.subject_id, "run_id": run_id, "model": m.id, "model_version": m.version,
         "as_of": as_of, "score": s.score, "grade": s.grade, "computed_at": now, "explanation": s.explanation}
        for m, s in graded
    ]  # fmt: skip


def evaluate_subject(
    session: Session, *, code: str, model: str | None = None, as_of: date | None = None
) -> EvaluationOut:
    """Re-grade one subject now (or on `as_of`) and keep the result in its history."""
    subject = subjects.find_subject(session, code)
    models = model_set(model)
    why_not = models.why_not(subject.kind, subject.uscc)
    if why_not is not None:
        raise PanshiError(why_not, code="no_model_for_subject")
    as_of = as_of or today_shanghai()
    facts = SubjectFacts(subject_id=subject.id, kind=subject.kind, uscc=subject.uscc)
    started = utcnow()
    graded = grade_subjects(session, models=models, subjects=[facts], as_of=as_of)
    repository.insert_evaluations(session, result_rows(graded, run_id=None, as_of=as_of, computed_at=started))
    session.flush()
    latest = repository.latest_of_subject(session, subject.id)
    assert latest is not None
    return _out(latest, subject_code=subjects.url_code(subject), subject_name=subject.name)


def latest_evaluation(session: Session, subject_id: int) -> Evaluation | None:
    """A subject's latest result (for other domains: checks, reports)."""
    return repository.latest_of_subject(session, subject_id)


# --- reading a result, as the caller may see it ---------------------------------------------------


def view(
    session: Session,
    *,
    who: Principal,
    code: str,
    purpose: str | None = None,
    channel: str = "api",
    logged_by_page: bool = False,
    subject: Any = None,
) -> EvaluationView:
    """A subject's latest evaluation: in full (score, each indicator's contribution and the records
    behind it) to the subject itself and to operators, departments and government users who state a
    purpose (logged); otherwise the grade alone, where the model makes it public; else a refusal.
    `subject`: the subject `code` names, when the caller found it already for this caller."""
    purpose = clean_purpose(purpose)
    if subject is None:
        subject = find_subject_for(session, who=who, code=code)
    own = is_own(who, subject)
    staff = who.role in (Role.operator, Role.department, Role.government)
    full = own or (staff and purpose)
    # A full view shows the history, whose first entry is the latest: one query for both.
    results = repository.history_of_subject(session, subject.id, limit=HISTORY_SIZE if full else 1)
    if not results:
        raise NotEvaluated("该主体尚无公共信用综合评价结果")
    latest = results[0]
    out = _out(latest, subject_code=subjects.url_code(subject), subject_name=subject.name, public=not full)
    if full:
        history = [
            GradePoint(as_of=e.as_of, computed_at=e.computed_at, model=e.model, score=e.score, grade=e.grade)
            for e in results
        ]
        if not own and not logged_by_page:  # a page that logged its read of the file: one query, one entry
            record_ids = [r.id for d in out.dimensions or [] for i in d.indicators for r in i.records]
            log_query(session, who=who, subject_id=subject.id, purpose=purpose or "", channel=channel,
                      view="evaluation", returned={"evaluation": latest.id, "records": record_ids})  # fmt: skip
        return EvaluationView(view="full", evaluation=out, history=history, more_with_purpose=False)
    if not _public_grade(latest.model):
        hint = "；政务用户请说明查询事由（purpose）" if staff else ""
        raise NotAuthorised(f"该主体的评价等级不向社会公开（模型 {latest.model}）{hint}")
    public = out.model_copy(update={"score": None, "base_score": None, "dimensions": None, "run_id": None})
    return EvaluationView(view="public", evaluation=public, history=None, more_with_purpose=staff)


def panel(
    session: Session,
    *,
    who: Principal,
    code: str,
    purpose: str | None = None,
    channel: str = "web",
    logged_by_page: bool = False,
    subject: Any = None,
) -> GradePanel:
    """A subject's evaluation for a page, by the rules of `view`: the full result, the public grade, or
    the reason none is shown (not graded yet, out of scope, not public). `logged_by_page`: the page's
    read of the credit file was logged already, and this is part of that one query. `subject`: the
    subject `code` names, when the page found it already for this caller."""
    if subject is None:
        subject = find_subject_for(session, who=who, code=code)
    try:
        found = view(
            session, who=who, code=code, purpose=purpose, channel=channel, logged_by_page=logged_by_page,
            subject=subject,
        )  # fmt: skip
        return GradePanel(view=found)
    except NotEvaluated:
        reason = out_of_scope_reason(subject.kind, subject.uscc)
        return GradePanel(view=None, note=reason or "该主体尚无公共信用综合评价结果")
    except NotAuthorised:
        return GradePanel(view=None, note="该主体的信用等级不向社会公开")


def _public_grade(model_id: str) -> bool:
    from panshi.evaluation.definition import UnknownModel, load_model

    try:
        return load_model(model_id).spec.public_grade
    except UnknownModel:
        return False  # a model no longer shipped: not public unless a shipped model says so


def _out(e: Evaluation, *, subject_code: str, subject_name: str, public: bool = False) -> EvaluationOut:
    """A result as read; `public`: for the grade alone (its dimensions, which the public view drops,
    are not parsed)."""
    x = e.explanation
    return EvaluationOut(
        subject_code=subject_code, subject_name=subject_name, model=e.model, model_name=x.get("model_name", e.model),
        model_version=e.model_version, as_of=e.as_of, computed_at=e.computed_at, run_id=e.run_id, score=e.score,
        grade=e.grade, grade_label=x.get("grade_label", e.grade), base_score=x.get("base_score"),
        dimensions=None if public else [DimensionOut.model_validate(d) for d in x.get("dimensions", [])],
    )  # fmt: skip


def latest_grades(session: Session, subject_ids: list[int]) -> dict[int, GradeOut]:
    """Each subject's current grade (the check service answers with it)."""
    return {
        subject_id: GradeOut(
            grade=e.grade,
            grade_label=str(e.explanation.get("grade_label", e.grade)),
            model=e.model,
            as_of=e.as_of,
            computed_at=e.computed_at,
        )  # fmt: skip
        for subject_id, e in repository.latest_of_subjects(session, subject_ids).items()
    }
