"""List entries (名单信息): records of type list_entry read through the list types' rules.

An entry is in force from its 列入日期 to its 移出日期, both inclusive; without a 移出日期 it lasts the
list type's default duration. Extending and removing early are amendments of the record (a new
version and an 'amended' history row with actor and reason), so a list change is seen by the next
check after it commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from panshi.access.masking import mask_person_name
from panshi.catalog.service import load_catalog
from panshi.core.errors import NotFound, PanshiError
from panshi.core.timeutil import add_months, today_shanghai
from panshi.identifiers import identify, mask_resident_id, normalize, region_name
from panshi.records import service as records
from panshi.records.schemas import HistoryEventOut
from panshi.sanctions.catalog import LIST_ENTRY, ListType, SanctionsCatalog, load
from panshi.sanctions.schemas import EntryOut, EntryPage, PublicEntry, PublicListPage, Scope
from panshi.subjects import service as subjects

PAGE_SIZE = 20
COUNT_CAP = 10_000
STATES = {"active": "生效中", "removed": "已移出", "all": "全部"}


class BadAmendment(PanshiError):
    code = "bad_amendment"
    status_code = 422


@dataclass(frozen=True)
class Entry:
    """One list entry with its list type's rules applied."""

    record_id: int
    subject_id: int
    list_type: ListType
    authority: str
    authority_uscc: str
    authority_recognised: bool
    decision_number: str
    basis: str
    reason: str
    start_date: date
    end_date: date
    end_by_default: bool
    status: str
    version: int

    def in_force(self, on: date) -> bool:
        return self.status == "active" and self.start_date <= on <= self.end_date

    def state(self, on: date) -> str:
        if self.status != "active":
            return "已移出"
        if on < self.start_date:
            return "未生效"
        return "生效中" if on <= self.end_date else "已到期"


def entry_of(record: Any, catalog: SanctionsCatalog) -> Entry | None:
    """The entry a list_entry record states (None if its list type left the catalog)."""
    data = record.data
    list_type = catalog.list_type(str(data.get("list_type") or ""))
    start = record.decision_date
    if list_type is None or start is None:
        return None
    stated = data.get("end_date")
    end = date.fromisoformat(stated) if stated else list_type.default_end(start)
    authority = str(data.get("authority") or "")
    return Entry(
        record_id=record.id, subject_id=record.subject_id, list_type=list_type, authority=authority,
        authority_uscc=str(data.get("authority_uscc") or ""),
        authority_recognised=catalog.authority_recognised(list_type, authority),
        decision_number=str(data.get("decision_number") or ""), basis=str(data.get("basis") or ""),
        reason=str(data.get("reason") or ""), start_date=start, end_date=end, end_by_default=not stated,
        status=record.status, version=record.version,
    )  # fmt: skip


def entries_in_force(
    session: Session, subject_ids: list[int], *, on: date, catalog: SanctionsCatalog
) -> tuple[dict[int, list[Entry]], int]:
    """The entries in force on `on` of each subject, and the store's data version read with them."""
    rows, version = records.of_type_for_subjects(session, LIST_ENTRY, subject_ids)
    found: dict[int, list[Entry]] = {}
    for row in rows:
        entry = entry_of(row, catalog)
        if entry is not None and entry.in_force(on):
            found.setdefault(entry.subject_id, []).append(entry)
    for entries in found.values():
        entries.sort(key=lambda e: (e.list_type.kind.value, e.start_date, e.record_id))
    return found, version


def open_end_floor(list_type: ListType, on: date) -> date:
    """The earliest 列入日期 whose default end is on or after `on`: an entry without a 移出日期 is in
    force on `on` when it started on or after this day (and not after `on`)."""
    floor = add_months(on, -list_type.duration_months)
    while list_type.default_end(floor - timedelta(days=1)) >= on:
        floor -= timedelta(days=1)
    while list_type.default_end(floor) < on:
        floor += timedelta(days=1)
    return floor


