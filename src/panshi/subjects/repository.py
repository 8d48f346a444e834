"""All SQL of subjects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, case, func, literal, or_, select, text, union_all
from sqlalchemy.orm import Session

from panshi.subjects.models import Subject, SubjectCode


def find(session: Session, *, code: str, person_subject_key: str | None) -> Subject | None:
    """The subject named by `code`: its USCC, an old code, its opaque id, or a person's key."""
    found = find_with_codes(session, code=code, person_subject_key=person_subject_key)
    return found[0] if found is not None else None


def find_with_codes(
    session: Session, *, code: str, person_subject_key: str | None
) -> tuple[Subject, dict[str, str]] | None:
    """The subject named by `code` (see `find`) and its other codes (by code type), in one statement;
    a provisional subject merged into its USCC subject answers as the latter (one more each)."""
    keys = [f"uscc:{code}"] + ([person_subject_key] if person_subject_key else [])
    rows = session.execute(_with_codes_query(), {"keys": keys, "public_id": code.lower(), "code": code}).all()
    if not rows:
        return None
    subject = rows[0][0]
    if subject.merged_into_id is None:
        return subject, {code_type: value for _, code_type, value in rows if code_type is not None}
    while subject.merged_into_id is not None:
        subject = session.get_one(Subject, subject.merged_into_id)
    return subject, {c.code_type: c.code for c in codes_of(session, subject.id)}


@cache
def _with_codes_query() -> Select[Subject, str, str]:
    """find_with_codes's statement, built once (each subject page runs it; building it cost more than
    running it). Parameters: the subject keys the code may be, the code as an opaque id, the code."""
    direct = select(Subject.id.label("id"), literal(0).label("rank")).where(
        or_(
            Subject.subject_key.in_(bindparam("keys", expanding=True)),
            Subject.public_id == bindparam("public_id"),
        )
    )
    # An old code is looked up only when nothing answers directly: the look-up by code alone is not
    # an index probe (the key is code type, code), so it must not run on every page.
    by_code = select(SubjectCode.subject_id.label("id"), literal(1).label("rank")).where(
        SubjectCode.code == bindparam("code"), ~direct.exists()
    )
    candidates = union_all(direct, by_code).subquery()
    first = select(candidates.c.id).order_by(candidates.c.rank).limit(1).scalar_subquery()
    return (
        select(Subject, SubjectCode.code_type, SubjectCode.code)
        .outerjoin(SubjectCode, SubjectCode.subject_id == Subject.id)
        .where(Subject.id == first)
        .order_by(SubjectCode.code_type)
    )


def count(session: Session) -> int:
    """Subjects with a credit file of their own (merged provisional subjects excluded)."""
    return (
        session.scalar(select(func.count()).select_from(Subject).where(Subject.merged_into_id.is_(None))) or 0
    )


def codes_of(session: Session, subject_id: int) -> list[SubjectCode]:
    query = select(SubjectCode).where(SubjectCode.subject_id == subject_id).order_by(SubjectCode.code_type)
    return list(session.scalars(query))


def by_key(session: Session, subject_key: str) -> Subject | None:
    subject = session.scalar(select(Subject).where(Subject.subject_key == subject_key))
    while subject is not None and subject.merged_into_id is not None:
        subject = session.get(Subject, subject.merged_into_id)
    return subject


def by_ids(session: Session, ids: set[int]) -> dict[int, Subject]:
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))}


# Candidates a name search ranks: enough for any first pages, bounded so that a query matching
# most names ("有限公司") costs a bounded index scan rather than a sort of the whole table.
SEARCH_CANDIDATES = 500


def search_names(
    session: Session, *, words: str, kinds: Sequence[str], offset: int, limit: int
) -> tuple[list[tuple[Subject, float]], bool]:
    """Subjects whose name contains `words`, ranked (exact, prefix, then shorter names first); and
    when none do, names that contain its characters in order (tolerant of missing characters) or,
    on PostgreSQL, resemble it by trigrams. Returns (subject, score) pairs and whether more exist."""
    pattern = "%" + _like_escape(words) + "%"
    contains = _ranked(session, words, Subject.name.like(pattern, escape="\\"), kinds, offset, limit)
    if contains[0] or offset:
        return contains
    loose = "%" + "%".join(_like_escape(ch) for ch in words) + "%"
    tolerant: ColumnElement[bool] = Subject.name.like(loose, escape="\\")
    if session.get_bind().dialect.name == "postgresql":
        tolerant = or_(tolerant, Subject.name.op("%>")(words))  # word_similarity over the trigram index
    return _ranked(session, words, tolerant, kinds, offset, limit)


