"""Evidence files (证明材料): checked by content, stored outside the web root, served only as downloads.

A file is admitted when its first bytes are those of an allowed type (PDF, PNG, JPEG, as the rules
list them) and its extension is one of that type's: an executable, a script, an archive or a web page
renamed .pdf is refused, saying what it is. It is written under a generated name in
`settings.evidence_dir` (the uploaded name is kept as text only), with its SHA-256. It is downloaded
only by those entitled — the uploader, and once attached to a case the subject's users, operators and
the deciding department — always as an attachment, with its stored content type and nosniff.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from panshi.accounts.schemas import Principal, Role
from panshi.cases import repository
from panshi.cases.models import EvidenceFile
from panshi.cases.rules import load as load_rules
from panshi.cases.schemas import EvidenceOut
from panshi.cases.workflow import evidence_out, visible_case
from panshi.core.errors import FileTooLarge, NotAuthorised, NotFound, PanshiError
from panshi.core.settings import get_settings
from panshi.core.timeutil import utcnow

CHUNK = 64 * 1024
MAGIC = {"pdf": (b"%PDF-",), "png": (b"\x89PNG\r\n\x1a\n",), "jpeg": (b"\xff\xd8\xff",)}
# What a refused file is, by its first bytes (checked before the allowed types).
DANGEROUS = (
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"\xcf\xfa\xed\xfe", "macOS 可执行程序"),
    (b"\xca\xfe\xba\xbe", "可执行程序或 Java 类文件"),
    (b"#!", "脚本"),
    (b"PK\x03\x04", "压缩包（ZIP/Office 文档）"),
    (b"Rar!", "压缩包（RAR）"),
    (b"7z\xbc\xaf", "压缩包（7z）"),
)
MARKUP = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<?php", b"<%")
PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile")


class RejectedEvidence(PanshiError):
    """An evidence file that is not admitted; nothing was stored."""

    code = "bad_evidence_file"
    status_code = 415


def sniff(head: bytes, filename: str) -> str:
    """The file's type by its first bytes, checked against its extension; RejectedEvidence if refused."""
    types = load_rules().evidence.types
    extension = Path(filename).suffix.lower().lstrip(".")
    allowed = "、".join(sorted({e for t in types.values() for e in t.extensions}))
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for magic, what in DANGEROUS:
        if head.startswith(magic):
            raise RejectedEvidence(f"文件“{filename}”的内容是{what}，不是证明材料：只接受 {allowed} 格式")
    if stripped.startswith(MARKUP):
        raise RejectedEvidence(f"文件“{filename}”的内容是网页或脚本，不是证明材料：只接受 {allowed} 格式")
    kind = next((k for k, magics in MAGIC.items() if k in types and head.startswith(magics)), None)
    if kind is None:
        raise RejectedEvidence(f"无法识别文件“{filename}”的格式：只接受 {allowed} 格式（按文件内容识别）")
    if extension not in types[kind].extensions:
        raise RejectedEvidence(
            f"文件“{filename}”的内容是 {types[kind].label}，与扩展名 .{extension or '（无）'} 不符：请使用正确的扩展名"
        )
    return kind


def store_evidence(session: Session, *, who: Principal, filename: str, stream: BinaryIO) -> EvidenceOut:
    """Check and store one uploaded file (unattached until a filing names it); refused files leave nothing."""
    if who.role not in (Role.subject, Role.operator):
        raise NotAuthorised("证明材料由信用主体本人或信用中心上传")
    settings = get_settings()
    name = _clean_name(filename)
    directory = Path(settings.evidence_dir)
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    partial = directory / f".{stored_name}.part"
    digest = hashlib.sha256()
    size = 0
    kind = ""
    previous_tail = b""  # a marker may straddle two chunks
    try:
        with partial.open("xb") as out:
            while chunk := stream.read(CHUNK):
                if not kind:
                    kind = sniff(chunk, name)
                size += len(chunk)
                if size > settings.evidence_max_bytes:
                    raise FileTooLarge(
                        f"文件“{name}”超过 {settings.evidence_max_bytes // (1024 * 1024) or 1} MB 的上限，请压缩或拆分后上传"
                    )
                window = previous_tail + chunk
                previous_tail = chunk[-16:]
                if kind == "pdf" and any(m in window for m in PDF_ACTIVE):
                    raise RejectedEvidence(f"PDF 文件“{name}”含有脚本、自动启动或嵌入文件，出于安全不予接收")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise RejectedEvidence(f"文件“{name}”是空文件")
        os.replace(partial, directory / stored_name)
    finally:
        partial.unlink(missing_ok=True)
    content_type = load_rules().evidence.types[kind].content_type
    row = repository.add_evidence(
        session,
        EvidenceFile(case_id=None, uploaded_by=who.actor[:200], stored_name=stored_name, original_name=name,
                     file_type=kind, content_type=content_type, size=size, sha256=digest.hexdigest(),
                     uploaded_at=utcnow()),
    )  # fmt: skip
    return evidence_out(row)


@contextmanager
def discarded_unless_kept(session: Session) -> Iterator[Callable[[EvidenceOut], int]]:
    """A block that stores evidence and then files with it: `stored(out)` registers each stored file
    (and returns its id); if the block raises, everything it wrote is rolled back (a savepoint) and the
    registered files are deleted, so a refused filing leaves neither rows nor files behind."""
    paths: list[Path] = []

    def stored(out: EvidenceOut) -> int:
        row = repository.get_evidence(session, out.id)
        if row is not None:
            paths.append(Path(get_settings().evidence_dir) / row.stored_name)
        return out.id

    savepoint = session.begin_nested()
    try:
        yield stored
    except BaseException:
        savepoint.rollback()
        for path in paths:
            path.unlink(missing_ok=True)
        raise
    savepoint.commit()


def open_evidence(session: Session, *, who: Principal, evidence_id: int) -> tuple[EvidenceOut, Path]:
    """A file the caller may download, and where it is; any other is "not found"."""
    row = repository.get_evidence(session, evidence_id)
    missing = NotFound(f"未找到编号为 {evidence_id} 的证明材料")
    if row is None:
        raise missing
    if row.uploaded_by != who.actor:
        if row.case_id is None:
            raise missing
        try:
            visible_case(session, who=who, case_id=row.case_id)
        except NotFound:
            raise missing from None
    path = Path(get_settings().evidence_dir) / row.stored_name
    if not path.is_file():
        raise NotFound(f"证明材料 {evidence_id} 的文件已不在存储目录中，请联系信用中心")
    return evidence_out(row), path


def _clean_name(filename: str) -> str:
    """The uploaded name as text to keep: its last path part, NFC, no control characters, ≤ 255."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return base.strip()[:255] or "未命名"
