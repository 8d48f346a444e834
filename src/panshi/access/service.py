"""The access layer: every read of a subject or a record goes through here (DESIGN §3.3).

It decides, per record, which disclosure levels (公开属性) the caller is granted, drops what is not
granted, masks personal data in public views, hides records outside their publicity window from the
public, and writes every read of non-public data to the query log (查询登记). Routes and templates
only render what this returns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from panshi.access.masking import mask_person_name
from panshi.access.schemas import (
    KIND_LABELS,
    LEVEL_LABELS,
    CreditFileView,
    DepartmentOut,
    DepartmentPage,
    FieldOut,
    PublicityItem,
    PublicityPage,
    RecordView,
    SearchHit,
    SearchPage,
    SubjectView,
    field_out,
    trusted,
)
from panshi.accounts import service as accounts
from panshi.accounts.schemas import Principal, Role
from panshi.audit.service import log_query
from panshi.cases.service import objection_open_sql as open_objection_sql
from panshi.cases.service import open_objection_record_ids
from panshi.catalog.schemas import Catalog, CodeKind, Disclosure
from panshi.catalog.service import per_catalog
from panshi.core.errors import NotFound, PanshiError
from panshi.core.timeutil import today_shanghai
from panshi.identifiers import identify, mask_resident_id, normalize, region_name
from panshi.records import service as records
from panshi.subjects import service as subjects

PUBLIC = frozenset({Disclosure.public})
AUTHORISED = frozenset({Disclosure.public, Disclosure.authorised})
GOVERNMENT = frozenset({Disclosure.public, Disclosure.authorised, Disclosure.government})
EVERYTHING = frozenset(Disclosure)
LEVEL_ORDER = list(Disclosure)

SEARCH_MAX_LENGTH = 100
SEARCH_PAGE_SIZE = 20
LISTING_PAGE_SIZE = 20
LISTING_COUNT_CAP = 10_000
PUBLIC_SEARCH_KINDS = ("legal_entity", "individual_business")  # natural persons are not searchable by name
ALL_KINDS = (*PUBLIC_SEARCH_KINDS, "natural_person")
PUBLIC_ID = re.compile(r"^[0-9a-f]{32}$")


class BadPurpose(PanshiError):
    code = "bad_purpose"


class QueryTooLong(PanshiError):
    code = "query_too_long"


# --- who is granted what -------------------------------------------------------------------------


def clean_purpose(purpose: str | None) -> str | None:
    """A stated purpose (查询事由), cleaned; None when none was given."""
    if purpose is None or not purpose.strip():
        return None
    cleaned = " ".join(purpose.split())
    if len(cleaned) < 2 or len(cleaned) > 200:
        raise BadPurpose("查询事由须为 2–200 个字")
    return cleaned


def _grant(
    who: Principal, *, purpose: str | None, own_subject: bool, department_id: int | None
) -> frozenset[Disclosure]:
    """The disclosure levels `who` is granted on one record (department_id: its source) or on the
    subject's own data (department_id None). Anything not listed here is denied."""
    if own_subject:
        return AUTHORISED
    if purpose is None:
        return PUBLIC
    if who.role is Role.operator:
        return EVERYTHING
    if who.role is Role.department and department_id is not None and department_id == who.department_id:
        return EVERYTHING
    if who.role is Role.government:
        return GOVERNMENT
    return PUBLIC


def _may_see_more(who: Principal) -> bool:
    return who.role in (Role.operator, Role.government, Role.department)


def _levels(grants: Iterable[frozenset[Disclosure]]) -> list[str]:
    granted = set().union(*grants) or set(PUBLIC)
    return [level.value for level in LEVEL_ORDER if level in granted]


# --- subjects and their credit files -------------------------------------------------------------


@dataclass(frozen=True)
class RecordPages:
    """Which records of a file to return: page `page` of `size` records across the record types, or,
    with `by_type`, a page of `size` of each record type (its page number by type key, else 1)."""

    size: int
    page: int = 1
    by_type: dict[str, int] | None = None


@dataclass(frozen=True)
class Located:
    """A subject found by a code, with its other codes (read in the same statement)."""

    subject: Any
    other_codes: dict[str, str]


def locate(session: Session, *, who: Principal, code: str) -> Located:
    """The subject `code` names and its other codes, as `who` may look it up (see find_subject_for):
    for a page that shows its file and more (its grade) without finding it twice."""
    _refuse_person_lookup(who, code)
    subject, other_codes = subjects.find_subject_with_codes(session, code)
    return Located(subject=subject, other_codes=other_codes)


