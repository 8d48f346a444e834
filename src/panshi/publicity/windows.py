"""Publicity windows computed from the rules, vectorised (polars): the one computation that ingest
(the bulk path) and `panshi publicity recompute` both use. No database here.

A frame holds records of one type as the catalog names their fields (date fields as dates, the rest
as text); out come, per row, `publicity_start` (null: never public), `publicity_end` (null: no end),
`publicity_minimum_end` and `publicity_rule`.
"""

from __future__ import annotations

import polars as pl

from panshi.catalog.schemas import RecordType
from panshi.publicity.rules import LICENSE, PENALTY, AmountByKind, Rule, RuleSet

WINDOW_SCHEMA = {
    "publicity_start": pl.Date,
    "publicity_end": pl.Date,
    "publicity_minimum_end": pl.Date,
    "publicity_rule": pl.String,
}
ADULT_AGE = 18
_KIND, _RULE, _AT = "__publicity_kind", "__publicity_rule_index", "__publicity_at"


def never_public(record_type: RecordType) -> pl.Expr:
    """A natural person who was under 18 on the decision date (DESIGN §3.3): never public. 18-digit
    resident IDs carry the birth date; 15-digit ones were issued before 2000, to adults today."""
    s = record_type.subject
    if not s.id_number:
        return pl.lit(False)
    person = pl.col(s.category).replace_strict(s.categories, default=None) == "natural_person"
    resident = pl.col(s.id_type).is_in(s.resident_id_types) if s.id_type else pl.lit(False)
    birth = pl.col(s.id_number).str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    minor = (pl.col(s.id_number).str.len_chars() == 18) & (
        birth.dt.offset_by(f"{ADULT_AGE}y") > pl.col(record_type.decision_date)
    )
    return (person & resident.fill_null(False) & minor).fill_null(False)


def not_for_the_public(record_type: RecordType) -> pl.Expr:
    """Rows the catalog keeps from the public: a minor's (`never_public`), and those that do not meet
    the type's `public_when` (e.g. a commitment whose 公开类型 is not 可向社会公开)."""
    hidden = never_public(record_type)
    if record_type.public_when is not None:
        condition = record_type.public_when
        hidden = hidden | ~pl.col(condition.field).is_in(condition.in_).fill_null(False)
    return hidden


def compute(frame: pl.DataFrame, record_type: RecordType, rules: RuleSet) -> pl.DataFrame:
    """The publicity window of every row of `frame` (WINDOW_SCHEMA, in the rows' order)."""
    decision = pl.col(record_type.decision_date)
    hidden = not_for_the_public(record_type)
    if record_type.key not in (PENALTY, LICENSE):  # e.g. list entries: their own domain's periods
        stated = pl.col(record_type.publicity_end) if record_type.publicity_end else pl.lit(None, pl.Date)
        return frame.select(
            pl.when(hidden).then(None).otherwise(decision).cast(pl.Date).alias("publicity_start"),
            stated.cast(pl.Date).alias("publicity_end"),
            pl.lit(None, pl.Date).alias("publicity_minimum_end"),
            pl.lit(None, pl.String).alias("publicity_rule"),
        )
    if frame.is_empty():
        return pl.DataFrame(schema=WINDOW_SCHEMA)
    chosen = pl.lit(None, pl.Int32)
    for i, rule in reversed(list(enumerate(rules.rules))):  # the first rule that covers the date wins
        start, end = rule.spec.in_force.start, rule.spec.in_force.end
        covers = decision.is_not_null()
        if start:
            covers &= decision >= start
        if end:
            covers &= decision <= end
        chosen = pl.when(covers).then(pl.lit(i, pl.Int32)).otherwise(chosen)
    indexed = frame.with_columns(chosen.alias(_RULE), pl.int_range(pl.len(), dtype=pl.Int64).alias(_AT))
    parts = [
        indexed.filter(pl.col(_RULE).is_null()).select(
            pl.col(_AT), *[pl.lit(None, dtype).alias(name) for name, dtype in WINDOW_SCHEMA.items()]
        )
    ]
    for i in indexed.get_column(_RULE).drop_nulls().unique().sort().to_list():
        rows = indexed.filter(pl.col(_RULE) == i)
        rule = rules.rules[i]
        if record_type.key == PENALTY:
            window = _penalty(rows, record_type, rule, hidden)
        else:
            window = _license(rows, record_type, rule, hidden)
        parts.append(pl.concat([rows.select(_AT), window], how="horizontal"))
    found = pl.concat([p.cast({**WINDOW_SCHEMA, _AT: pl.Int64}) for p in parts]).sort(_AT)  # type: ignore[dict-item]
    return found.drop(_AT)


def _license(rows: pl.DataFrame, record_type: RecordType, rule: Rule, hidden: pl.Expr) -> pl.DataFrame:
    decision = pl.col(record_type.decision_date)
    field = rule.spec.license.end_field
    end = pl.col(field).cast(pl.Date, strict=False) if field else pl.lit(None, pl.Date)
    return rows.select(
        pl.when(hidden).then(None).otherwise(decision).alias("publicity_start"),
        pl.when(hidden).then(None).otherwise(end).alias("publicity_end"),
        pl.lit(None, pl.Date).alias("publicity_minimum_end"),
        pl.lit(rule.id).alias("publicity_rule"),
    )


