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

from panshi.catalog.schemas import (
    AnyOfRequiredWhen,
    CodeKind,
    DateOrder,
    FieldSpec,
    FieldType,
    RecordType,
    RequiredWhen,
)
from panshi.core.security import person_key
from panshi.identifiers import vectorised as idv
from panshi.ingest.headers import ColumnMap
from panshi.ingest.receipts import (
    EXAMPLES,
    RECEIVED_AT,
    SHOWN_LABEL,
    STORED_FORMAT,
    StatedReceipts,
    received_at_expr,
    shanghai_date,
    shown_time,
)
from panshi.publicity import windows
from panshi.publicity.rules import rule_set

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d")
EXCEL_EPOCH = date(1899, 12, 30)
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2099, 12, 31)
DERIVED_INPUT = "derived:input"
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
    "subject_region", "department_name", "department_uscc", "decision_date", "publicity_start", "publicity_end",
    "publicity_minimum_end", "publicity_rule", "content_hash", "data",
    "submitted",
]  # fmt: skip


@dataclass(frozen=True)
class ValidatedChunk:
    received: int  # rows read
    staged: pl.DataFrame  # STAGING_COLUMNS, one row per accepted row
    codes: pl.DataFrame  # row, code_type, code: every code that names the row's subject
    issues: pl.DataFrame  # ISSUE_COLUMNS


@dataclass(frozen=True)
class Derived:
    """A column computed from one normalised field alone, such as an identifier's first issue.

    Codes repeat across rows and fields (a department's own code is on every row), so `_derive`
    computes each distinct code once per chunk for all the fields whose derived columns share a `key`.
    """

    name: str  # the column it becomes
    source: str  # the field it is computed from
    key: str  # what it computes: equal keys compute the same function of their input
    value: pl.Expr  # reads only pl.col(DERIVED_INPUT)


@dataclass(frozen=True)
class Check:
    field: str
    code: pl.Expr  # the issue code (a literal, or per row for identifier checks)
    failed: pl.Expr  # true where the row has this problem
    message: pl.Expr  # evaluated only on the failing rows
    severity: str = "error"
    derived: tuple[Derived, ...] = ()  # columns the expressions above read, computed first


def _check(field: str, code: str, failed: pl.Expr, message: pl.Expr, severity: str = "error") -> Check:
    return Check(field, pl.lit(code), failed, message, severity)


def _raw(name: str) -> str:
    return f"raw:{name}"


def _text(name: str) -> str:
    """The submitted value stripped, null where blank."""
    return f"text:{name}"


def _shown(name: str) -> pl.Expr:
    """The submitted value as quoted in a message, cut to a readable length."""
    value = pl.col(_raw(name))
    return pl.when(value.str.len_chars() > 40).then(value.str.slice(0, 40) + "…").otherwise(value)


def _blank_to_null(e: pl.Expr) -> pl.Expr:
    e = e.str.strip_chars()
    return pl.when(e == "").then(None).otherwise(e)


def _without_time(e: pl.Expr) -> pl.Expr:
    """A submitted date without whitespace or a time of day."""
    return e.str.replace_all(r"\s+", "").str.replace(r"(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$", "")


def _date_of_text(text: pl.Expr) -> pl.Expr:
    """The first format that parses `text` (normalised, without time), or an Excel serial; unbounded."""
    parsed = [text.str.strptime(pl.Date, fmt, strict=False) for fmt in DATE_FORMATS]
    serial = (
        pl.when(text.str.contains(r"^\d{5}(?:\.0+)?$"))
        .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=text.str.extract(r"^(\d{5})").cast(pl.Int64)))
        .otherwise(None)
    )
    return pl.coalesce(*parsed, serial)


def _date_in_range(result: pl.Expr) -> pl.Expr:
    return pl.when(result.is_between(pl.lit(MIN_DATE), pl.lit(MAX_DATE))).then(result).otherwise(None)


def parse_date(e: pl.Expr) -> pl.Expr:
    """Dates as departments send them: 2026-03-05, 2026/3/5, 20260305, 2026年3月5日, Excel serials."""
    text = idv.normalize_expr(_without_time(e))  # full-width digits from Chinese input methods
    return _date_in_range(_date_of_text(text))