def credit_file(
    session: Session,
    *,
    who: Principal,
    code: str | Located,
    purpose: str | None = None,
    channel: str = "api",
    pages: RecordPages | None = None,
) -> CreditFileView:
    """A subject's credit file (信用档案) as `who` may see it, all records or a page of them;
    non-public reads are logged with what was returned. `code`: the subject's code, or the subject
    `locate` found for this caller."""
    located = code if isinstance(code, Located) else locate(session, who=who, code=code)
    return _credit_file(
        session, who=who, subject=located.subject, purpose=clean_purpose(purpose), channel=channel,
        pages=pages, other_codes=located.other_codes,
    )  # fmt: skip


def own_credit_file(session: Session, *, who: Principal) -> CreditFileView | None:
    """A subject user's own file; None while no record names its subject yet."""
    if who.role is not Role.subject or not who.subject_key:
        raise PanshiError("只有信用主体用户有本主体档案", code="not_a_subject")
    subject = subjects.subject_by_key(session, who.subject_key)
    if subject is None:
        return None
    return _credit_file(session, who=who, subject=subject, purpose=None, channel="web")


def find_subject_for(session: Session, *, who: Principal, code: str) -> Any:
    """The subject `code` names, as `who` may look it up (never a person by ID number for the public)."""
    _refuse_person_lookup(who, code)
    return subjects.find_subject(session, code)


def _refuse_person_lookup(who: Principal, code: str) -> None:
    if identify(normalize(code)).kind == "resident_id" and who.role in (Role.public, Role.subject):
        # Persons are reached by their opaque id; a public lookup by ID number would tell who is on file.
        raise NotFound("自然人信用档案请通过公示信息中的链接查看，不能按身份证号码查询")


def _credit_file(
    session: Session,
    *,
    who: Principal,
    subject: Any,
    purpose: str | None,
    channel: str,
    pages: RecordPages | None = None,
    other_codes: dict[str, str] | None = None,
) -> CreditFileView:
    own = is_own(who, subject)
    header_grant = _grant(who, purpose=purpose, own_subject=own, department_id=None)
    today = today_shanghai()
    selection = _shown(who, purpose=purpose, own=own, on=today)
    offset: int | dict[str, int] = 0
    if pages is not None and pages.by_type is not None:
        offset = {key: (max(1, page) - 1) * pages.size for key, page in pages.by_type.items()}
    elif pages is not None:
        offset = (max(1, pages.page) - 1) * pages.size
    rows, counts_by_type = records.shown_file_page(
        session, subject.id, shown=selection, offset=offset, limit=pages.size if pages else None,
        objection_open=open_objection_sql,
    )  # fmt: skip
    shown: list[tuple[Any, frozenset[Disclosure]]] = []
    for row in rows:
        r = row.record
        grant = _grant(who, purpose=purpose, own_subject=own, department_id=r.department_id)
        # The SQL selected by the same rules; this check keeps a mistake there from leaking a record.
        if not _admitted(grant, in_publicity=row.in_publicity, status=r.status):
            continue
        shown.append((r, grant))
    views = _record_views(
        session, shown, subject=subject, public_ids={row.record.id for row in rows if row.in_publicity},
        objections={row.record.id for row in rows if row.objection_open},
        department_names={row.record.department_id: row.department_name for row in rows},
    )  # fmt: skip
    granted = _levels([header_grant, *(g for _, g in shown)])
    total = sum(counts_by_type.values())
    page = pages.page if pages is not None and pages.by_type is None else 1
    logged = False
    if granted != [Disclosure.public.value] and not own:
        returned: dict[str, Any] = {
            "records": [r.id for r, g in shown if g != PUBLIC],
            "levels": granted,
            "id_number": subject.kind == "natural_person" and header_grant != PUBLIC,
        }
        if pages is not None:
            returned["page"] = pages.by_type if pages.by_type is not None else page
            returned["page_size"] = pages.size
            returned["records_total"] = total
        log_query(session, who=who, subject_id=subject.id, purpose=purpose or "", channel=channel,
                  view="+".join(granted), returned=returned)  # fmt: skip
        logged = True
    labels = _plan().type_labels
    return CreditFileView(
        subject=_subject_view(session, subject, header_grant, other_codes=other_codes), levels=granted,
        view_label="、".join(LEVEL_LABELS[level] for level in granted), purpose=purpose, logged=logged,
        more_with_purpose=purpose is None and _may_see_more(who), records=views,
        counts={labels.get(k, k): n for k, n in counts_by_type.items()}, counts_by_type=counts_by_type,
        records_total=total, records_page=page, records_page_size=pages.size if pages else None,
    )  # fmt: skip