def _by_kind(amount: AmountByKind) -> pl.Expr:
    """`amount` for each row's subject kind."""
    value = pl.lit(amount.default, pl.Float64)
    for kind in ("legal_entity", "individual_business", "natural_person"):
        if getattr(amount, kind) is not None:
            value = pl.when(pl.col(_KIND) == kind).then(pl.lit(amount.of(kind), pl.Float64)).otherwise(value)
    return value


def _penalty(rows: pl.DataFrame, record_type: RecordType, rule: Rule, hidden: pl.Expr) -> pl.DataFrame:
    """Order No. 58 style windows: not published, or from the decision date for the longest period
    its penalty types, fine and sectors give, the stated 公示截止期 clamped into [minimum, maximum]."""
    spec, penalty = rule.spec, rule.spec.penalty
    s = record_type.subject
    rows = rows.with_columns(pl.col(s.category).replace_strict(s.categories, default=None).alias(_KIND))
    categories = pl.col("penalty_categories").str.split(";")
    fine = pl.col("fine_amount").cast(pl.Float64, strict=False)
    in_sector = {
        code: pl.any_horizontal(
            [pl.col(name).str.contains_any(words).fill_null(False) for name, words in sector.match.items()]
        )
        for code, sector in spec.sectors.items()
    }
    # The decision's class: the longest its penalty types, its fine and its sectors give.
    default_rank = rule.rank(penalty.default_class)
    ranks = [pl.lit(default_rank, pl.Int32)]
    if penalty.category_classes:
        by_category = {c: rule.rank(code) for c, code in penalty.category_classes.items()}
        ranks.append(
            categories.list.eval(
                pl.element().replace_strict(by_category, default=default_rank, return_dtype=pl.Int32)
            ).list.max()
        )
    ranks += [
        pl.when(fine >= _by_kind(f.at_least)).then(pl.lit(rule.rank(f.class_), pl.Int32))
        for f in penalty.fine_classes
    ]
    ranks += [
        pl.when(in_sector[code]).then(pl.lit(rule.rank(sector.class_), pl.Int32))
        for code, sector in spec.sectors.items()
        if sector.class_ is not None
    ]
    rank = pl.max_horizontal(ranks)
    months = {
        "minimum": [c.minimum_months for c in penalty.classes],
        "maximum": [c.maximum_months for c in penalty.classes],
    }
    decision = pl.col(record_type.decision_date)
    ends = {which: _offset_by_class(decision, rank, m) for which, m in months.items()}
    if record_type.publicity_end:
        stated = pl.col(record_type.publicity_end).cast(pl.Date)
        end = (
            pl.when(stated.is_null())
            .then(ends["maximum"])
            .otherwise(pl.min_horizontal(pl.max_horizontal(stated, ends["minimum"]), ends["maximum"]))
        )
    else:
        end = ends["maximum"]
    if penalty.not_published is not None:
        hidden = hidden | _not_published(rule, categories, fine, in_sector)
    return rows.select(
        pl.when(hidden).then(None).otherwise(decision).alias("publicity_start"),
        pl.when(hidden).then(None).otherwise(end).alias("publicity_end"),
        pl.when(hidden).then(None).otherwise(ends["minimum"]).alias("publicity_minimum_end"),
        pl.lit(rule.id).alias("publicity_rule"),
    )


def _offset_by_class(decision: pl.Expr, rank: pl.Expr, months: list[int]) -> pl.Expr:
    """The decision date plus the months of each row's class (a constant offset per class: cheaper
    than parsing an offset per row)."""
    by_class = pl.lit(None, pl.Date)
    for i, m in enumerate(months):
        by_class = pl.when(rank == i).then(decision.dt.offset_by(f"{m}mo")).otherwise(by_class)
    return by_class


def _not_published(rule: Rule, categories: pl.Expr, fine: pl.Expr, in_sector: dict[str, pl.Expr]) -> pl.Expr:
    """Only mild penalty types, and a fine (if any) at or below the lowest low-fine threshold of the
    decision's sectors (the rule's own where no sector sets one). A fine of unknown amount is published."""
    spec, mild = rule.spec, rule.spec.penalty.not_published
    assert mild is not None
    allowed = [*mild.categories, *([mild.low_fine_category] if mild.low_fine_category else [])]
    only_mild = categories.list.eval(pl.element().is_in(allowed)).list.all().fill_null(False)
    if mild.low_fine_category is None:
        return only_mild
    thresholds = [
        pl.when(in_sector[code]).then(_by_kind(sector.low_fine_max))
        for code, sector in spec.sectors.items()
        if sector.low_fine_max is not None
    ]
    low_fine = pl.min_horizontal(thresholds) if thresholds else pl.lit(None, pl.Float64)
    low_fine = pl.coalesce(low_fine, _by_kind(spec.penalty.low_fine_max))
    fined = categories.list.contains(mild.low_fine_category).fill_null(False)
    return only_mild & (~fined | (fine <= low_fine).fill_null(False))