def _normalising_steps(f: FieldSpec) -> list[pl.Expr]:
    """How `f` is normalised, as successive steps that each read the column the step before wrote.

    Every step reads its input several times; materialising each one (an eager `with_columns` does
    not eliminate common subexpressions) keeps a chunk from recomputing them many times over.
    """
    text, value = pl.col(_text(f.name)), pl.col(f.name)
    if f.type is FieldType.code:
        return [pl.when(text.is_null()).then(None).otherwise(idv.normalize_expr(text))]
    if f.type is FieldType.enum:
        value = text.str.replace_all("；", ";").str.replace_all(r"\s+", "")
        if f.multiple:
            parts = (
                value.str.split(";")
                .list.eval(pl.element().filter(pl.element() != ""))
                .list.unique(maintain_order=True)
            )
            return [parts.list.join(";")]
        return [value]
    if f.type is FieldType.date:
        return [_without_time(text), idv.normalize_expr(value), _date_of_text(value), _date_in_range(value)]
    if f.type is FieldType.amount:
        return [text.str.replace_all(r"[,，\s]", "").str.replace(r"万元$", "")]
    return [text]


def _condition(field: str, values: list[str]) -> pl.Expr:
    return pl.col(field).is_in(values).fill_null(False)


def _field_checks(f: FieldSpec, *, today: date) -> list[Check]:
    col, label = pl.col(f.name), f.label
    present = pl.col(_text(f.name)).is_not_null()
    checks: list[Check] = []
    if f.required:
        checks.append(_check(f.name, "missing_required", ~present, pl.lit(f"{label}为必填项，不能为空")))
    checks.append(
        _check(
            f.name,
            "too_long",
            present & (pl.col(_text(f.name)).str.len_chars() > f.max_length),
            pl.format(
                f"{label}超过 {f.max_length} 个字符（实有 {{}} 个）", pl.col(_raw(f.name)).str.len_chars()
            ),
        )
    )
    if f.pattern is not None:
        hint = f"，应为{f.pattern_hint}" if f.pattern_hint else ""
        checks.append(
            _check(f.name, "bad_format", present & ~col.str.contains(f"^(?:{f.pattern})$").fill_null(False),
                   pl.format(f"{label}“{{}}”格式不正确{hint}", _shown(f.name)))
        )  # fmt: skip
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
    found: list[tuple[Callable[[pl.Expr], pl.Expr], str]] = [(errors[kind], "error")]
    if kind in warnings:
        found.append((warnings[kind], "warning"))
    checks = []
    for issue_of, severity in found:
        derived = Derived(
            f"{severity}:{f.name}", f.name, f"{kind}:{severity}", issue_of(pl.col(DERIVED_INPUT))
        )
        issue_code = pl.col(derived.name)
        explained = issue_code.map_elements(partial(_explain, kind=kind), return_dtype=pl.String)
        message = pl.format(f"{f.label}“{{}}”：{{}}", _shown(f.name), explained)
        checks.append(
            Check(
                f.name, issue_code, applies & issue_code.is_not_null(), message, severity, derived=(derived,)
            )
        )
    return checks


def _explain(issue_code: str, kind: str) -> str:
    return idv.issue_message(issue_code, kind)


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
        pl.format(
            f"{label}“{{}}”不是本单位的代码（{own_department_uscc}）：只能报送本单位的数据", _shown(name)
        ),
    )


def _receipt_checks(record_type: RecordType, receipts: StatedReceipts) -> list[Check]:
    """A stated receipt time (存量数据迁移) must be a time, not in the future, not before the decision."""
    stated, decided = pl.col(RECEIVED_AT), record_type.field(record_type.decision_date)
    as_stated = pl.coalesce(_shown(RECEIVED_AT), pl.lit(shown_time(receipts.at) if receipts.at else None))
    return [
        _check(RECEIVED_AT, "bad_received_at",
               pl.col(_text(RECEIVED_AT)).is_not_null() & pl.col(f"parsed:{RECEIVED_AT}").is_null(),
               pl.format(f"{SHOWN_LABEL}“{{}}”不是有效的日期或时间（应为 {EXAMPLES}；不带时区的按北京时间）",
                         _shown(RECEIVED_AT))),
        _check(RECEIVED_AT, "future_received_at", stated > pl.lit(receipts.now),
               pl.format(f"{SHOWN_LABEL}“{{}}”晚于本次导入的时间（{shown_time(receipts.now)}）：接收时间不能在未来",
                         as_stated)),
        _check(RECEIVED_AT, "received_before_decision", shanghai_date(stated) < pl.col(decided.name),
               pl.format(f"{SHOWN_LABEL}“{{}}”早于{decided.label}（{{}}）：记录不可能在作出决定之前被接收",
                         as_stated, _shown(decided.name))),
    ]  # fmt: skip