def _shown(who: Principal, *, purpose: str | None, own: bool, on: Any) -> records.Shown:
    """The records of a subject's file that `who` may see, as a rule SQL applies before any
    pagination: `_grant` for records of other departments (the subject's own grant) and for those of
    the caller's department, and for each grant the records it admits — the public only those in
    their publicity window, a grant without 不公开 only active ones, a grant with it all."""
    others = _grant(who, purpose=purpose, own_subject=own, department_id=None)
    department_id = who.department_id
    mine = (
        _grant(who, purpose=purpose, own_subject=own, department_id=department_id)
        if department_id is not None
        else others
    )
    return records.Shown(
        on=on, public_types=_plan().public_types, rule=_admits(others),
        department_id=department_id if mine != others else None, department_rule=_admits(mine),
    )  # fmt: skip


def is_own(who: Principal, subject: Any) -> bool:
    """Whether `who` is the subject user of `subject` (its own file: 社会公开 + 授权查询)."""
    return who.role is Role.subject and who.subject_key is not None and who.subject_key == subject.subject_key


def _admitted(grant: frozenset[Disclosure], *, in_publicity: bool, status: str) -> bool:
    """One record under a grant: the public sees it in its publicity window; a grant without 不公开 sees
    active records only (the rule `_admits` gives SQL)."""
    if grant == PUBLIC and not in_publicity:
        return False
    return status == "active" or Disclosure.private in grant


def _admits(grant: frozenset[Disclosure]) -> Literal["public", "active", "all"]:
    if grant == PUBLIC:
        return "public"
    return "all" if Disclosure.private in grant else "active"


def _subject_view(
    session: Session, subject: Any, grant: frozenset[Disclosure], *, other_codes: dict[str, str] | None = None
) -> SubjectView:
    """The subject's header as `grant` shows it; `other_codes`: when found with it (else read here)."""
    person = subject.kind == "natural_person"
    public = grant == PUBLIC
    name = subject.name
    if person and public and _plan().mask_person_names:
        name = mask_person_name(name)
    id_number = subject.id_number
    if id_number and public:
        id_number = mask_resident_id(id_number)
    if person:
        other_codes = {}
    elif other_codes is None:
        other_codes = subjects.other_codes(session, subject.id)
    return SubjectView(
        code=subjects.url_code(subject), public_id=subject.public_id, kind=subject.kind,
        kind_label=KIND_LABELS.get(subject.kind, subject.kind), name=name, uscc=subject.uscc,
        id_number=id_number, region_code=subject.region_code,
        region_name=region_name(subject.region_code) if subject.region_code else None, other_codes=other_codes,
    )  # fmt: skip


# --- records -------------------------------------------------------------------------------------


def record(
    session: Session, *, who: Principal, record_id: int, purpose: str | None = None, channel: str = "api"
) -> RecordView:
    """One record as `who` may see it; a record the caller may not see is "not found" (no probing)."""
    purpose = clean_purpose(purpose)
    row = records.get_raw(session, record_id)
    missing = NotFound(f"未找到编号为 {record_id} 的公开信用记录")
    if row is None:
        raise missing
    subject = subjects.subjects_by_id(session, {row.subject_id})[row.subject_id]
    own = is_own(who, subject)
    grant = _grant(who, purpose=purpose, own_subject=own, department_id=row.department_id)
    today = today_shanghai()
    public_ids = (
        {row.id}
        if records.is_publicly_visible(session, row.id, on=today, public_types=_plan().public_types)
        else set()
    )
    if not _admitted(grant, in_publicity=bool(public_ids), status=row.status):
        raise missing
    view = _record_views(session, [(row, grant)], subject=subject, public_ids=public_ids)[0]
    header = _subject_view(
        session, subject, _grant(who, purpose=purpose, own_subject=own, department_id=None)
    )
    view.subject_code, view.subject_name = header.code, header.name
    if grant != PUBLIC and not own:
        log_query(session, who=who, subject_id=subject.id, purpose=purpose or "", channel=channel,
                  view="+".join(_levels([grant])), returned={"records": [row.id], "levels": _levels([grant])})  # fmt: skip
    return view


