"""The public portal (公众门户): server-rendered pages in Simplified Chinese, no JavaScript needed.

Every page renders what the access layer (`panshi.access.service`) returns: which records and fields
a caller sees, masking and the query log are decided there, never here or in the templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from panshi.access import service as access
from panshi.access.routes import limit_search
from panshi.access.schemas import CODE_LABELS, LEVEL_LABELS, CreditFileView, RecordView
from panshi.accounts.schemas import Principal
from panshi.api.deps import MAX_ID, IdPath, ReadSession, caller
from panshi.api.web import render
from panshi.catalog.schemas import Catalog
from panshi.catalog.service import load_catalog, per_catalog
from panshi.core.errors import PanshiError
from panshi.evaluation.service import panel as evaluation_panel
from panshi.identifiers import region_name

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

Who = Annotated[Principal, Depends(caller)]

HOME_LATEST = 8
SECTION_PAGE_SIZE = 20  # records of one type on a credit file page
MAX_SECTION_PAGE = 100_000
# Sections of a credit file, in this order; record types the catalog adds later follow them.
SECTIONS = ("admin_license", "admin_penalty")


class InvalidPage(PanshiError):
    code = "invalid_request"
    status_code = 422


def _blank_is_none(value: Any) -> Any:
    """An empty GET form field (`department=`) means "no filter", not an invalid value."""
    return None if isinstance(value, str) and not value.strip() else value


def _date_field(label: str) -> BeforeValidator:
    """A date query parameter; blank is None, anything else must be a real date (else 422, in Chinese)."""

    def parse(value: Any) -> date | None:
        value = _blank_is_none(value)
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise PydanticCustomError(
                "bad_date",
                "{label}“{value}”不是有效日期，请按“年-月-日”填写，如 2025-06-01",
                {"label": label, "value": str(value)[:20]},
            ) from None

    return BeforeValidator(parse)


def _parse_id(value: Any) -> int | None:
    """An optional id from a select (blank is None); ids are positive BIGINTs."""
    value = _blank_is_none(value)
    if value is None:
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_ID:
        raise PydanticCustomError("bad_id", "“{value}”不是有效的编号", {"value": str(value)[:20]})
    return number


Blank = BeforeValidator(_blank_is_none)
OptionalId = Annotated[int | None, BeforeValidator(_parse_id)]


def _page(request: Request, name: str, **context: Any) -> Any:
    """A portal page, with the labels the record partials show."""
    return render(
        request,
        name,
        level_labels=LEVEL_LABELS,
        code_labels=CODE_LABELS,
        field_hints=_field_hints(),
        **context,
    )


def _hints_of(catalog: Catalog) -> dict[str, str]:
    """Each field's hint by `record_type.field`, so that 行政相对人代码_1 reads as 统一社会信用代码 too."""
    return {
        f"{key}.{spec.name}": spec.hint
        for key, record_type in catalog.record_types.items()
        for spec in record_type.fields
        if spec.hint
    }


_field_hints = per_catalog(_hints_of)


def _private(who: Principal) -> dict[str, str]:
    """Headers of a page that may hold more than the public view: no shared cache may keep it."""
    return {} if who.is_public else {"Cache-Control": "private, no-store"}


def _query(**filters: Any) -> str:
    """The query string that keeps a listing's filters in its pager links."""
    return urlencode({k: v for k, v in filters.items() if v not in (None, "")})


def _public_record_types() -> list[tuple[str, str]]:
    """(key, label) of the record types the catalog publishes: the options of the 双公示 filter."""
    return list(access.public_record_types().items())


@dataclass(frozen=True)
class Section:
    """One record type's part of a credit file page: its page of records, counted in full."""

    key: str
    label: str
    records: list[RecordView]
    total: int
    page: int
    pages: int
    links: dict[str, str]  # "prev"/"next" -> href that keeps the other sections' pages


def _section_pages(request: Request) -> dict[str, int]:
    """The page of each record type's section asked for (`?admin_penalty_page=2`); 1 when absent."""
    pages = {}
    for key in load_catalog().record_types:
        raw = request.query_params.get(f"{key}_page", "").strip()
        if not raw:
            continue
        page = int(raw) if raw.isdigit() and len(raw) <= 6 else 0
        if not 1 <= page <= MAX_SECTION_PAGE:
            raise InvalidPage(f"页码“{raw[:20]}”无效：须为 1 至 {MAX_SECTION_PAGE} 的整数")
        pages[key] = page
    return pages


