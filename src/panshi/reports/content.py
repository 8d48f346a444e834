"""A report's content, assembled once from the access layer, the lists and the evaluation.

Nothing here decides what a reader may see: the credit file comes from `panshi.access.service` (which
masks, filters and writes the query log), the lists from the sanctions domain's public rules and the
list records the access layer granted, the grade from the evaluation service's view of the caller.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session

from panshi.access import service as access
from panshi.access.schemas import CreditFileView, RecordView
from panshi.accounts.schemas import PUBLIC, Principal, Role
from panshi.core.errors import NotAuthorised
from panshi.core.timeutil import today_shanghai, utcnow
from panshi.evaluation import service as evaluation
from panshi.evaluation.schemas import EvaluationOut
from panshi.reports.schemas import (
    VERSION_LABELS,
    CasesSection,
    ListEntryLine,
    RecordSection,
    ReportContent,
    Version,
)
from panshi.sanctions.catalog import load as load_list_types
from panshi.sanctions.entries import entry_of, public_lists

CHANNEL = "report"  # the query log's channel for reads made to issue a report
SECTION_ORDER = ("admin_license", "admin_penalty")
LIST_ENTRY = "list_entry"
STAFF = (Role.operator, Role.department, Role.government)


def authorise(who: Principal, subject: Any, *, version: Version, purpose: str | None) -> None:
    """Refuse a full report to anyone but the subject itself and staff who state a purpose."""
    if version == "public" or access.is_own(who, subject):
        return
    if who.role in STAFF:
        if purpose is None:
            raise NotAuthorised("完整版信用报告须说明查询事由（purpose，2–200 个字）；该查询将被登记")
        return
    raise NotAuthorised(
        "完整版信用报告仅向信用主体本身、说明查询事由的政务用户和平台运营人员提供；社会公众可获取公开版"
    )


def assemble(
    session: Session, *, who: Principal, code: str, version: Version, purpose: str | None = None
) -> tuple[ReportContent, Any]:
    """The report of subject `code` in `version` for `who`, and the subject it is about.

    The public version is read as the anonymous public reads it, whoever asks (also the subject
    itself); the full version as `who` may read it, non-public reads logged under `purpose`."""
    purpose = access.clean_purpose(purpose)
    reader = PUBLIC if version == "public" else who
    subject = access.find_subject_for(session, who=reader, code=code)
    authorise(who, subject, version=version, purpose=purpose)
    read_purpose = purpose if version == "full" else None
    file = access.credit_file(session, who=reader, code=code, purpose=read_purpose, channel=CHANNEL)
    on = today_shanghai()
    grade, note = _evaluation(session, reader=reader, code=code, purpose=read_purpose, full=version == "full")
    lists = _lists(session, file, full=version == "full", on=on)
    sections = _sections(file)
    content = ReportContent(
        version=version, version_label=VERSION_LABELS[version], subject=file.subject, view_label=file.view_label,
        report_date=on, generated_at=utcnow(), issued_to=who.display_name if not who.is_public else "社会公众",
        purpose=read_purpose, sections=sections, lists=lists, evaluation=grade, evaluation_note=note,
        record_labels={r.id: _record_label(r) for r in file.records},
        cases=commitments_and_objections(session, record_ids=[r.id for r in file.records]),
        sources=_sources(file, lists),
    )  # fmt: skip
    return content, subject


def _evaluation(
    session: Session, *, reader: Principal, code: str, purpose: str | None, full: bool
) -> tuple[EvaluationOut | None, str | None]:
    """The grade as the evaluation service shows it to the reader (full: with its explanation)."""
    try:
        view = evaluation.view(session, who=reader, code=code, purpose=purpose, channel=CHANNEL)
    except evaluation.NotEvaluated:
        return None, "该主体尚无公共信用综合评价结果"
    except NotAuthorised:
        return None, "该类主体的公共信用综合评价等级不向社会公开"
    if full and view.view != "full":
        return view.evaluation, "评价说明未向本报告的查询人提供"
    return view.evaluation, None


def _sections(file: CreditFileView) -> list[RecordSection]:
    """Licenses and penalties (always, empty or not), then any other record type but list entries (such as
    信用承诺)."""
    by_type: dict[str, list[RecordView]] = {}
    labels: dict[str, str] = {}
    for r in file.records:
        if r.record_type == LIST_ENTRY:
            continue  # shown by the list rules, as 名单信息
        by_type.setdefault(r.record_type, []).append(r)
        labels[r.record_type] = r.record_type_label
    public_labels = access.public_record_types()
    keys = [k for k in SECTION_ORDER if k in public_labels or k in by_type]
    keys += sorted(set(by_type) - set(keys))
    return [
        RecordSection(key=k, label=labels.get(k) or public_labels.get(k, k), records=by_type.get(k, []))
        for k in keys
    ]


def _lists(session: Session, file: CreditFileView, *, full: bool, on: date) -> list[ListEntryLine]:
    """Entries in force on `on`: those of the public lists (the sanctions domain's public rule), and in a
    full report those of the list records the access layer granted, by the list types' rules."""
    found: dict[tuple[str, str, date], ListEntryLine] = {}
    if file.subject.kind != "natural_person":  # persons are never on the public list pages
        for e in _public_entries(session, file):
            found[(e.list_name, e.decision_number, e.start_date)] = ListEntryLine(
                list_name=e.list_name, list_kind_label=e.list_kind_label, authority=e.authority,
                decision_number=e.decision_number, reason=e.reason, start_date=e.start_date, end_date=e.end_date,
            )  # fmt: skip
    if full:
        catalog = load_list_types()
        for r in file.records:
            if r.record_type != LIST_ENTRY:
                continue
            as_record = SimpleNamespace(
                id=r.id, subject_id=0, data={f.name: f.value for f in r.fields}, decision_date=r.decision_date,
                status=r.status, version=0,
            )  # fmt: skip
            entry = entry_of(as_record, catalog)
            if entry is None or not entry.in_force(on):
                continue
            t = entry.list_type
            found[(t.name, entry.decision_number, entry.start_date)] = ListEntryLine(
                list_name=t.name, list_kind_label=t.kind_label, authority=entry.authority,
                decision_number=entry.decision_number, reason=entry.reason, basis=entry.basis or None,
                start_date=entry.start_date, end_date=entry.end_date,
            )  # fmt: skip
    return sorted(found.values(), key=lambda e: (e.list_kind_label, e.start_date, e.list_name))


def _public_entries(session: Session, file: CreditFileView) -> list[Any]:
    """This subject's entries on the public list pages (found by its code, else by its name)."""
    s = file.subject
    q = s.uscc or next(iter(s.other_codes.values()), None) or s.name
    entries, page, pages = [], 1, 1
    while page <= pages:
        found = public_lists(session, q=q, page=page)
        entries += [e for e in found.items if e.subject_code == s.code]
        page, pages = page + 1, found.pages
    return entries


def _record_label(r: RecordView) -> str:
    number = r.number
    day = r.decision_date.isoformat() if r.decision_date else ""
    return " ".join(str(p) for p in (r.record_type_label, number, day) if p)


def _sources(file: CreditFileView, lists: list[ListEntryLine]) -> list[str]:
    names = {r.department_name for r in file.records} | {e.authority for e in lists if e.authority}
    return sorted(names)


def commitments_and_objections(session: Session, *, record_ids: list[int]) -> CasesSection:
    """Open objections (异议) on the records this report shows (`panshi.cases.service`), marked as every
    view marks them. Commitments (信用承诺) are records of the catalog's `credit_commitment` type, with
    their 履行状态: the report shows them as a record section (`_sections`), as the reader may see them."""
    from panshi.cases.service import OBJECTION_OPEN_LABEL, open_objection_record_ids

    open_ids = open_objection_record_ids(session, record_ids) if record_ids else set()
    return CasesSection(open_objection_ids=sorted(open_ids), label=OBJECTION_OPEN_LABEL)