def _record_views(
    session: Session,
    shown: list[tuple[Any, frozenset[Disclosure]]],
    *,
    subject: Any,
    public_ids: set[int],
    objections: set[int] | None = None,
    department_names: dict[int, str] | None = None,
) -> list[RecordView]:
    """Views of `shown` records; `objections` (those of them with an open objection) and
    `department_names` (by department id) when the caller read them already (else a query each)."""
    plan = _plan()
    if objections is None:
        objections = open_objection_record_ids(session, [r.id for r, _ in shown])
    if department_names is None:
        department_names = _department_names(session, {r.department_id for r, _ in shown})
    full_ids = [r.id for r, g in shown if Disclosure.private in g]
    provenance = (
        records.provenance_of(session, [r for r, g in shown if Disclosure.private in g]) if full_ids else {}
    )
    history = records.history_by_record(session, full_ids) if full_ids else {}
    mask_names = subject is not None and subject.kind == "natural_person" and plan.mask_person_names
    labels = plan.type_labels
    views = []
    for r, grant in shown:
        full = Disclosure.private in grant
        # Built from trusted values (the database's and the catalog's): no validation per record.
        views.append(
            trusted(
                RecordView,
                id=r.id, record_type=r.record_type, record_type_label=labels.get(r.record_type, r.record_type),
                status=r.status, decision_date=r.decision_date, publicity_start=r.publicity_start,
                publicity_end=r.publicity_end, in_publicity=r.id in public_ids, objection_open=r.id in objections,
                department_id=r.department_id, department_name=department_names[r.department_id],
                fields=_fields(plan, r.record_type, r.data, grant, mask_names=mask_names), subject_code=None,
                subject_name=None, provenance=provenance.get(r.id), history=history.get(r.id) if full else None,
            )
        )  # fmt: skip
    return views


def _department_names(session: Session, ids: set[int]) -> dict[int, str]:
    return {d.id: d.name for d in accounts.departments_by_id(session, ids).values()}


def _fields(
    plan: _CatalogPlan,
    record_type: str,
    data: dict[str, Any],
    grant: frozenset[Disclosure],
    *,
    mask_names: bool,
) -> list[FieldOut]:
    out = []
    for name, label, level, mask in plan.field_plan(record_type, grant):
        value = data.get(name)
        if value is None or value == "":
            continue
        if mask == "id":
            value = mask_resident_id(str(value))
        elif mask == "name" and mask_names:
            value = mask_person_name(str(value))
        out.append(field_out(name, label, value, level))
    return out


FieldPlan = tuple[tuple[str, str, str, str | None], ...]


