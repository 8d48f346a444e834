"""Historical migration (存量数据迁移): when the old platform received each row, as an operator states it.

A credit centre moving to Panshi imports years of records whose true arrival times are in the old
system's export. The operator states them — a column of the file (`ReceiptTimes.column`), one time
for the whole file (`ReceiptTimes.at`), or both (the time for rows whose cell is blank) — and each
stated time becomes the record's `received_at` and, for a new record, its `created_at` (its first
arrival, from which 公示及时率 is judged). A stated time that cannot be true (in the future, or
before the row's decision date) rejects the row with its reason; nothing is clamped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from panshi.catalog.schemas import RecordType, header_key
from panshi.core.errors import NotAuthorised, PanshiError, UnreadableFile
from panshi.core.timeutil import SHANGHAI

MIGRATION_CHANNEL = "migration"  # batches.channel of a migration batch
RECEIVED_AT = "received_at"  # the field a stated receipt time is checked and reported as
SHOWN_LABEL = "原平台接收时间"
FILE_WIDE = "（统一指定的原平台接收时间）"  # the column issues name when the time is the file's
STORED_FORMAT = "%Y-%m-%d %H:%M:%S%.6f+00:00"  # as the batch's own time is stored (UTC, ISO)
_GRAMMAR = r"^(\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$"
EXAMPLES = "2024-03-05、2024-03-05 14:30:00 或 2024-03-05T14:30:00+08:00"


@dataclass(frozen=True)
class ReceiptTimes:
    """What the operator states about when the old platform received a file's rows."""

    column: str | None = None  # the header of the column holding each row's receipt time
    at: datetime | None = None  # one receipt time for the file (and for rows whose cell is blank)

    def describe(self) -> str:
        """The statement in words, for the batch's note."""
        parts = []
        if self.column:
            parts.append(f"取自列“{self.column}”")
        if self.at:
            parts.append(
                ("该列为空的行" if self.column else "全部行") + f"为 {shown_time(self.at)}（北京时间）"
            )
        if self.column and not self.at:
            parts.append("该列为空的行为导入时间")
        return "；".join(parts)


@dataclass(frozen=True)
class StatedReceipts:
    """ReceiptTimes resolved against a file: where the column is, and the time the import began."""

    position: int | None  # of the receipt column in the file
    header: str  # as issues name the column
    at: datetime | None
    now: datetime

    @property
    def column_id(self) -> str | None:
        """The receipt column as the readers name it (`c<i>`)."""
        return None if self.position is None else f"c{self.position}"


def received_at_expr(text: pl.Expr) -> pl.Expr:
    """Receipt times as stated (ISO date or date-time; Asia/Shanghai when no offset) → UTC; null when
    the text is not one (blank text too)."""
    cleaned = text.str.strip_chars().str.replace_all("　", " ").str.replace(r"^(\S+)[T ]", "$1 ")
    parts = cleaned.str.extract_groups(_GRAMMAR)
    local = pl.concat_str(
        parts.struct.field("1"), pl.lit(" "), parts.struct.field("2").fill_null("00:00"),
        parts.struct.field("3").fill_null(":00"),
    )  # fmt: skip
    offset = parts.struct.field("4")
    # With an offset, that instant; without, Asia/Shanghai's wall clock (its 1986-1991 summer time too).
    stated = (local + offset.str.replace("^Z$", "+00:00")).str.to_datetime(
        "%Y-%m-%d %H:%M:%S%.f%z", time_zone="UTC", strict=False
    )
    wall = (
        local.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False)
        .dt.replace_time_zone("Asia/Shanghai", ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
    )
    return pl.when(offset.is_null()).then(wall).otherwise(stated)


def parse_received_at(text: str) -> datetime:
    """One stated receipt time (`--received-at`), by the same rule as the column's."""
    parsed = pl.select(received_at_expr(pl.lit(text, pl.String))).item()
    if not isinstance(parsed, datetime):
        raise PanshiError(
            f"原平台接收时间“{text[:40]}”不是有效的日期或时间（应为 {EXAMPLES}）", code="bad_received_at"
        )
    return parsed.astimezone(UTC)


def authorise(receipts: ReceiptTimes | None, *, operator: bool) -> None:
    """Only an operator's migration may state receipt times: a department reports what arrives now."""
    if receipts is not None and not operator:
        raise NotAuthorised(
            "只有平台运营人员可以导入存量数据并指定原平台接收时间；数据来源单位报送的数据以实际到达时间为准"
        )


def resolve(
    receipts: ReceiptTimes, record_type: RecordType, header: list[str], *, now: datetime
) -> StatedReceipts:
    """Find the receipt column in the file's header; refuse a statement that cannot hold for any row."""
    at = None
    if receipts.at is not None:  # naive: Beijing time, as the column's
        at = (receipts.at if receipts.at.tzinfo else receipts.at.replace(tzinfo=SHANGHAI)).astimezone(UTC)
    if receipts.column is None and at is None:
        raise PanshiError("存量数据迁移须指定原平台接收时间列或统一的接收时间", code="bad_received_at")
    if at is not None and at > now:
        raise PanshiError(
            f"原平台接收时间 {shown_time(at)} 晚于当前时间：迁移数据的接收时间不能在未来",
            code="bad_received_at",
        )
    if receipts.column is None:
        return StatedReceipts(None, FILE_WIDE, at, now)
    wanted = header_key(receipts.column)
    found = [i for i, h in enumerate(header) if header_key(h) == wanted]
    if not found:
        raise UnreadableFile(f"文件中没有原平台接收时间列“{receipts.column}”：请检查列名（表头须与之一致）")
    if len(found) > 1:
        raise UnreadableFile(f"文件中有 {len(found)} 列名为“{receipts.column}”：原平台接收时间列只能有一列")
    if any(wanted in {header_key(s) for s in f.spellings()} for f in record_type.fields):
        raise UnreadableFile(
            f"“{receipts.column}”是“{record_type.label}”目录的字段，不能作为原平台接收时间列"
        )
    return StatedReceipts(found[0], header[found[0]], at, now)


def shanghai_date(moment: pl.Expr) -> pl.Expr:
    """The Asia/Shanghai date of UTC times (the day a record arrived, as timeliness counts it)."""
    return moment.dt.convert_time_zone("Asia/Shanghai").dt.date()


def shown_time(moment: datetime) -> str:
    """A time as messages show it: Beijing time to the second."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
