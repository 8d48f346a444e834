"""National 双公示 export (全国双公示导出): penalties (CF_*) and licenses (XK_*) in the national column
codes of the catalog, as CSV (UTF-8 with BOM) or XLSX, streamed in chunks, with a manifest.

What the files carry (personal data): a field the catalog marks 社会公开 (public) or 政务共享
(government: the national platform is a government receiver) is exported as stored; a field marked
授权查询 (authorised: a natural person's ID number) is exported masked (2202**********1234), since it
may leave the platform only with the subject's authorisation; a 不公开 (private) field is left empty.
Records that may never be public (a minor's, DESIGN §3.3), records no longer active and records whose
publicity has closed are not exported as data.

Taking down (撤下): a `--since-last` export also writes, per type, the records the national platform had
or may have had and must not show any more, because of a change since the last export: withdrawn after
an objection (撤销), repaired (信用修复) or expired (公示期满). Each is named by its number, natural key,
subject and decision date (the national codes), with the operation (CZLX) and the day it took effect
(CZRQ). A record received and taken down between two exports is listed too: taking down what the
receiver never had is a no-op for it.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from panshi.catalog.schemas import Disclosure, FieldSpec
from panshi.catalog.service import get_record_type, load_catalog
from panshi.core.errors import PanshiError
from panshi.core.settings import get_settings
from panshi.core.timeutil import SHANGHAI, utcnow
from panshi.exchange import repository
from panshi.exchange.models import NationalExport
from panshi.identifiers import mask_resident_id
from panshi.records import service as records
from panshi.records.schemas import status_label

NATIONAL_TYPES = ("admin_penalty", "admin_license")
REMOVED_COLUMNS = ("CZLX", "CZRQ")  # 操作类型, 生效日期: what a take-down row adds to the record's key
CLOSED_LABELS = {"withdrawn": "撤销", "repaired": "信用修复", "expired": "公示期满"}
CHUNK = 5000
FileFormat = Literal["csv", "xlsx"]
PERSONAL_DATA_RULE = "社会公开、政务共享字段原样导出；授权查询字段（自然人证件号码）脱敏导出；不公开字段留空；未成年人记录不导出"


class ExportRefused(PanshiError):
    code = "export_refused"
    status_code = 422


def national_columns(record_type: str) -> list[FieldSpec]:
    """The catalog's fields of a national type, in catalog order (their `code` is the column header)."""
    return list(get_record_type(record_type).fields)


