"""Credit subjects: finding them by any of their codes or by name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from panshi.core.errors import NotFound, PanshiError
from panshi.core.security import person_key
from panshi.core.settings import get_settings
from panshi.identifiers import identify, normalize
from panshi.subjects import repository
from panshi.subjects.models import Subject


def find_subject(session: Session, code: str) -> Subject:
    """The subject named by any of its codes (USCC, old codes, ID number, opaque id), or NotFound."""
    lookup, person, missing = _lookup(code)
    subject = repository.find(session, code=lookup, person_subject_key=person)
    if subject is None:
        raise missing
    return subject


def find_subject_with_codes(session: Session, code: str) -> tuple[Subject, dict[str, str]]:
    """`find_subject` and the subject's other codes (as `other_codes`), in one statement."""
    lookup, person, missing = _lookup(code)
    found = repository.find_with_codes(session, code=lookup, person_subject_key=person)
    if found is None:
        raise missing
    return found


def _lookup(code: str) -> tuple[str, str | None, NotFound]:
    """How `code` is looked up: (code, person key or None, the error when nothing answers)."""
    normal = normalize(code)
    if not normal:
        raise NotFound("请提供统一社会信用代码、旧代码或身份证号码")
    checked = identify(normal)
    person = _person_key(checked.normal) if checked.kind == "resident_id" and checked.valid else None
    # A recognised code is looked up in its normal form (an organisation code printed as MA100100-1).
    lookup = checked.normal if checked.valid and checked.normal else normal
    return lookup, person, NotFound(f"未找到代码为“{_masked(checked.kind, normal)}”的信用主体")


def find_subjects(session: Session, codes: list[str]) -> dict[str, Subject]:
    """Subjects named by many codes at once (normalised codes as keys; codes naming none are absent)."""
    normal = [normalize(c) for c in codes]
    persons = {}
    for code in normal:
        checked = identify(code)
        if checked.kind == "resident_id" and checked.valid:
            persons[code] = _person_key(checked.normal)
    return repository.find_many(session, codes=[c for c in normal if c], person_keys=persons)


def subject_key_of_code(code: str) -> str:
    """The subject key of a USCC (`uscc:…`) or a resident ID number (`person:<keyed hash>`)."""
    checked = identify(normalize(code))
    if not checked.valid or checked.kind not in ("uscc", "resident_id"):
        problems = "; ".join(i.message for i in checked.errors) or "不是统一社会信用代码或居民身份证号码"
        raise PanshiError(f"主体代码无效：{problems}", code="bad_subject_code")
    return f"uscc:{checked.normal}" if checked.kind == "uscc" else _person_key(checked.normal)


def _person_key(id_number: str) -> str:
    return "person:" + person_key(get_settings().secret_key.encode(), id_number)


def _masked(kind: str, code: str) -> str:
    from panshi.identifiers import mask_resident_id

    return mask_resident_id(code) if kind == "resident_id" else code


def count_subjects(session: Session) -> int:
    return repository.count(session)


def subject_by_key(session: Session, subject_key: str) -> Subject | None:
    """The subject a key names (following merges), or None when no record has named it yet."""
    return repository.by_key(session, subject_key)


def subjects_by_id(session: Session, ids: set[int]) -> dict[int, Subject]:
    return repository.by_ids(session, ids)


def search_by_name(
    session: Session, *, words: str, kinds: tuple[str, ...], offset: int, limit: int
) -> tuple[list[tuple[Subject, float]], bool]:
    """Subjects ranked by how well their name matches `words` (partial and tolerant matching)."""
    return repository.search_names(session, words=words, kinds=kinds, offset=offset, limit=limit)


def url_code(subject: Subject) -> str:
    """The code in a subject's stable URL: its USCC, else its opaque id (never an ID number)."""
    return subject.uscc or subject.public_id


def other_codes(session: Session, subject_id: int) -> dict[str, str]:
    """An organisation's other codes (registration number, organisation code...) by code type."""
    return {c.code_type: c.code for c in repository.codes_of(session, subject_id)}


def current_subjects_after(
    session: Session, *, kinds: Sequence[str], after: int, limit: int
) -> list[tuple[int, str, str | None]]:
    """A chunk of the current population (id, kind, uscc) in id order, for set-based work over all subjects."""
    return repository.current_after(session, kinds=kinds, after=after, limit=limit)


def count_current_subjects(session: Session, *, kinds: Sequence[str], after: int = 0) -> int:
    return repository.count_current(session, kinds=kinds, after=after)


def register_codes(session: Session, codes_from: str, *, now: datetime) -> int:
    """Record the codes naming stored subjects (SQL of a relation subject_key, subject_uscc, code_type,
    code: a bulk path's staging) and merge provisional subjects, with their records, into the USCC
    subjects their codes now name; how many merged."""
    return repository.register_codes(session, codes_from, now=now)
