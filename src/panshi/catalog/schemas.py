"""The catalog's shape: record types, their fields and rules, validated when the YAML is loaded."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Disclosure(StrEnum):
    """公开属性: who may see a field."""

    public = "public"  # 社会公开
    authorised = "authorised"  # 授权查询
    government = "government"  # 政务共享
    private = "private"  # 不公开


class FieldType(StrEnum):
    text = "text"
    code = "code"
    enum = "enum"
    date = "date"
    amount = "amount"


class CodeKind(StrEnum):
    uscc = "uscc"
    org_code = "org_code"
    reg_no = "reg_no"
    resident_id = "resident_id"
    any = "any"  # free-form code: normalised, length-checked only


class Condition(BaseModel):
    """A condition on another field of the same row: its value is one of `in_`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    field: str
    in_: list[str] = Field(alias="in")


class FieldSpec(BaseModel):
    """One field of a record type, with its three spellings and its rules."""

    model_config = ConfigDict(extra="forbid")
    name: str  # project field name (English)
    label: str  # Chinese header, e.g. 行政相对人代码_1
    hint: str | None = None  # bracketed hint, e.g. 统一社会信用代码
    code: str  # national column code, e.g. CF_XDR_SHXYM
    aliases: list[str] = []
    type: FieldType = FieldType.text
    required: bool = False
    max_length: int = 2000
    code_kind: CodeKind | None = None
    code_kind_when: Condition | None = None  # validate as code_kind only when this holds
    values: list[str] = []
    multiple: bool = False  # several values separated by `;`
    not_future: bool = False
    # A text or code value must match this regular expression in full (e.g. 承诺编码's region + date +
    # serial); `pattern_hint` says the form in words for the error report.
    pattern: str | None = None
    pattern_hint: str = ""
    disclosure: Disclosure = Disclosure.public
    description: str = ""

    @model_validator(mode="after")
    def _coherent(self) -> FieldSpec:
        if self.type is FieldType.enum and not self.values:
            raise ValueError(f"{self.name}: an enum field needs values")
        if self.type is FieldType.code and self.code_kind is None:
            raise ValueError(f"{self.name}: a code field needs code_kind")
        if self.pattern is not None:
            if self.type not in (FieldType.text, FieldType.code):
                raise ValueError(f"{self.name}: only text and code fields take a pattern")
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(
                    f"{self.name}: pattern {self.pattern!r} is not a regular expression: {exc}"
                ) from None
        return self

    @property
    def header(self) -> str:
        """The Chinese header as the national template prints it."""
        return f"{self.label}({self.hint})" if self.hint else self.label

    def spellings(self) -> set[str]:
        names = {self.name, self.label, self.code, self.header, *self.aliases}
        return {header_key(n) for n in names}


class RequiredWhen(BaseModel):
    """`fields` are required when the condition holds."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["required_when"] = "required_when"
    when: Condition
    fields: list[str]


class AnyOfRequiredWhen(BaseModel):
    """At least one of `fields` is required when the condition holds."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["any_of_required_when"] = "any_of_required_when"
    when: Condition
    fields: list[str]


class DateOrder(BaseModel):
    """`later` may not be before `earlier` (when both are present)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["date_order"] = "date_order"
    earlier: str
    later: str


Rule = RequiredWhen | AnyOfRequiredWhen | DateOrder


class SubjectMapping(BaseModel):
    """Which fields of a record name its credit subject."""

    model_config = ConfigDict(extra="forbid")
    name: str
    category: str
    uscc: str
    reg_no: str | None = None
    org_code: str | None = None
    other_codes: list[str] = []
    id_type: str | None = None
    id_number: str | None = None
    resident_id_types: list[str] = ["身份证", "居民身份证"]
    categories: dict[str, str]  # category value -> subject kind

    @property
    def code_fields(self) -> list[str]:
        """The fields holding an organisation's old codes (工商注册号, 组织机构代码, ...)."""
        return [n for n in (self.reg_no, self.org_code, *self.other_codes) if n]

    @staticmethod
    def code_type(field: str) -> str:
        """The code type a code field's values are registered under (`subject_reg_no` → `reg_no`)."""
        return field.removeprefix("subject_")


class DepartmentMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    uscc: str


class RecordType(BaseModel):
    """A kind of credit record (行政处罚, 行政许可, ...) as declared in the catalog."""

    model_config = ConfigDict(extra="forbid")
    key: str
    label: str
    code_prefix: str
    description: str = ""
    fields: list[FieldSpec]
    rules: list[Rule] = []
    natural_key: list[str]  # field names; "$subject" stands for the subject's identity
    decision_date: str
    number_field: str | None = None  # the field that numbers a record (文书号, 承诺编码): its heading
    publicity_end: str | None = None  # the field a department may state the end of publicity in (公示截止期)
    disclosure: Disclosure = Disclosure.public  # the record as a whole; fields can only narrow it
    # Only records meeting this condition are ever shown to the public (e.g. a commitment's 公开类型
    # 可向社会公开); the others are read as a non-public record of the type (publicity/windows.py).
    public_when: Condition | None = None
    subject: SubjectMapping
    department: DepartmentMapping
    ignore_headers: list[str] = []

    @model_validator(mode="after")
    def _references_exist(self) -> RecordType:
        names = {f.name for f in self.fields}
        referenced: list[str] = [
            self.decision_date,
            self.department.name,
            self.department.uscc,
        ]
        referenced += [x for x in (self.publicity_end, self.number_field) if x]
        referenced += [k for k in self.natural_key if k != "$subject"]
        s = self.subject
        referenced += [s.name, s.category, s.uscc, *s.other_codes]
        referenced += [x for x in (s.reg_no, s.org_code, s.id_type, s.id_number) if x]
        for rule in self.rules:
            if isinstance(rule, DateOrder):
                referenced += [rule.earlier, rule.later]
            else:
                referenced += [rule.when.field, *rule.fields]
        for f in self.fields:
            if f.code_kind_when:
                referenced.append(f.code_kind_when.field)
        if self.public_when:
            referenced.append(self.public_when.field)
        missing = sorted(set(referenced) - names)
        if missing:
            raise ValueError(f"{self.key}: unknown field names {missing}")
        if self.public_when:
            values = self.field(self.public_when.field).values
            unknown = sorted(set(self.public_when.in_) - set(values)) if values else []
            if unknown:
                raise ValueError(
                    f"{self.key}: public_when values {unknown} are not values of {self.public_when.field}"
                )
        spellings: dict[str, str] = {}
        for f in self.fields:
            for sp in f.spellings():
                if spellings.setdefault(sp, f.name) != f.name:
                    raise ValueError(f"{self.key}: spelling {sp!r} names both {spellings[sp]} and {f.name}")
        return self

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


class Catalog(BaseModel):
    """One version of the catalog (信用信息目录)."""

    model_config = ConfigDict(extra="forbid")
    version: str
    # Natural persons' names in public views: masked (张** ) or in full, as the jurisdiction rules.
    public_person_names: Literal["masked", "full"] = "masked"
    record_types: dict[str, RecordType]


_BRACKETS = re.compile(r"[(\[【][^)\]】]*[)\]】]")


def header_key(text: str) -> str:
    """A header as compared: NFKC, no whitespace, case-folded (so ｃｆ＿ｗｓｈ equals CF_WSH)."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def strip_hint(text: str) -> str:
    """A header without its bracketed hint: 行政相对人代码_1(统一社会信用代码) -> 行政相对人代码_1."""
    return _BRACKETS.sub("", unicodedata.normalize("NFKC", text))
