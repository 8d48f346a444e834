"""Vectorised validation of one chunk of rows against a record type (no per-row Python).

A chunk comes in as text columns; out come the rows that passed, normalised and shaped for the
staging table, the codes that name their subjects, and one issue per problem found.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

import polars as pl

from panshi.catalog.schemas import AnyOfRequiredWhen, CodeKind, DateOrder, FieldSpec, FieldType, RecordType, RequiredWhen
from panshi.core.security import person_key
from panshi.identifiers import vectorised as idv
from panshi.ingest.headers import ColumnMap

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d")
EXCEL_EPOCH = date(1899, 12, 30)
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2099, 12, 31)
ISSUE_COLUMNS = {
    "row": pl.Int64,
    "field": pl.String,
    "column": pl.String,
    "code": pl.String,
    "severity": pl.String,
    "message": pl.String,
}
STAGING_COLUMNS = [
    "row", "natural_key", "subject_key", "subject_kind", "subject_name", "subject_uscc", "subject_id_number",
    "subject_region", "department_name", "department_uscc", "decision_date", "content_hash", "data",
    "submitted",
]  # fmt: skip


@dataclass(frozen=True)
class ValidatedChunk:
    staged: pl.DataFrame  # STAGING_COLUMNS, one row per accepted row
    codes: pl.DataFrame  # row, code_type, code: every code that names the row's subject
    issues: pl.DataFrame  # ISSUE_COLUMNS


@dataclass(frozen=True)
class Check:
    field: str
    code: pl.Expr  # the issue code (a literal, or per row for identifier checks)
    failed: pl.Expr  # true where the row has this problem
    message: pl.Expr  # evaluated only on the failing rows
    severity: str = "error"


def _check(field: str, code: str, failed: pl.Expr, message: pl.Expr, severity: str = "error") -> Check:
    return Check(field, pl.lit(code), failed, message, severity)


def _raw(name: str) -> str:
    return f"raw:{name}"


def _shown(name: str) -> pl.Expr:
    """The submitted value as quoted in a message, cut to a readable length."""
    value = pl.col(_raw(name))
    return pl.when(value.str.len_chars() > 40).then(value.str.slice(0, 40) + "…").otherwise(value)


def _blank_to_null(e: pl.Expr) -> pl.Expr:
    e = e.str.strip_chars()
    return pl.when(e == "").then(None).otherwise(e)


def parse_date(e: pl.Expr) -> pl.Expr:
    """Dates as departments send them: 2026-03-05, 2026/3/5, 20260305, 2026年3月5日, Excel serials."""
    text = e.str.replace_all(r"\s+", "").str.replace(r"(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$", "")
    text = idv.normalize_expr(text)  # full-width digits from Chinese input methods
    parsed = [text.str.strptime(pl.Date, fmt, strict=False) for fmt in DATE_FORMATS]
    serial = (
        pl.when(text.str.contains(r"^\d{5}(?:\.0+)?$"))
        .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=text.str.extract(r"^(\d{5})").cast(pl.Int64)))
        .otherwise(None)
    )
    result = pl.coalesce(*parsed, serial)
    return pl.when(result.is_between(pl.lit(MIN_DATE), pl.lit(MAX_DATE))).then(result).otherwise(None)


def _normalised(f: FieldSpec) -> pl.Expr:
    raw = _blank_to_null(pl.col(_raw(f.name)))
    if f.type is FieldType.code:
        return pl.when(raw.is_null()).then(None).otherwise(idv.normalize_expr(raw))
    if f.type is FieldType.enum:
        value = raw.str.replace_all("；", ";").str.replace_all(r"\s+", "")
        if f.multiple:
            parts = value.str.split(";").list.eval(pl.element().filter(pl.element() != "")).list.unique(
                maintain_order=True
            )
            return parts.list.join(";")
        return value
    if f.type is FieldType.date:
        return parse_date(raw)
    if f.type is FieldType.amount:
        return raw.str.replace_all(r"[,，\s]", "").str.replace(r"万元$", "")
    return raw


def _condition(field: str, values: list[str]) -> pl.Expr:
    return pl.col(field).is_in(values).fill_null(False)


def _field_checks(f: FieldSpec, *, today: date) -> list[Check]:
    col, label = pl.col(f.name), f.label
    present = pl.col(_raw(f.name)).str.strip_chars().str.len_chars().fill_null(0) > 0
    checks: list[Check] = []
    if f.required:
        checks.append(_check(f.name, "missing_required", ~present, pl.lit(f"{label}为必填项，不能为空")))
    checks.append(
        _check(
            f.name,
            "too_long",
            present & (pl.col(_raw(f.name)).str.strip_chars().str.len_chars() > f.max_length),
            pl.format(f"{label}超过 {f.max_length} 个字符（实有 {{}} 个）", pl.col(_raw(f.name)).str.len_chars()),
        )
    )
    if f.type is FieldType.enum:
        allowed = "、".join(f.values)
        if f.multiple:
            bad = col.str.split(";").list.eval(~pl.element().is_in(f.values)).list.any()
            sep = "，多个值用英文分号“;”分隔"
        else:
            bad = ~col.is_in(f.values)
            sep = ""
        checks.append(
            _check(f.name, "unknown_value", present & bad.fill_null(False),
                  pl.format(f"{label}“{{}}”不在取值范围内，应为：{allowed}{sep}", _shown(f.name)))
        )  # fmt: skip
    elif f.type is FieldType.date:
        checks.append(
            _check(f.name, "bad_date", present & col.is_null(),
                  pl.format(f"{label}“{{}}”不是有效日期（支持 2026-03-05、2026/3/5、20260305、2026年3月5日"
                            "或 Excel 日期；年份须在 1900-2099 之间）", _shown(f.name)))
        )  # fmt: skip
        if f.not_future:
            checks.append(
                _check(f.name, "future_date", col > pl.lit(today),
                      pl.format(f"{label}“{{}}”晚于今天（{today.isoformat()}）", _shown(f.name)))
            )  # fmt: skip
    elif f.type is FieldType.amount:
        numeric = col.str.contains(r"^-?(?:\d+(?:\.\d*)?|\.\d+)$").fill_null(False)
        checks.append(
            _check(f.name, "bad_amount", present & ~numeric,
                  pl.format(f"{label}“{{}}”不是数字（以万元为单位，如 0.5）", _shown(f.name)))
        )  # fmt: skip
        checks.append(
            _check(f.name, "negative_amount", numeric & col.str.starts_with("-"),
                  pl.format(f"{label}“{{}}”不能为负数", _shown(f.name)))
        )  # fmt: skip
    elif f.type is FieldType.code and f.code_kind is not CodeKind.any:
        applies = present
        if f.code_kind_when:
            applies = applies & _condition(f.code_kind_when.field, f.code_kind_when.in_)
        checks += _code_checks(f, applies, today)
    return checks


def _code_checks(f: FieldSpec, applies: pl.Expr, today: date) -> list[Check]:
    kind = f.code_kind.value if f.code_kind else "unknown"
    col = pl.col(f.name)
    errors: dict[str, Callable[[pl.Expr], pl.Expr]] = {
        "uscc": idv.uscc_error_expr,
        "org_code": idv.org_code_error_expr,
        "reg_no": idv.reg_no_error_expr,
        "resident_id": lambda e: idv.resident_id_error_expr(e, today),
    }
    warnings: dict[str, Callable[[pl.Expr], pl.Expr]] = {
        "uscc": idv.uscc_warning_expr,
        "reg_no": idv.reg_no_warning_expr,
    }
    found = [(errors[kind](col), "error")]
    if kind in warnings:
        found.append((warnings[kind](col), "warning"))
    checks = []
    for issue_code, severity in found:
        explained = issue_code.map_elements(lambda c, k=kind: idv.issue_message(c, k), return_dtype=pl.String)
        message = pl.format(f"{f.label}“{{}}”：{{}}", _shown(f.name), explained)
        checks.append(Check(f.name, issue_code, applies & issue_code.is_not_null(), message, severity))
    return checks


def _rule_checks(record_type: RecordType) -> list[Check]:
    checks: list[Check] = []
    for rule in record_type.rules:
        if isinstance(rule, DateOrder):
            earlier, later = record_type.field(rule.earlier), record_type.field(rule.later)
            checks.append(
                _check(later.name, "date_order", (pl.col(later.name) < pl.col(earlier.name)).fill_null(False),
                       pl.format(f"{later.label}（{{}}）早于{earlier.label}（{{}}）",
                                 _shown(later.name), _shown(earlier.name)))
            )  # fmt: skip
            continue
        when = _condition(rule.when.field, rule.when.in_)
        category = record_type.field(rule.when.field).label
        if isinstance(rule, RequiredWhen):
            for name in rule.fields:
                label = record_type.field(name).label
                checks.append(
                    _check(name, "missing_required", when & pl.col(name).is_null(),
                           pl.format(f"{category}为“{{}}”时，{label}为必填项", pl.col(rule.when.field)))
                )  # fmt: skip
        elif isinstance(rule, AnyOfRequiredWhen):
            labels = "、".join(record_type.field(n).header for n in rule.fields)
            none_given = pl.all_horizontal([pl.col(n).is_null() for n in rule.fields])
            checks.append(
                _check(rule.fields[0], "missing_required", when & none_given,
                       pl.format(f"{category}为“{{}}”时，{labels}至少填写一项", pl.col(rule.when.field)))
            )  # fmt: skip
    return checks


def _department_check(record_type: RecordType, own_department_uscc: str) -> Check:
    name = record_type.department.uscc
    label = record_type.field(name).label
    return _check(
        name,
        "not_own_department",
        pl.col(name).is_not_null() & (pl.col(name) != own_department_uscc),
        pl.format(f"{label}“{{}}”不是本单位的代码（{own_department_uscc}）：只能报送本单位的数据", _shown(name)),
    )


def build_checks(record_type: RecordType, *, today: date, own_department_uscc: str | None) -> list[Check]:
    """Every check of `record_type`, in the order a clerk would fix them."""
    checks = [c for f in record_type.fields for c in _field_checks(f, today=today)]
    checks += _rule_checks(record_type)
    if own_department_uscc:
        checks.append(_department_check(record_type, own_department_uscc))
    return checks


def validate_chunk(
    frame: pl.DataFrame,
    *,
    record_type: RecordType,
    columns: ColumnMap,
    checks: list[Check],
    secret: bytes,
) -> ValidatedChunk:
    """Validate one chunk; see the module docstring."""
    raw = frame.select(
        pl.col("_row"),
        *[
            (pl.col(columns.column_of[f.name]) if f.name in columns.column_of else pl.lit(None, pl.String)).alias(
                _raw(f.name)
            )
            for f in record_type.fields
        ],
        pl.struct(
            [pl.col(f"c{i}").alias(h or f"列{i + 1}") for i, h in enumerate(columns.headers)]
        ).struct.json_encode().alias("submitted"),
    )
    rows = raw.with_columns([_normalised(f).alias(f.name) for f in record_type.fields])
    issues = _issues(rows, checks, columns)
    rejected = issues.filter(pl.col("severity") == "error").get_column("row").unique()
    good = rows.filter(~pl.col("_row").is_in(rejected.implode()))
    staged, codes = _stage(good, record_type, secret)
    return ValidatedChunk(staged, codes, issues)


def _issues(rows: pl.DataFrame, checks: list[Check], columns: ColumnMap) -> pl.DataFrame:
    found = [
        rows.filter(check.failed).select(
            pl.col("_row").alias("row"),
            pl.lit(check.field).alias("field"),
            pl.lit(columns.header_of.get(check.field, check.field)).alias("column"),
            check.code.cast(pl.String).alias("code"),
            pl.lit(check.severity).alias("severity"),
            check.message.cast(pl.String).alias("message"),
        )
        for check in checks
    ]
    found = [f for f in found if f.height]
    if not found:
        return pl.DataFrame(schema=ISSUE_COLUMNS)
    return pl.concat(found).sort("row", maintain_order=True)


def _stage(good: pl.DataFrame, record_type: RecordType, secret: bytes) -> tuple[pl.DataFrame, pl.DataFrame]:
    s = record_type.subject
    kind = pl.col(s.category).replace_strict(s.categories, default=None)
    is_person = kind == "natural_person"
    resident = pl.col(s.id_type).is_in(s.resident_id_types).fill_null(False) if s.id_type else pl.lit(False)
    person_identity = (
        pl.when(resident).then(pl.col(s.id_number)).otherwise(pl.concat_str([pl.col(s.id_type), pl.col(s.id_number)], separator=":"))
        if s.id_type and s.id_number
        else pl.lit(None, pl.String)
    )
    code_fields = [n for n in (s.reg_no, s.org_code, *s.other_codes) if n]
    provisional = [pl.concat_str([pl.lit(n.removeprefix("subject_") + ":"), pl.col(n)]) for n in code_fields]
    data_fields = [
        (pl.col(f.name).dt.to_string("%Y-%m-%d") if f.type is FieldType.date else pl.col(f.name)).alias(f.name)
        for f in record_type.fields
    ]
    frame = good.with_columns(
        kind.alias("__kind"),
        pl.when(is_person).then(person_identity).otherwise(None).alias("__person"),
    ).with_columns(
        pl.col("__person").map_elements(partial(person_key, secret), return_dtype=pl.String).alias("__person_key"),
        pl.struct(data_fields).struct.json_encode().alias("__data"),
    )
    subject_key = pl.coalesce(
        pl.when(~is_person & pl.col(s.uscc).is_not_null()).then(pl.lit("uscc:") + pl.col(s.uscc)),
        pl.lit("person:") + pl.col("__person_key"),
        *provisional,
    )
    frame = frame.with_columns(subject_key.alias("__subject_key"))
    natural_key = pl.concat_str(
        [pl.col(k) if k != "$subject" else pl.col("__subject_key") for k in record_type.natural_key],
        separator="|",
        ignore_nulls=False,
    )
    region = pl.coalesce(
        pl.col(s.uscc).str.slice(2, 6),
        pl.when(resident).then(pl.col(s.id_number).str.slice(0, 6)) if s.id_number else pl.lit(None, pl.String),
        pl.col(s.reg_no).str.slice(0, 6) if s.reg_no else pl.lit(None, pl.String),
    )
    hashes = [hashlib.sha256(d.encode()).hexdigest() for d in frame.get_column("__data").to_list()]
    staged = frame.select(
        pl.col("_row").alias("row"),
        natural_key.alias("natural_key"),
        pl.col("__subject_key").alias("subject_key"),
        pl.col("__kind").alias("subject_kind"),
        pl.col(s.name).alias("subject_name"),
        pl.when(is_person).then(None).otherwise(pl.col(s.uscc)).alias("subject_uscc"),
        pl.when(is_person).then(pl.col(s.id_number)).otherwise(None).alias("subject_id_number")
        if s.id_number
        else pl.lit(None, pl.String).alias("subject_id_number"),
        region.alias("subject_region"),
        pl.col(record_type.department.name).alias("department_name"),
        pl.col(record_type.department.uscc).alias("department_uscc"),
        pl.col(record_type.decision_date).dt.to_string("%Y-%m-%d").alias("decision_date"),
        pl.Series("content_hash", hashes, dtype=pl.String),
        pl.col("__data").alias("data"),
        pl.col("submitted"),
    )
    code_frames = [
        frame.filter(pl.col(n).is_not_null() & ~is_person).select(
            pl.col("_row").alias("row"), pl.lit(n.removeprefix("subject_")).alias("code_type"), pl.col(n).alias("code")
        )
        for n in code_fields
    ]
    code_frames.append(
        frame.filter(pl.col(s.uscc).is_not_null() & ~is_person).select(
            pl.col("_row").alias("row"), pl.lit("org_code").alias("code_type"), pl.col(s.uscc).str.slice(8, 9).alias("code")
        )
    )
    codes = pl.concat(code_frames).unique(subset=["row", "code_type", "code"], maintain_order=True)
    return staged, codes