def _window(catalog: SanctionsCatalog, on: date) -> records.Window:
    floors = {}
    for t in catalog.list_types.values():
        floors[t.code] = floors[t.name] = open_end_floor(t, on)
    return records.Window(on=on, end_field="end_date", group_field="list_type", open_end_floors=floors)


def _stored_values(catalog: SanctionsCatalog, codes: list[str]) -> list[str]:
    """A list type is stored as sent: by its code or by its name."""
    return [key for c in codes for key in (c, catalog.list_types[c].name)]


def _subject_ids_matching(session: Session, q: str, *, kinds: tuple[str, ...]) -> list[int]:
    normal = normalize(q)
    if identify(normal).kind != "unknown":
        try:
            subject = subjects.find_subject(session, normal)
        except NotFound:
            return []
        return [subject.id] if subject.kind in kinds else []
    found, _more = subjects.search_by_name(
        session, words=" ".join(q.split()), kinds=kinds, offset=0, limit=200
    )
    return [s.id for s, _score in found]


def _page(
    session: Session,
    *,
    catalog: SanctionsCatalog,
    codes: list[str],
    state: str,
    q: str | None,
    kinds: tuple[str, ...],
    public: bool,
    page: int,
    on: date,
) -> tuple[list[Entry], dict[int, Any], int, int]:
    subject_ids = _subject_ids_matching(session, q, kinds=kinds) if q and q.strip() else None
    rows, total = records.of_type_page(
        session, LIST_ENTRY, field_in={"list_type": _stored_values(catalog, codes)},
        status=None if state == "all" else ("removed" if state == "removed" else "active"),
        subject_ids=subject_ids, window=_window(catalog, on) if state == "active" else None,
        may_be_public=public, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, count_cap=COUNT_CAP,
    )  # fmt: skip
    entries = [e for e in (entry_of(r, catalog) for r in rows) if e is not None]
    owners = subjects.subjects_by_id(session, {e.subject_id for e in entries})
    return entries, owners, total, max(1, -(-total // PAGE_SIZE))


def entry_out(entry: Entry, owner: Any, *, on: date) -> EntryOut:
    t = entry.list_type
    return EntryOut(
        record_id=entry.record_id, list_type=t.code, list_name=t.name, list_kind=t.kind.value,
        list_kind_label=t.kind_label, subject_code=subjects.url_code(owner), subject_name=owner.name,
        authority=entry.authority, authority_recognised=entry.authority_recognised,
        decision_number=entry.decision_number, basis=entry.basis, reason=entry.reason,
        start_date=entry.start_date, end_date=entry.end_date, end_by_default=entry.end_by_default,
        status=entry.status, state=entry.state(on), version=entry.version,
    )  # fmt: skip


def entries_page(
    session: Session,
    *,
    list_type: str | None = None,
    state: str = "active",
    q: str | None = None,
    page: int = 1,
    on: date | None = None,
) -> EntryPage:
    """List entries for operators: every list type, by state (生效中 / 已移出 / 全部)."""
    catalog = load()
    on = on or today_shanghai()
    if state not in STATES:
        raise PanshiError(f"未知的状态 {state!r}；可用：{', '.join(STATES)}", code="bad_state")
    codes = [_list_type(catalog, list_type).code] if list_type else list(catalog.list_types)
    page = max(1, page)
    entries, owners, total, pages = _page(
        session, catalog=catalog, codes=codes, state=state, q=q, public=False, page=page, on=on,
        kinds=("legal_entity", "individual_business", "natural_person"),
    )  # fmt: skip
    return EntryPage(
        items=[entry_out(e, owners[e.subject_id], on=on) for e in entries], page=page, pages=pages, total=total,
        total_capped=total >= COUNT_CAP,
    )  # fmt: skip


def public_lists(
    session: Session,
    *,
    list_type: str | None = None,
    q: str | None = None,
    page: int = 1,
    on: date | None = None,
) -> PublicListPage:
    """The entries in force of the list types whose rules make them public, as the public sees them:
    natural persons' names and ID numbers masked, a minor's entry never shown."""
    catalog = load()
    on = on or today_shanghai()
    public = [catalog.list_types[c] for c in catalog.public_codes()]
    if list_type:
        chosen = _list_type(catalog, list_type)
        if not chosen.public:
            raise NotFound(f"名单“{chosen.name}”不向社会公开")
        codes = [chosen.code]
    else:
        codes = [t.code for t in public]
    page = max(1, page)
    entries, owners, total, pages = _page(
        session, catalog=catalog, codes=codes, state="active", q=q, public=True, page=page, on=on,
        kinds=("legal_entity", "individual_business"),
    )  # fmt: skip
    masked = load_catalog().public_person_names == "masked"
    items = []
    for e in entries:
        owner = owners[e.subject_id]
        person = owner.kind == "natural_person"
        items.append(
            PublicEntry(
                list_type=e.list_type.code, list_name=e.list_type.name, list_kind_label=e.list_type.kind_label,
                subject_code=subjects.url_code(owner),
                subject_name=mask_person_name(owner.name) if person and masked else owner.name,
                uscc=owner.uscc, id_number=mask_resident_id(owner.id_number) if owner.id_number else None,
                authority=e.authority, decision_number=e.decision_number, reason=e.reason,
                start_date=e.start_date, end_date=e.end_date,
            )
        )  # fmt: skip
    return PublicListPage(
        list_types=[Scope(code=t.code, name=t.name) for t in public], items=items, page=page, pages=pages,
        total=total, total_capped=total >= COUNT_CAP,
    )  # fmt: skip


def _list_type(catalog: SanctionsCatalog, code: str) -> ListType:
    found = catalog.list_type(code)
    if found is None:
        known = "、".join(f"{t.code}（{t.name}）" for t in catalog.list_types.values())
        raise NotFound(f"未知的名单类型 {code!r}；可用：{known}")
    return found


# --- one entry: read, extend, remove early -------------------------------------------------------


def get_entry(session: Session, record_id: int) -> tuple[Entry, Any]:
    """An entry and its subject, or NotFound."""
    record = records.get_of_type(session, LIST_ENTRY, record_id)
    entry = entry_of(record, load()) if record is not None else None
    if entry is None:
        raise NotFound(f"未找到编号为 {record_id} 的名单信息")
    return entry, subjects.subjects_by_id(session, {entry.subject_id})[entry.subject_id]


def entry_history(session: Session, record_id: int) -> list[HistoryEventOut]:
    return records.history_by_record(session, [record_id]).get(record_id, [])


def extend(session: Session, *, record_id: int, end_date: date, reason: str, actor: str) -> Entry:
    """Move an entry's 移出日期 later (e.g. a court extends a 失信被执行人 listing); history keeps the old one."""
    entry, _ = get_entry(session, record_id)
    today = today_shanghai()
    if end_date <= entry.end_date:
        raise BadAmendment(f"新的移出日期须晚于现在的 {entry.end_date.isoformat()}；提前移出请用“提前移出”")
    if end_date < today:
        raise BadAmendment("新的移出日期不能早于今天")
    records.amend(session, record_id=record_id, record_type=LIST_ENTRY, changes={"end_date": end_date.isoformat()},
                  actor=actor, reason=reason)  # fmt: skip
    return get_entry(session, record_id)[0]


def remove(session: Session, *, record_id: int, reason: str, actor: str) -> Entry:
    """Take an entry off its list before its end (信用修复、撤销认定…); it stays in the store with its history."""
    get_entry(session, record_id)
    records.amend(session, record_id=record_id, record_type=LIST_ENTRY, changes={}, status="removed", actor=actor,
                  reason=reason)  # fmt: skip
    return get_entry(session, record_id)[0]


def subject_label(owner: Any) -> dict[str, Any]:
    """What a page shows of an entry's subject (ID numbers masked)."""
    return {
        "code": subjects.url_code(owner), "name": owner.name, "uscc": owner.uscc,
        "id_number": mask_resident_id(owner.id_number) if owner.id_number else None,
        "region_name": region_name(owner.region_code) if owner.region_code else None,
    }  # fmt: skip
