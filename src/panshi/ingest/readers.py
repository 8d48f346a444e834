"""Reading submitted files as a header and a stream of all-text chunks, in constant memory.

Formats: CSV (UTF-8 with or without BOM, UTF-16 with BOM, GBK/GB18030 — detected), XLSX, a JSON
array of objects and NDJSON. Every reader yields polars frames whose columns are `_row` (the 1-based data row, header excluded)
and `c0..cN` (text, null for empty) in header order.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from panshi.core.errors import UnreadableFile

SAMPLE_BYTES = 1 << 20
CSV_BLOCK_BYTES = 4 << 20


@dataclass
class RowProblem:
    """A row that could not be read at all (e.g. a broken NDJSON line): reported, never dropped."""

    row: int
    code: str
    message: str


@dataclass
class SourceFile:
    format: str
    encoding: str | None
    header: list[str]
    chunks: Iterator[pl.DataFrame]
    problems: list[RowProblem] = field(default_factory=list)  # filled while chunks are read


def open_source(path: Path, *, chunk_rows: int) -> SourceFile:
    """Open `path`, detect its format (and for CSV its encoding) and read its header."""
    if not path.is_file():
        raise UnreadableFile(f"文件不存在：{path}")
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if not head.strip():
        raise UnreadableFile("文件为空：没有表头，也没有数据行")
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, chunk_rows)
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再提交")
    if suffix in (".json", ".ndjson", ".jsonl"):
        return _open_json(path, head, chunk_rows)
    return _open_csv(path, head, chunk_rows)


def detect_encoding(head: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK); or a clear error."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableFile("无法识别文件编码：请使用 UTF-8 或 GBK/GB18030 编码保存 CSV 文件")


def _open_csv(path: Path, head: bytes, chunk_rows: int) -> SourceFile:
    encoding = detect_encoding(head)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    try:
        header = next(csv.reader(io.StringIO(text)))
    except (StopIteration, csv.Error) as exc:
        raise UnreadableFile(f"无法读取表头：{exc}") from None
    header = [h.lstrip("\ufeff") for h in header]
    names = [f"c{i}" for i in range(len(header))]
    bad_rows: list[str] = []

    def on_invalid(row: Any) -> str:
        bad_rows.append(f"应有 {row.expected_columns} 列，实有 {row.actual_columns} 列：{row.text[:80]!r}")
        return "error"

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                encoding="utf-8" if encoding == "utf-8-sig" else encoding,
                skip_rows=1,
                column_names=names,
                block_size=CSV_BLOCK_BYTES,
                use_threads=True,
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise UnreadableFile(_csv_error(exc, bad_rows, encoding)) from None

    def chunks() -> Iterator[pl.DataFrame]:
        # Arrow yields one batch per block (a few thousand rows); validation has a fixed cost per
        # call, so batches are gathered and handed on `chunk_rows` at a time (slices: no copies).
        first_row = 1
        pending = pa.Table.from_batches([], schema=reader.schema)
        try:
            for batch in reader:
                pending = pa.concat_tables([pending, pa.Table.from_batches([batch])])
                while pending.num_rows >= chunk_rows:
                    yield _numbered(pending.slice(0, chunk_rows), first_row)
                    first_row += chunk_rows
                    pending = pending.slice(chunk_rows)
            if pending.num_rows:
                yield _numbered(pending, first_row)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise UnreadableFile(_csv_error(exc, bad_rows, encoding)) from None

    return SourceFile("csv", encoding, header, chunks())


def _numbered(table: pa.Table, first_row: int) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    frame = frame.rechunk()  # one contiguous chunk per column, as the validation expects
    return frame.with_row_index("_row", offset=first_row).with_columns(pl.col("_row").cast(pl.Int64))


def _csv_error(exc: Exception, bad_rows: list[str], encoding: str) -> str:
    if bad_rows:
        return "CSV 行的列数与表头不符（" + bad_rows[0] + "）；请检查分隔符和引号"
    if isinstance(exc, UnicodeDecodeError) or "decode" in str(exc).lower():
        return f"文件中途出现不属于 {encoding} 编码的字节：请整份文件统一使用 UTF-8 或 GBK 编码"
    return f"CSV 无法解析：{exc}"


def cell_text(value: Any) -> str | None:
    """A spreadsheet or JSON value as the text a clerk typed; dates as ISO dates."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _frame(row_numbers: list[int], rows: list[list[str | None]], width: int) -> pl.DataFrame:
    columns: dict[str, list[Any]] = {"_row": row_numbers}
    columns |= {f"c{i}": [r[i] for r in rows] for i in range(width)}
    return pl.DataFrame(columns, schema={"_row": pl.Int64} | {f"c{i}": pl.String for i in range(width)})


