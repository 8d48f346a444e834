"""Streaming CSV output in the encodings departments use (UTF-8 with or without BOM, GBK, GB18030)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Final

from panshi.demo.rows import RowStream

ENCODINGS: Final = ("utf-8", "utf-8-sig", "gbk", "gb18030")
_LINE_END: Final = "\r\n"  # as the csv module's default dialect writes
_BATCH: Final = 5_000


def _values(rows: Iterable[Mapping[str, str]], headers: Sequence[str]) -> Iterator[Sequence[str]]:
    if isinstance(rows, RowStream) and rows.headers == tuple(headers):
        return rows.lists()
    return ([row.get(header, "") for header in headers] for row in rows)


def _lines(values: Iterable[Sequence[str]], width: int) -> Iterator[str]:
    """CSV lines; fields are quoted (by the csv module) only in the rare lines that need it."""
    quoted = io.StringIO()
    writer = csv.writer(quoted, lineterminator=_LINE_END)
    for row in values:
        try:
            line = ",".join(row)
        except TypeError:  # a value that is not text
            line = ""
        if (
            line.count(",") == width - 1
            and width > 1
            and '"' not in line
            and "\n" not in line
            and "\r" not in line
        ):
            yield line + _LINE_END
        else:
            quoted.seek(0)
            quoted.truncate()
            writer.writerow(row)
            yield quoted.getvalue()


def write_csv(
    rows: Iterable[Mapping[str, str]],
    path: str | Path,
    *,
    encoding: str = "utf-8",
    headers: Sequence[str],
) -> int:
    """Write `rows` under `headers` to `path`, streaming in batches; return the number of rows written.

    A value that `encoding` cannot represent raises UnicodeEncodeError, as it would for a department.
    """
    if encoding.lower() not in ENCODINGS:
        raise ValueError(f"unsupported encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")
    count = 0
    with open(path, "w", encoding=encoding, newline="", buffering=1 << 20) as file:
        file.writelines(_lines([headers], len(headers)))
        batch: list[str] = []
        for line in _lines(_values(rows, headers), len(headers)):
            batch.append(line)
            if len(batch) == _BATCH:
                file.write("".join(batch))
                count += _BATCH
                batch.clear()
        file.write("".join(batch))
        count += len(batch)
    return count
