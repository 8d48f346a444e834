"""Credit subjects: finding one by any of its codes, and its credit file."""

from __future__ import annotations

from sqlalchemy.orm import Session

from panshi.core.errors import NotFound
from panshi.core.security import person_key
from panshi.core.settings import get_settings
from panshi.identifiers import identify, normalize, region_name
from panshi.records import service as records_service
from panshi.subjects import repository
from panshi.subjects.models import Subject
from panshi.subjects.schemas import CreditFileOut, SubjectCodeOut, SubjectOut


def find_subject(session: Session, code: str) -> Subject:
    """The subject named by any of its codes (USCC, old codes, ID number, opaque id), or NotFound."""
    normal = normalize(code)
    if not normal:
        raise NotFound("请提供统一社会信用代码、旧代码或身份证号码")
    checked = identify(normal)
    person = None
    if checked.kind == "resident_id" and checked.valid:
        person = "person:" + person_key(get_settings().secret_key.encode(), checked.normal)
    subject = repository.find(session, code=normal, person_subject_key=person)
    if subject is None:
        raise NotFound(f"未找到代码为“{_masked(checked.kind, normal)}”的信用主体")
    return subject


def _masked(kind: str, code: str) -> str:
    from panshi.identifiers import mask_resident_id

    return mask_resident_id(code) if kind == "resident_id" else code


def count_subjects(session: Session) -> int:
    return repository.count(session)


def subject_out(session: Session, subject: Subject) -> SubjectOut:
    codes = [
        SubjectCodeOut(code_type=c.code_type, code=c.code) for c in repository.codes_of(session, subject.id)
    ]
    return SubjectOut(
        public_id=subject.public_id, kind=subject.kind, name=subject.name, uscc=subject.uscc,
        id_number=subject.id_number, region_code=subject.region_code,
        region_name=region_name(subject.region_code) if subject.region_code else None,
        codes=codes, created_at=subject.created_at, updated_at=subject.updated_at,
    )  # fmt: skip


def credit_file(session: Session, code: str) -> CreditFileOut:
    """The full credit file (信用档案) of the subject named by `code`."""
    subject = find_subject(session, code)
    return CreditFileOut(
        subject=subject_out(session, subject), records=records_service.records_of_subject(session, subject.id)
    )