def _ranked(
    session: Session, words: str, match: ColumnElement[bool], kinds: Sequence[str], offset: int, limit: int
) -> tuple[list[tuple[Subject, float]], bool]:
    # One statement: the bounded candidates scored and ranked, then only the page's rows read.
    score = case(
        (Subject.name == words, 3.0),
        (Subject.name.like(_like_escape(words) + "%", escape="\\"), 2.0),
        (Subject.name.like("%" + _like_escape(words) + "%", escape="\\"), 1.0),
        else_=0.5,
    ) + literal(len(words)) / (func.length(Subject.name) + 1.0)
    candidates = (
        select(Subject.id, score.label("score"), func.length(Subject.name).label("length"))
        .where(match, Subject.merged_into_id.is_(None), Subject.kind.in_(list(kinds)))
        .limit(SEARCH_CANDIDATES)
        .subquery()
    )
    order = (candidates.c.score.desc(), candidates.c.length, candidates.c.id)
    page = select(candidates).order_by(*order).offset(offset).limit(limit + 1).subquery()
    ranked = (
        select(Subject, page.c.score)
        .join(page, page.c.id == Subject.id)
        .order_by(page.c.score.desc(), page.c.length, page.c.id)
    )
    rows = session.execute(ranked).all()
    return [(subject, round(float(score), 3)) for subject, score in rows[:limit]], len(rows) > limit


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_many(session: Session, *, codes: Sequence[str], person_keys: dict[str, str]) -> dict[str, Subject]:
    """`find` for many normalised codes in two statements: code -> subject (merges followed)."""
    if not codes:
        return {}
    by_key = {f"uscc:{c}": c for c in codes} | {key: code for code, key in person_keys.items()}
    by_public_id = {c.lower(): c for c in codes if len(c) == 32}
    condition: ColumnElement[bool] = Subject.subject_key.in_(list(by_key))
    if by_public_id:
        condition = or_(condition, Subject.public_id.in_(list(by_public_id)))
    found: dict[str, Subject] = {}
    for subject in session.scalars(select(Subject).where(condition)):
        code = by_key.get(subject.subject_key) or by_public_id.get(subject.public_id)
        if code is not None:
            found[code] = subject
    missing = [c for c in codes if c not in found]
    if missing:
        query = select(SubjectCode.code, Subject).join(Subject, SubjectCode.subject_id == Subject.id)
        for code, subject in session.execute(query.where(SubjectCode.code.in_(missing))):
            found.setdefault(code, subject)
    merged = {s.merged_into_id for s in found.values() if s.merged_into_id is not None}
    if merged:
        for code, subject in list(found.items()):
            target = subject
            while target.merged_into_id is not None:
                parent = session.get(Subject, target.merged_into_id)
                if parent is None:
                    break
                target = parent
            found[code] = target
    return found


def current_after(
    session: Session, *, kinds: Sequence[str], after: int, limit: int
) -> list[tuple[int, str, str | None]]:
    """(id, kind, uscc) of the next `limit` current (unmerged) subjects of `kinds` with an id above `after`."""
    query = (
        select(Subject.id, Subject.kind, Subject.uscc)
        .where(Subject.kind.in_(list(kinds)), Subject.merged_into_id.is_(None), Subject.id > after)
        .order_by(Subject.id)
        .limit(limit)
    )
    return [(int(i), k, u) for i, k, u in session.execute(query)]


def count_current(session: Session, *, kinds: Sequence[str], after: int = 0) -> int:
    query = select(func.count()).where(
        Subject.kind.in_(list(kinds)), Subject.merged_into_id.is_(None), Subject.id > after
    )
    return int(session.scalar(query) or 0)


def register_codes(session: Session, codes_from: str, *, now: datetime) -> int:
    """Record the codes that name subjects, and merge provisional subjects: `codes_from` is SQL of a
    relation (subject_key, subject_uscc, code_type, code) of subjects already stored. An old code that
    so far named a provisional subject (known by that code only) now belongs to the USCC subject it
    arrived with, and the provisional subject merges into it, with its records, so that one subject has
    one file. How many subjects merged."""
    session.execute(
        text(f"""
        INSERT INTO subject_codes (code_type, code, subject_id)
        SELECT DISTINCT c.code_type, c.code, sj.id
        FROM (SELECT DISTINCT code_type, code, subject_key FROM ({codes_from}) a) c
        JOIN subjects sj ON sj.subject_key = c.subject_key
        WHERE NOT EXISTS (SELECT 1 FROM subject_codes x WHERE x.code_type = c.code_type AND x.code = c.code)
        ON CONFLICT (code_type, code) DO NOTHING""")
    )
    session.execute(
        text(f"""
        UPDATE subject_codes SET subject_id = target.id
        FROM ({codes_from}) c JOIN subjects target ON target.subject_key = c.subject_key, subjects old
        WHERE c.subject_uscc IS NOT NULL AND subject_codes.code_type = c.code_type AND subject_codes.code = c.code
          AND old.id = subject_codes.subject_id AND old.uscc IS NULL AND old.kind <> 'natural_person'
          AND old.id <> target.id""")
    )
    merged = session.execute(
        text(f"""
        UPDATE subjects SET merged_into_id = sc.subject_id, updated_at = :now
        FROM ({codes_from}) c JOIN subject_codes sc ON sc.code_type = c.code_type AND sc.code = c.code
        WHERE subjects.subject_key = c.code_type || ':' || c.code AND subjects.uscc IS NULL
          AND subjects.merged_into_id IS NULL AND subjects.kind <> 'natural_person' AND sc.subject_id <> subjects.id
        RETURNING id, merged_into_id"""),
        {"now": now},
    ).all()
    if merged:  # records already filed under a subject merged just now follow it
        session.execute(
            text("UPDATE records SET subject_id = :into WHERE subject_id = :merged"),
            [{"merged": old_id, "into": new_id} for old_id, new_id in merged],
        )
    return len(merged)