def build_checks(
    record_type: RecordType,
    *,
    today: date,
    own_department_uscc: str | None,
    receipts: StatedReceipts | None = None,
) -> list[Check]:
    """Every check of `record_type`, in the order a clerk would fix them."""
    checks = [c for f in record_type.fields for c in _field_checks(f, today=today)]
    checks += _rule_checks(record_type)
    if own_department_uscc:
        checks.append(_department_check(record_type, own_department_uscc))
    if receipts is not None:
        checks += _receipt_checks(record_type, receipts)
    return checks


def validate_chunk(
    frame: pl.DataFrame,
    *,
    record_type: RecordType,
    columns: ColumnMap,
    checks: list[Check],
    secret: bytes,
    receipts: StatedReceipts | None = None,
) -> ValidatedChunk:
    """Validate one chunk; see the module docstring. With `receipts` (a migration), each staged row
    also carries the time the old platform received it (`received_at`, null: the import's own)."""
    submitted = [f"submitted:c{i}" for i in range(len(columns.headers))]
    raw = frame.select(
        pl.col("_row"),
        *[
            (
                pl.col(columns.column_of[f.name]) if f.name in columns.column_of else pl.lit(None, pl.String)
            ).alias(_raw(f.name))
            for f in record_type.fields
        ],
        *[pl.col(c.removeprefix("submitted:")).alias(c) for c in submitted],
        *_receipt_input(receipts),
    )
    rows = _normalise(raw, record_type)
    if receipts is not None:
        rows = _with_receipts(rows, receipts)
    rows = _derive(rows, checks)
    issues = _issues(rows, checks, columns)
    rejected = issues.filter(pl.col("severity") == "error").get_column("row").unique()
    # Staging reads only the normalised fields and the submitted columns: filter just those.
    stated = [RECEIVED_AT] if receipts is not None else []
    kept = rows.select("_row", *[f.name for f in record_type.fields], *submitted, *stated)
    del rows, raw  # the intermediate columns: memory for the next steps
    good = kept.filter(~pl.col("_row").is_in(rejected.implode())) if len(rejected) else kept
    del kept
    staged, codes = _stage(good, record_type, secret, _submitted_sparse(record_type, columns))
    if receipts is not None:
        staged = staged.with_columns(
            good.get_column(RECEIVED_AT).dt.strftime(STORED_FORMAT).alias(RECEIVED_AT)
        )
    return ValidatedChunk(frame.height, staged, codes, issues)


def _receipt_input(receipts: StatedReceipts | None) -> list[pl.Expr]:
    """The receipt column as read (none without a migration; all null when one time is stated)."""
    if receipts is None:
        return []
    column = pl.col(receipts.column_id) if receipts.column_id else pl.lit(None, pl.String)
    return [column.alias(_raw(RECEIVED_AT))]


def _with_receipts(rows: pl.DataFrame, receipts: StatedReceipts) -> pl.DataFrame:
    """Each row's stated receipt time in UTC: its cell, else the file's time, else null (now)."""
    rows = rows.with_columns(_blank_to_null(pl.col(_raw(RECEIVED_AT))).alias(_text(RECEIVED_AT)))
    rows = rows.with_columns(received_at_expr(pl.col(_text(RECEIVED_AT))).alias(f"parsed:{RECEIVED_AT}"))
    fallback = pl.lit(receipts.at, pl.Datetime("us", "UTC"))
    return rows.with_columns(pl.coalesce(pl.col(f"parsed:{RECEIVED_AT}"), fallback).alias(RECEIVED_AT))


def header_fields(columns: ColumnMap) -> list[str | None]:
    """The field each column of the file was read as, by column position (None: no field)."""
    field_of = {column: name for name, column in columns.column_of.items()}
    return [field_of.get(f"c{i}") for i in range(len(columns.headers))]


# JSON string escapes exactly as polars' json_encode writes them (serde_json).
_CONTROL = [chr(i) for i in range(32)]
_SHORT_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_JSON_SPECIAL = ["\\", '"', *_CONTROL]
_JSON_ESCAPED = ["\\\\", '\\"', *[_SHORT_ESCAPES.get(c, f"\\u{ord(c):04x}") for c in _CONTROL]]


def json_string(e: pl.Expr) -> pl.Expr:
    """Text as a JSON string literal; null stays null."""
    return pl.lit('"') + e.str.replace_many(_JSON_SPECIAL, _JSON_ESCAPED) + pl.lit('"')