def _sections(file: CreditFileView, pages: dict[str, int]) -> list[Section]:
    """A credit file's records by type: licenses and penalties always (empty ones say so), then others."""
    catalog = load_catalog().record_types
    keys = [k for k in SECTIONS if k in catalog]
    keys += sorted((set(file.counts_by_type) | {r.record_type for r in file.records}) - set(keys))
    labels = {r.record_type: r.record_type_label for r in file.records}
    sections = []
    for key in keys:
        total = file.counts_by_type.get(key, 0)
        page = pages.get(key, 1)
        last = max(1, -(-total // SECTION_PAGE_SIZE))
        links = {}
        for rel, target in (("prev", min(page - 1, last)), ("next", page + 1)):
            if 1 <= target <= last:
                query = _query(**{f"{k}_page": p for k, p in (pages | {key: target}).items() if p != 1})
                links[rel] = f"?{query}#{key}" if query else f"#{key}"
        sections.append(
            Section(
                key=key, label=catalog[key].label if key in catalog else labels.get(key, key),
                records=[r for r in file.records if r.record_type == key], total=total, page=page,
                pages=last, links=links,
            )
        )  # fmt: skip
    return sections


@router.get("/")
def home(request: Request, _who: Who, session: ReadSession) -> Any:
    """Home: the search box, what the platform holds, the latest 双公示 and the departments."""
    from panshi.accounts.service import count_departments
    from panshi.records.service import count_records_for_display
    from panshi.subjects.service import count_subjects

    counts = {
        "信用主体": (count_subjects(session), False),
        "信用记录": count_records_for_display(session),
        "数据来源单位": (count_departments(session), False),
    }
    latest = access.publicity(session, page=1)
    return _page(
        request,
        "portal/home.html",
        counts=counts,
        latest=latest.items[:HOME_LATEST],
        departments=access.departments(session),
    )


@router.get("/search")
def search(
    request: Request,
    who: Who,
    session: ReadSession,
    q: str = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Any:
    """Find subjects by name (partial, tolerant) or by any code; an empty query shows the form."""
    result = None
    if q.strip():
        # The JSON API's own guard, so that the page and /api/v1/search share one budget per address;
        # called here rather than as a dependency because showing the empty form is not a search.
        limit_search(request, who)
        result = access.search(session, who=who, q=q, page=page)
    return _page(
        request,
        "portal/search.html",
        q=q,
        result=result,
        first_rank=(page - 1) * access.SEARCH_PAGE_SIZE + 1,
        query=_query(q=result.q if result else ""),
    )


@router.get("/subjects/{code}")
def subject(request: Request, code: str, who: Who, session: ReadSession) -> Any:
    """A subject's public credit file (信用档案): basic data, then its records in publicity by type,
    each type a page at a time (`?admin_penalty_page=2`)."""
    pages = _section_pages(request)
    # Found once for the file and its grade: the subject with its codes, in one statement.
    located = access.locate(session, who=who, code=code)
    file = access.credit_file(
        session, who=who, code=located, channel="web",
        pages=access.RecordPages(size=SECTION_PAGE_SIZE, by_type=pages),
    )  # fmt: skip
    grade = evaluation_panel(session, who=who, code=file.subject.code, channel="web", subject=located.subject)
    headers = _private(who)
    if file.subject.kind == "natural_person":
        headers["X-Robots-Tag"] = "noindex"  # reachable by link only; search engines should not index it
    return _page(request, "portal/subject.html", headers=headers, file=file, grade=grade,
                 sections=_sections(file, pages))  # fmt: skip


@router.get("/records/{record_id}")
def record(request: Request, record_id: IdPath, who: Who, session: ReadSession) -> Any:
    """One record's stable page (404 unless the caller may see it)."""
    view = access.record(session, who=who, record_id=record_id, channel="web")
    return _page(request, "portal/record.html", headers=_private(who), record=view)


@router.get("/publicity")
def publicity(
    request: Request,
    _who: Who,
    session: ReadSession,
    record_type: Annotated[str | None, Blank, Query(alias="type")] = None,
    department: Annotated[OptionalId, Query()] = None,
    date_from: Annotated[date | None, _date_field("起始日期"), Query(alias="from")] = None,
    date_to: Annotated[date | None, _date_field("截止日期"), Query(alias="to")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Any:
    """双公示: licenses and penalties in their publicity period, filtered by a GET form."""
    listing = access.publicity(
        session,
        record_type=record_type,
        department_id=department,
        date_from=date_from,
        date_to=date_to,
        page=page,
    )
    filters = {
        "type": record_type or "",
        "department": department or "",
        "from": date_from.isoformat() if date_from else "",
        "to": date_to.isoformat() if date_to else "",
    }
    return _page(
        request,
        "portal/publicity.html",
        listing=listing,
        filters=filters,
        query=_query(**filters),
        record_types=_public_record_types(),
        departments=access.departments(session),
    )


@router.get("/departments")
def departments(request: Request, _who: Who, session: ReadSession) -> Any:
    """The source departments (数据来源单位)."""
    listed = access.departments(session)
    regions = {d.id: region_name(d.region_code) if d.region_code else None for d in listed}
    return _page(request, "portal/departments.html", departments=listed, regions=regions)


@router.get("/departments/{department_id}")
def department(
    request: Request,
    department_id: IdPath,
    _who: Who,
    session: ReadSession,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Any:
    """A department: how many records of each type it has sent, and its records now in publicity."""
    view = access.department_page(session, department_id=department_id, page=page)
    region = region_name(view.department.region_code) if view.department.region_code else None
    return _page(request, "portal/department.html", view=view, region=region, query="")