def _cell(spec: FieldSpec, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    text = str(value)
    if spec.disclosure is Disclosure.private:
        return ""
    if spec.disclosure is Disclosure.authorised:
        return mask_resident_id(text) if text else ""
    return text


def export_national(
    session: Session,
    *,
    directory: Path,
    file_format: FileFormat = "csv",
    since_last: bool = False,
    received_from: date | None = None,
    received_to: date | None = None,
    actor: str,
) -> NationalExport:
    """Write one export (a file per type and a manifest) to `directory`; `since_last` takes the records
    changed since the last such export and moves its cursor, else the records received in the dates."""
    if file_format not in ("csv", "xlsx"):
        raise ExportRefused(f"导出格式须为 csv 或 xlsx：{file_format!r}")
    if since_last == (received_from is not None or received_to is not None):
        raise ExportRefused("请指定 --since-last，或用 --from/--to 指定接收日期范围（二者选一）")
    if not since_last and (received_from is None or received_to is None or received_from > received_to):
        raise ExportRefused("接收日期范围须同时给出 --from 和 --to，且起日不晚于止日")
    repository.lock_exports(session)
    after = upto = 0
    where: dict[str, Any] = {}
    if since_last:
        last = repository.last_since_last_export(session)
        after = last.upto_history_id if last else 0
        upto = records.history_horizon(session)
        where = {"changed_after": after, "changed_upto": upto}
    else:
        assert received_from is not None and received_to is not None
        where = {
            "received_from": _start_of(received_from),
            "received_before": _start_of(received_to + timedelta(days=1)),
        }
    now = utcnow()
    node = _node_region(session)
    stamp = now.astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S")
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    written: list[Path] = []
    try:
        for record_type in NATIONAL_TYPES:
            prefix = get_record_type(record_type).code_prefix
            path = directory / f"{prefix}-{node}-{stamp}.{file_format}"
            if path.exists():
                raise ExportRefused(f"目标文件已存在：{path}")
            parts: list[tuple[Path, str, Iterator[list[str]]]] = [
                (path, "records", _rows(session, record_type, where))
            ]
            if since_last:
                removed = path.with_name(f"{prefix}-REMOVED-{node}-{stamp}.{file_format}")
                parts.append(
                    (removed, "removed", _removed_rows(session, record_type, after=after, upto=upto))
                )
            for target, kind, rows in parts:
                part = target.with_name(target.name + ".part")
                written.append(part)
                count = _write(part, file_format, record_type, rows)
                files.append({"name": target.name, "record_type": record_type, "kind": kind, "rows": count})
        for entry, part in zip(files, written, strict=True):
            final = part.with_name(str(entry["name"]))
            os.replace(part, final)
            entry["sha256"] = _sha256(final)
    except BaseException:
        for part in written:
            part.unlink(missing_ok=True)
        raise
    manifest = {
        "node": node, "catalog_version": load_catalog().version, "format": file_format,
        "mode": "since_last" if since_last else "range", "created_at": now.isoformat(),
        "history_range": {"after": after, "upto": upto} if since_last else None,
        "received_range": None if since_last else {"from": str(received_from), "to": str(received_to)},
        "counts": {f["record_type"]: f["rows"] for f in files if f["kind"] == "records"},
        "removed_counts": {f["record_type"]: f["rows"] for f in files if f["kind"] == "removed"} if since_last else None,
        "files": files,
        "personal_data": PERSONAL_DATA_RULE,
    }  # fmt: skip
    from panshi.exchange.feed import canonical_json

    manifest_path = directory / f"manifest-{node}-{stamp}.json"
    manifest_path.write_bytes(canonical_json(manifest))
    export = NationalExport(
        mode=manifest["mode"], after_history_id=after, upto_history_id=upto, received_from=received_from,
        received_to=received_to, file_format=file_format, directory=str(directory.resolve())[:1000],
        manifest={**manifest, "manifest_file": manifest_path.name}, actor=actor, created_at=now,
    )  # fmt: skip
    session.add(export)
    session.flush()
    return export


def _start_of(day: date) -> datetime:
    """The first moment of a business date in China, in UTC (as the store keeps moments)."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def _node_region(session: Session) -> str:
    own = repository.own_node(session)
    return own.region_code if own else get_settings().node_region_code


def _rows(session: Session, record_type: str, where: dict[str, Any]) -> Iterator[list[str]]:
    """The header (national codes, catalog order) then each record's cells, read a chunk at a time."""
    columns = national_columns(record_type)
    yield [c.code for c in columns]
    after = 0
    while True:
        chunk = records.export_chunk(session, record_type, after_id=after, limit=CHUNK, **where)
        if not chunk:
            return
        for _, data in chunk:
            yield [_cell(c, data.get(c.name)) for c in columns]
        after = chunk[-1][0]


def removal_columns(record_type: str) -> list[FieldSpec]:
    """The fields that name a record to take down: its number, its natural key, its subject and its
    decision date (catalog order, each once)."""
    t = get_record_type(record_type)
    s = t.subject
    names = {t.number_field, *t.natural_key, s.name, s.uscc, s.reg_no, s.org_code, *s.other_codes, s.id_number,
             t.decision_date}  # fmt: skip
    return [f for f in t.fields if f.name in names]


def _removed_rows(session: Session, record_type: str, *, after: int, upto: int) -> Iterator[list[str]]:
    """The header (national codes, then CZLX and CZRQ) then each record to take down, a chunk at a time."""
    columns = removal_columns(record_type)
    yield [*(c.code for c in columns), *REMOVED_COLUMNS]
    last = 0
    while True:
        chunk = records.removed_chunk(
            session, record_type, after_id=last, limit=CHUNK, changed_after=after, changed_upto=upto
        )
        if not chunk:
            return
        for _, data, status, closed_on, reason in chunk:
            operation = CLOSED_LABELS.get(reason or "") or CLOSED_LABELS.get(status) or status_label(status)
            yield [
                *(_cell(c, data.get(c.name)) for c in columns),
                operation,
                closed_on.isoformat() if closed_on else "",
            ]
        last = chunk[-1][0]


def _write(path: Path, file_format: FileFormat, record_type: str, rows: Iterator[list[str]]) -> int:
    """Write the rows (header first); how many data rows."""
    count = -1
    if file_format == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:  # the BOM: Excel in China reads UTF-8
            writer = csv.writer(fh)
            for row in rows:
                writer.writerow(row)
                count += 1
        return count
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)  # rows go to disk as they come: constant memory
    sheet = workbook.create_sheet(title=get_record_type(record_type).label)
    for row in rows:
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