def _open_xlsx(path: Path, chunk_rows: int) -> SourceFile:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.iter_rows()
        header_cells = next(rows)
    except (CalamineError, StopIteration, ValueError, OSError) as exc:
        raise UnreadableFile(f"无法读取 Excel 文件：{exc}") from None
    header = [cell_text(c) or "" for c in header_cells]
    while header and not header[-1]:
        header.pop()
    width = len(header)

    def chunks() -> Iterator[pl.DataFrame]:
        numbers: list[int] = []
        buffer: list[list[str | None]] = []
        for row_no, cells in enumerate(rows, start=1):
            texts = [(cell_text(c) or None) for c in cells]
            if any(t is not None for t in texts[width:]):
                raise UnreadableFile(
                    f"Excel 第 {row_no} 行数据（表格第 {row_no + 1} 行）在表头之外的列中有内容"
                )
            if all(t is None for t in texts):
                continue  # formatted but empty rows that Excel keeps: nothing to store
            numbers.append(row_no)
            buffer.append(texts[:width] + [None] * (width - len(texts)))
            if len(buffer) >= chunk_rows:
                yield _frame(numbers, buffer, width)
                numbers, buffer = [], []
        if buffer:
            yield _frame(numbers, buffer, width)

    return SourceFile("xlsx", None, header, chunks())


def _open_json(path: Path, head: bytes, chunk_rows: int) -> SourceFile:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        return _open_json_array(path, chunk_rows)
    return _open_ndjson(path, chunk_rows)


def _json_header(first: Any, where: str) -> list[str]:
    if not isinstance(first, dict):
        raise UnreadableFile(f"{where}：每条数据应为一个 JSON 对象（键为字段名）")
    return [str(k) for k in first]


def _json_rows(
    objects: Iterator[tuple[int, Any]], header: list[str], problems: list[RowProblem], chunk_rows: int
) -> Iterator[pl.DataFrame]:
    index = {h: i for i, h in enumerate(header)}
    numbers: list[int] = []
    buffer: list[list[str | None]] = []
    for row_no, obj in objects:
        if not isinstance(obj, dict):
            problems.append(RowProblem(row_no, "bad_json", "该条数据不是 JSON 对象（键为字段名）"))
            continue
        unknown = [k for k in obj if k not in index]
        if unknown:
            problems.append(
                RowProblem(row_no, "unknown_key", f"该条数据含有首条数据中没有的键：{unknown[:5]}")
            )
            continue
        row: list[str | None] = [None] * len(header)
        for key, value in obj.items():
            row[index[key]] = cell_text(value)
        numbers.append(row_no)
        buffer.append(row)
        if len(buffer) >= chunk_rows:
            yield _frame(numbers, buffer, len(header))
            numbers, buffer = [], []
    if buffer:
        yield _frame(numbers, buffer, len(header))


def _open_json_array(path: Path, chunk_rows: int) -> SourceFile:
    import ijson

    def objects() -> Iterator[tuple[int, Any]]:
        with path.open("rb") as fh:
            try:
                yield from enumerate(ijson.items(fh, "item", use_float=True), start=1)
            except ijson.JSONError as exc:
                raise UnreadableFile(f"JSON 无法解析：{exc}") from None

    stream = objects()
    try:
        first = next(stream)
    except StopIteration:
        raise UnreadableFile("JSON 数组为空：没有数据") from None
    header = _json_header(first[1], "JSON 第 1 条")
    problems: list[RowProblem] = []

    def all_objects() -> Iterator[tuple[int, Any]]:
        yield first
        yield from stream

    return SourceFile(
        "json", "utf-8", header, _json_rows(all_objects(), header, problems, chunk_rows), problems
    )


def _open_ndjson(path: Path, chunk_rows: int) -> SourceFile:
    problems: list[RowProblem] = []

    def objects() -> Iterator[tuple[int, Any]]:
        with path.open("r", encoding="utf-8-sig", errors="strict") as fh:
            row_no = 0
            try:
                for line in fh:
                    if not line.strip():
                        continue
                    row_no += 1
                    try:
                        yield row_no, json.loads(line)
                    except json.JSONDecodeError as exc:
                        problems.append(RowProblem(row_no, "bad_json", f"该行不是有效的 JSON：{exc.msg}"))
            except UnicodeDecodeError:
                raise UnreadableFile("NDJSON 文件必须使用 UTF-8 编码") from None

    stream = objects()
    first = next(stream, None)  # unparsable lines before it are already in `problems`
    if first is None:
        raise UnreadableFile("NDJSON 文件中没有有效的数据行")
    header = _json_header(first[1], f"NDJSON 第 {first[0]} 行")

    def all_objects() -> Iterator[tuple[int, Any]]:
        yield first
        yield from stream

    return SourceFile(
        "ndjson", "utf-8", header, _json_rows(all_objects(), header, problems, chunk_rows), problems
    )