class _CatalogPlan:
    """What the access layer derives from one catalog (labels, public types, which fields each grant
    shows), built once per catalog rather than per request or per record."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.type_labels = {key: t.label for key, t in catalog.record_types.items()}
        self.public_types = tuple(
            k for k, t in catalog.record_types.items() if t.disclosure is Disclosure.public
        )
        self.mask_person_names = catalog.public_person_names == "masked"
        self._field_plans: dict[tuple[str, frozenset[Disclosure]], FieldPlan] = {}

    def field_plan(self, record_type: str, grant: frozenset[Disclosure]) -> FieldPlan:
        """The fields of a record type that `grant` shows, in catalog order: (name, label, level, mask),
        mask "id" for ID numbers and "name" for the subject's name (a person's) in public views."""
        plan = self._field_plans.get((record_type, grant))
        if plan is None:
            plan = self._field_plans[(record_type, grant)] = self._build_field_plan(record_type, grant)
        return plan

    def _build_field_plan(self, record_type: str, grant: frozenset[Disclosure]) -> FieldPlan:
        spec_of = self.catalog.record_types.get(record_type)
        if spec_of is None or spec_of.disclosure not in grant:
            return ()
        public = grant == PUBLIC
        plan = []
        for spec in spec_of.fields:
            if spec.disclosure not in grant:
                continue
            mask = None
            if public and spec.code_kind is CodeKind.resident_id:
                mask = "id"
            elif public and spec.name == spec_of.subject.name:
                mask = "name"
            plan.append((spec.name, spec.label, spec.disclosure.value, mask))
        return tuple(plan)


_plan = per_catalog(_CatalogPlan)  # the plan of the current catalog


def public_record_types() -> dict[str, str]:
    """The record types the public sees (key → Chinese label), as the catalog declares them."""
    plan = _plan()
    return {k: plan.type_labels[k] for k in plan.public_types}


# --- search --------------------------------------------------------------------------------------


def search(session: Session, *, who: Principal, q: str, page: int = 1) -> SearchPage:
    """Find subjects by any code or by name (partial and tolerant); public callers find organisations only."""
    words = " ".join((q or "").split())
    if len(words) > SEARCH_MAX_LENGTH:
        raise QueryTooLong(f"查询内容过长：最多 {SEARCH_MAX_LENGTH} 个字符")
    page = max(1, page)
    if not words:
        return SearchPage(q="", hits=[], page=page, has_more=False)
    by_code = _search_code(session, who=who, words=words)
    if by_code is not None:
        return SearchPage(q=words, hits=by_code if page == 1 else [], page=page, has_more=False)
    kinds = PUBLIC_SEARCH_KINDS if who.role in (Role.public, Role.subject) else ALL_KINDS
    found, has_more = subjects.search_by_name(
        session, words=words, kinds=kinds, offset=(page - 1) * SEARCH_PAGE_SIZE, limit=SEARCH_PAGE_SIZE
    )
    hits = [
        _hit(s, matched="名称", score=score, public=who.role in (Role.public, Role.subject))
        for s, score in found
    ]
    return SearchPage(q=words, hits=hits, page=page, has_more=has_more)


def _search_code(session: Session, *, who: Principal, words: str) -> list[SearchHit] | None:
    """Hits for a query that is a code, or None when it is not one."""
    normal = normalize(words)
    kind = identify(normal).kind
    is_code = kind in ("uscc", "org_code", "reg_no", "resident_id") or bool(PUBLIC_ID.match(words.lower()))
    if not is_code:
        return None
    try:
        subject = find_subject_for(session, who=who, code=normal if kind != "unknown" else words)
    except NotFound:
        return []
    public = who.role in (Role.public, Role.subject)
    if subject.kind == "natural_person" and public and kind != "unknown":
        return []
    return [_hit(subject, matched="代码", score=1.0, public=public)]


def _hit(subject: Any, *, matched: str, score: float, public: bool) -> SearchHit:
    name = subject.name
    if public and subject.kind == "natural_person" and _plan().mask_person_names:
        name = mask_person_name(name)
    return SearchHit(
        code=subjects.url_code(subject), name=name, kind_label=KIND_LABELS.get(subject.kind, subject.kind),
        uscc=subject.uscc, region_name=region_name(subject.region_code) if subject.region_code else None,
        matched=matched, score=score,
    )  # fmt: skip


# --- 双公示 listings and department pages --------------------------------------------------------


def publicity(
    session: Session,
    *,
    record_type: str | None = None,
    department_id: int | None = None,
    date_from: Any = None,
    date_to: Any = None,
    page: int = 1,
) -> PublicityPage:
    """The public 双公示 listing: records in their publicity window, newest decision first."""
    if record_type and record_type not in _plan().public_types:
        raise NotFound(f"没有名为 {record_type} 的公示信息类别")
    if date_from and date_to and date_from > date_to:
        raise PanshiError("起始日期不能晚于截止日期", code="bad_date_range")
    page = max(1, page)
    today = today_shanghai()
    rows, total = records.public_listing(
        session, on=today, public_types=_plan().public_types, record_type=record_type, department_id=department_id,
        date_from=date_from, date_to=date_to, offset=(page - 1) * LISTING_PAGE_SIZE, limit=LISTING_PAGE_SIZE,
        count_cap=LISTING_COUNT_CAP,
    )  # fmt: skip
    owners = subjects.subjects_by_id(session, {r.subject_id for r in rows})
    objections = open_objection_record_ids(session, [r.id for r in rows])
    department_names = _department_names(session, {r.department_id for r in rows})
    items = []
    for r in rows:
        owner = owners[r.subject_id]
        shown = [(r, PUBLIC)]
        view = _record_views(session, shown, subject=owner, public_ids={r.id}, objections=objections,
                             department_names=department_names)[0]  # fmt: skip
        header = _subject_view(session, owner, PUBLIC) if owner.kind == "natural_person" else None
        items.append(
            PublicityItem(
                subject_code=subjects.url_code(owner),
                subject_name=header.name if header else owner.name,
                record=view,
            )
        )
    return PublicityPage(
        items=items, page=page, total=total, total_capped=total >= LISTING_COUNT_CAP,
        pages=max(1, -(-total // LISTING_PAGE_SIZE)),
    )  # fmt: skip


def department_page(session: Session, *, department_id: int, page: int = 1) -> DepartmentPage:
    """A department (数据来源单位): what it has sent, and its records now in publicity."""
    department = accounts.get_department(session, department_id)
    labels = _plan().type_labels
    counts = records.counts_by_type_of_department(session, department_id)
    return DepartmentPage(
        department=department_out(department),
        record_counts={labels.get(k, k): n for k, n in counts.items()},
        latest=publicity(session, department_id=department_id, page=page),
    )


def department_out(department: Any) -> DepartmentOut:
    return DepartmentOut(
        id=department.id, name=department.name, uscc=department.uscc, region_code=department.region_code
    )


def departments(session: Session) -> list[DepartmentOut]:
    return [department_out(d) for d in accounts.list_departments(session)]
