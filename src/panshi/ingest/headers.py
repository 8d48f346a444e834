"""Matching a file's header to a record type's fields (any of the three spellings)."""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass

from panshi.catalog.schemas import RecordType, header_key, strip_hint
from panshi.core.errors import UnreadableFile


@dataclass(frozen=True)
class ColumnMap:
    """Which file column (`c<i>`) carries which field, and the header as the submitter spelt it."""

    column_of: dict[str, str]  # field name -> column id
    header_of: dict[str, str]  # field name -> header as submitted
    headers: list[str]  # all headers as submitted, by column position


def map_header(record_type: RecordType, header: list[str], *, consumed: Collection[int] = ()) -> ColumnMap:
    """Map each header to a field, or refuse the file naming every header that does not fit.

    `consumed`: positions of columns an option of the import reads (a migration's receipt times)."""
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    for f in record_type.fields:
        for spelling in f.spellings():
            exact[spelling] = f.name
        for name in (f.label, f.header, *f.aliases):
            loose.setdefault(header_key(strip_hint(name)), f.name)
    ignored = {header_key(h) for h in record_type.ignore_headers}

    column_of: dict[str, str] = {}
    header_of: dict[str, str] = {}
    unknown: list[str] = []
    duplicate: list[str] = []
    for i, raw in enumerate(header):
        key = header_key(raw)
        if not key or key in ignored or i in consumed:
            continue
        field_name = exact.get(key) or loose.get(header_key(strip_hint(raw)))
        if field_name is None:
            unknown.append(raw)
        elif field_name in column_of:
            duplicate.append(f"“{header_of[field_name]}”与“{raw}”")
        else:
            column_of[field_name] = f"c{i}"
            header_of[field_name] = raw
    problems: list[str] = []
    if unknown:
        problems.append("无法识别的列：" + "；".join(_suggest(record_type, h) for h in unknown))
    if duplicate:
        problems.append("重复的列：" + "；".join(duplicate))
    missing = [f.header for f in record_type.fields if f.required and f.name not in column_of]
    if missing:
        problems.append("缺少必填列：" + "、".join(missing))
    if problems:
        raise UnreadableFile(f"表头与“{record_type.label}”目录不符。" + "。".join(problems) + "。")
    return ColumnMap(column_of, header_of, list(header))


def _suggest(record_type: RecordType, raw: str) -> str:
    candidates = {f.header: f for f in record_type.fields} | {f.code: f for f in record_type.fields}
    close = difflib.get_close_matches(raw, list(candidates), n=1, cutoff=0.5)
    return f"“{raw}”（是否为“{close[0]}”？）" if close else f"“{raw}”"