def _data_value(f: FieldSpec) -> pl.Expr:
    """A normalised field as `data` stores it (text; dates as ISO dates)."""
    return pl.col(f.name).dt.to_string("%Y-%m-%d") if f.type is FieldType.date else pl.col(f.name)


def _submitted_sparse(record_type: RecordType, columns: ColumnMap) -> pl.Expr:
    """Values as submitted, keyed by column position, only where they differ from what `data` holds.

    The batch keeps the header once (batches.headers) and the field each column was read as
    (batches.header_fields); a position left out holds its field's value in `data` (null for a
    column no field reads), so `label_submitted` gives back every value as it was sent. Most values
    arrive already normal: this halves a record's bytes and keeps rows out of TOAST.
    """
    fields = {f.name: f for f in record_type.fields}
    entries = []
    for i, name in enumerate(header_fields(columns)):
        sent = pl.col(f"submitted:c{i}")
        differs = sent.is_not_null() if name is None else sent.ne_missing(_data_value(fields[name]))
        value = pl.when(sent.is_null()).then(pl.lit("null")).otherwise(json_string(sent))
        entries.append(pl.when(differs).then(pl.lit(f'"{i}":') + value))
    return pl.lit("{") + pl.concat_str(entries, separator=",", ignore_nulls=True) + pl.lit("}")


def _normalise(raw: pl.DataFrame, record_type: RecordType) -> pl.DataFrame:
    rows = raw.with_columns(
        _blank_to_null(pl.col(_raw(f.name))).alias(_text(f.name)) for f in record_type.fields
    )
    steps = {f.name: _normalising_steps(f) for f in record_type.fields}
    for depth in range(max(len(s) for s in steps.values())):
        rows = rows.with_columns(s[depth].alias(name) for name, s in steps.items() if depth < len(s))
    return rows


