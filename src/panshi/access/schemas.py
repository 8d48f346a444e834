"""What each caller is given: subjects and records already filtered by disclosure level and masked."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from markupsafe import Markup, escape
from pydantic import BaseModel, Field

from panshi.catalog.service import load_catalog
from panshi.records.schemas import HistoryEventOut, ProvenanceOut, status_label

M = TypeVar("M", bound=BaseModel)

KIND_LABELS = {
    "legal_entity": "法人及非法人组织",
    "individual_business": "个体工商户",
    "natural_person": "自然人",
}
# An organisation's other codes, by the code type ingest stores them under.
CODE_LABELS = {
    "uscc": "统一社会信用代码",
    "reg_no": "工商注册号",
    "org_code": "组织机构代码",
    "tax_reg_no": "税务登记号",
    "institution_cert_no": "事业单位证书号",
    "social_org_cert_no": "社会组织登记证号",
}
LEVEL_LABELS = {"public": "社会公开", "authorised": "授权查询", "government": "政务共享", "private": "不公开"}


def trusted(model: type[M], **values: Any) -> M:
    """An instance of `model` from values already valid (read from the database and the catalog),
    without validation: a credit file builds thousands of these per page. Every field must be given."""
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", set(values))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


FOREVER = "2099-12-31"  # the catalog's way of saying 长期 (no end) in a date field
LICENSE_STATUS = {"1": "有效", "2": "无效"}  # 行政许可 当前状态 (XK_ZT)


def field_text(record_type: str, name: str, value: Any) -> str:
    """A field's value as pages and reports say it: lists joined with ；, and the catalog's coded values
    spelt out beside the code (有效期至 2099-12-31 is 长期; a license's 当前状态 1 / 2 is 有效 / 无效)."""
    if isinstance(value, list):
        return "；".join(map(str, value))
    text = "" if value is None else str(value)
    if name in ("valid_to", "valid_until") and text == FOREVER:
        return f"长期（{FOREVER}）"
    if name == "status" and record_type == "admin_license" and text in LICENSE_STATUS:
        return f"{LICENSE_STATUS[text]}（{text}）"
    return text


_HEADS: dict[tuple[str, str | None, str | None], Markup] = {}
HEADS_CACHED = 10_000  # headings are few (fields × levels of the catalog); a bound all the same


def field_head(label: str, hint: str | None, level_label: str | None) -> Markup:
    """A field's heading on a page: its label, the hint beside it (统一社会信用代码) and, for a level other
    than 社会公开, the level's tag. Built once: a page of records shows hundreds of them."""
    key = (label, hint, level_label)
    head = _HEADS.get(key)
    if head is None:
        head = Markup("{}{}{}").format(
            label,
            Markup("（{}）").format(hint) if hint else "",
            Markup(' <span class="tag level">{}</span>').format(level_label) if level_label else "",
        )
        if len(_HEADS) < HEADS_CACHED:
            _HEADS[key] = head
    return head


class FieldOut(BaseModel):
    """One field of a record, as the catalog names it, at a level the caller may see."""

    name: str
    label: str
    value: Any
    level: str


_new = object.__new__
_set = object.__setattr__
# Every FieldOut made by field_out has all its fields set: one set for all (frozen: none is changed).
_ALL_SET = frozenset(FieldOut.model_fields)


def field_out(name: str, label: str, value: Any, level: str) -> FieldOut:
    """A FieldOut from trusted values, as `trusted` makes one, with less work: a page builds a thousand."""
    field = _new(FieldOut)
    _set(field, "__dict__", {"name": name, "label": label, "value": value, "level": level})
    _set(field, "__pydantic_fields_set__", _ALL_SET)
    _set(field, "__pydantic_extra__", None)
    _set(field, "__pydantic_private__", None)
    return field


class RecordView(BaseModel):
    id: int
    record_type: str
    record_type_label: str
    status: str
    decision_date: date | None
    publicity_start: date | None
    publicity_end: date | None
    in_publicity: bool = Field(description="Inside its publicity window today (shown to the public)")
    objection_open: bool = Field(
        default=False, description="An objection to it is being handled (异议处理中)"
    )
    department_id: int
    department_name: str
    fields: list[FieldOut]
    subject_code: str | None = Field(
        default=None, description="Code of the subject's page (single-record reads)"
    )
    subject_name: str | None = Field(default=None, description="The subject's name as this caller may see it")
    provenance: ProvenanceOut | None = Field(default=None, description="Full views only")
    history: list[HistoryEventOut] | None = Field(default=None, description="Full views only")

    def value(self, name: str) -> Any:
        return next((f.value for f in self.fields if f.name == name), None)

    @property
    def number(self) -> Any:
        """The record's number as the catalog names it (文书号, 承诺编码), if the caller may see it."""
        record_type = load_catalog().record_types.get(self.record_type)
        return self.value(record_type.number_field) if record_type and record_type.number_field else None

    def text(self, field: FieldOut) -> str:
        """`field`'s value as pages say it (see field_text)."""
        return field_text(self.record_type, field.name, field.value)

    def field_list(self, hints: Mapping[str, str], level_labels: Mapping[str, str]) -> Markup:
        """The record's fields as a page lists them: `<dt>` heading, `<dd>` value as text (escaped), for
        the `<dl>` of the record partial; `hints` by `record_type.field`. Written here rather than by
        the template: a page lists hundreds of fields, and Jinja's loop and escaping per field cost
        most of the page's rendering."""
        prefix, record_type = self.record_type + ".", self.record_type
        return Markup(
            "".join(
                f"<dt>{field_head(f.label, hints.get(prefix + f.name), None if f.level == 'public' else level_labels.get(f.level, f.level))}</dt>"
                f"<dd>{escape(field_text(record_type, f.name, f.value))}</dd>\n"
                for f in self.fields
            )
        )  # fmt: skip

    @property
    def status_label(self) -> str:
        return status_label(self.status)


class SubjectView(BaseModel):
    code: str = Field(description="The code of the subject's stable URL: its USCC, else an opaque id")
    public_id: str
    kind: str
    kind_label: str
    name: str
    uscc: str | None
    id_number: str | None = Field(description="Masked (2202**********1234) unless the caller may see it")
    region_code: str | None
    region_name: str | None
    other_codes: dict[str, str]


class CreditFileView(BaseModel):
    """信用档案 as the caller may see it."""

    subject: SubjectView
    levels: list[str] = Field(description="Disclosure levels this view includes")
    view_label: str
    purpose: str | None
    logged: bool = Field(description="This read was written to the query log (查询登记)")
    more_with_purpose: bool = Field(description="The caller may see more by stating a purpose")
    records: list[RecordView] = Field(description="This page of the records the caller may see")
    counts: dict[str, int] = Field(
        description="Records the caller may see in this file (every page), by record type label"
    )
    counts_by_type: dict[str, int] = Field(
        default_factory=dict, description="The same counts by record type key (admin_penalty …)"
    )
    records_total: int = Field(
        default=0, description="Records the caller may see in this file, on every page"
    )
    records_page: int = Field(default=1, description="The page of records this is (from 1)")
    records_page_size: int | None = Field(
        default=None, description="Records per page; null when the whole file is in one answer"
    )


class SearchHit(BaseModel):
    code: str
    name: str
    kind_label: str
    uscc: str | None
    region_name: str | None
    matched: str = Field(description="What matched: 代码 or 名称")
    score: float


class SearchPage(BaseModel):
    q: str
    hits: list[SearchHit]
    page: int
    has_more: bool


class PublicityItem(BaseModel):
    subject_code: str
    subject_name: str
    record: RecordView


class PublicityPage(BaseModel):
    """双公示 listing page."""

    items: list[PublicityItem]
    page: int
    total: int
    total_capped: bool = Field(description="There are at least `total` matches (counting stopped there)")
    pages: int


class DepartmentOut(BaseModel):
    id: int
    name: str
    uscc: str
    region_code: str | None


class DepartmentPage(BaseModel):
    department: DepartmentOut
    record_counts: dict[str, int]
    latest: PublicityPage