def _derive(rows: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
    """Add the checks' derived columns, each key computed once per distinct value of its fields."""
    values: dict[str, pl.Expr] = {}
    sources: dict[str, list[str]] = {}
    names: dict[tuple[str, str], str] = {}
    for derived in (d for c in checks for d in c.derived):
        values[derived.key] = derived.value
        if derived.source not in sources.setdefault(derived.key, []):
            sources[derived.key].append(derived.source)
        names[derived.key, derived.source] = derived.name
    # Identifier checks are long expressions whose planning dominates a chunk's cost: one
    # evaluation per key for all its fields, e.g. a USCC check for subject and department codes.
    groups: dict[tuple[str, ...], list[str]] = {}
    for key, key_fields in sources.items():
        groups.setdefault(tuple(key_fields), []).append(key)
    for fields, keys in groups.items():
        inputs = [rows.select(pl.col(name).alias(DERIVED_INPUT)) for name in fields]
        distinct = pl.concat(inputs).unique().with_columns(values[key].alias(key) for key in keys)
        for name, codes in zip(fields, inputs, strict=True):
            found = codes.join(
                distinct, on=DERIVED_INPUT, how="left", nulls_equal=True, maintain_order="left"
            )
            rows = rows.hstack([found.get_column(key).alias(names[key, name]) for key in keys])
    return rows


def _issues(rows: pl.DataFrame, checks: list[Check], columns: ColumnMap) -> pl.DataFrame:
    # Every check's flag in one parallel pass; messages are built only for checks that failed.
    flags = rows.select([c.failed.fill_null(False).alias(f"f{i}") for i, c in enumerate(checks)])
    failing = [i for i, hit in enumerate(flags.select(pl.all().any()).row(0)) if hit]
    found = [
        _failing_rows(rows, checks[i], flags.get_column(f"f{i}")).select(
            pl.col("_row").alias("row"),
            pl.lit(checks[i].field).alias("field"),
            pl.lit(columns.header_of.get(checks[i].field, checks[i].field)).alias("column"),
            checks[i].code.cast(pl.String).alias("code"),
            pl.lit(checks[i].severity).alias("severity"),
            checks[i].message.cast(pl.String).alias("message"),
        )
        for i in failing
    ]
    if not found:
        return pl.DataFrame(schema=ISSUE_COLUMNS)
    return pl.concat(found).sort("row", maintain_order=True)


def _failing_rows(rows: pl.DataFrame, check: Check, failed: pl.Series) -> pl.DataFrame:
    """The rows `check` failed on, with only the columns its issue is built from."""
    names = {"_row", *check.code.meta.root_names(), *check.message.meta.root_names()}
    return rows.select(n for n in rows.columns if n in names).filter(failed)


def _stage(
    good: pl.DataFrame, record_type: RecordType, secret: bytes, submitted: pl.Expr
) -> tuple[pl.DataFrame, pl.DataFrame]:
    s = record_type.subject
    is_person = pl.col("__kind") == "natural_person"
    resident = pl.col(s.id_type).is_in(s.resident_id_types).fill_null(False) if s.id_type else pl.lit(False)
    person_identity = (
        pl.when(resident)
        .then(pl.col(s.id_number))
        .otherwise(pl.concat_str([pl.col(s.id_type), pl.col(s.id_number)], separator=":"))
        if s.id_type and s.id_number
        else pl.lit(None, pl.String)
    )
    code_fields = s.code_fields
    provisional = [pl.concat_str([pl.lit(s.code_type(n) + ":"), pl.col(n)]) for n in code_fields]
    data_fields = [_data_value(f).alias(f.name) for f in record_type.fields]
    frame = good.with_columns(pl.col(s.category).replace_strict(s.categories, default=None).alias("__kind"))
    frame = frame.with_columns(
        pl.when(is_person).then(person_identity).otherwise(None).alias("__person"),
        pl.struct(data_fields).struct.json_encode().alias("__data"),
        submitted.alias("submitted"),
    )
    frame = frame.with_columns(_person_keys(frame.get_column("__person"), secret).alias("__person_key"))
    subject_key = pl.coalesce(
        pl.when(~is_person & pl.col(s.uscc).is_not_null()).then(pl.lit("uscc:") + pl.col(s.uscc)),
        pl.lit("person:") + pl.col("__person_key"),
        *provisional,
    )
    frame = frame.with_columns(subject_key.alias("__subject_key"))
    # The publicity window from the rules (publicity.windows; DESIGN §3.4), dates as staged text.
    window = windows.compute(frame, record_type, rule_set()).select(
        pl.col(n).dt.to_string("%Y-%m-%d").alias(f"__{n}") if d == pl.Date else pl.col(n).alias(f"__{n}")
        for n, d in windows.WINDOW_SCHEMA.items()
    )
    frame = frame.hstack(window.get_columns())
    natural_key = pl.concat_str(
        [pl.col(k) if k != "$subject" else pl.col("__subject_key") for k in record_type.natural_key],
        separator="|",
        ignore_nulls=False,
    )
    region = pl.coalesce(
        pl.col(s.uscc).str.slice(2, 6),
        pl.when(resident).then(pl.col(s.id_number).str.slice(0, 6))
        if s.id_number
        else pl.lit(None, pl.String),
        pl.col(s.reg_no).str.slice(0, 6) if s.reg_no else pl.lit(None, pl.String),
    )
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
        *[pl.col(f"__{n}").alias(n) for n in windows.WINDOW_SCHEMA],
        _content_hashes(frame.get_column("__data")),
        pl.col("__data").alias("data"),
        pl.col("submitted"),
    )
    organisations = frame.select("_row", s.uscc, *code_fields).filter(
        frame.get_column("__kind") != "natural_person"
    )
    code_frames = [
        organisations.filter(pl.col(n).is_not_null()).select(
            pl.col("_row").alias("row"),
            pl.lit(s.code_type(n)).alias("code_type"),
            pl.col(n).alias("code"),
        )
        for n in code_fields
    ]
    code_frames.append(
        organisations.filter(pl.col(s.uscc).is_not_null()).select(
            pl.col("_row").alias("row"),
            pl.lit("org_code").alias("code_type"),
            pl.col(s.uscc).str.slice(8, 9).alias("code"),
        )
    )
    codes = pl.concat(code_frames).unique(subset=["row", "code_type", "code"], maintain_order=True)
    return staged, codes


def _person_keys(identities: pl.Series, secret: bytes) -> pl.Series:
    """`person_key` of each identity, computed once per distinct identity."""
    keys = {identity: person_key(secret, identity) for identity in identities.drop_nulls().unique().to_list()}
    return identities.replace_strict(keys, default=None, return_dtype=pl.String)


def _content_hashes(data: pl.Series) -> pl.Series:
    """SHA-256 hex of each row's data JSON (UTF-8), as stored hashes were computed."""
    # Hashing the UTF-8 bytes as polars holds them skips decoding to str and encoding back.
    return pl.Series(
        "content_hash",
        [hashlib.sha256(d).hexdigest() for d in data.cast(pl.Binary).to_list()],
        dtype=pl.String,
    )
