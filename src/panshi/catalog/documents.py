"""Catalog documents (目录文档): a measures or record catalog version published at a node flows down.

A document is one version of one kind: `sanctions` (list-types-V.yaml and measures-V.yaml, the list
types and the measures catalog) or `catalog` (catalog-V.yaml, the record catalog). The documents of one
`panshi catalog publish` travel as one exchange message, so that a record catalog and the list types
that need it are checked and installed together. The message body:

    {"documents": [{"kind": "sanctions", "version": "2026.2", "sha256": "...",
                    "files": {"list-types-2026.2.yaml": "...", "measures-2026.2.yaml": "..."}}, ...]}

A version is never two things: a document whose version exists here (in the package or installed)
with other content is refused; the same content again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from panshi.catalog import installed, repository
from panshi.catalog import service as record_catalogs
from panshi.catalog.models import CatalogDocument
from panshi.catalog.schemas import Catalog
from panshi.core.errors import PanshiError
from panshi.core.timeutil import utcnow
from panshi.core.yamldata import validated
from panshi.sanctions import catalog as sanctions_catalogs

SANCTIONS, CATALOG = sanctions_catalogs.KIND, record_catalogs.KIND
KIND_LABELS = {SANCTIONS: "名单类型与措施清单", CATALOG: "信用信息目录"}
MESSAGE_KIND = "document"  # the exchange message that carries documents down
_VERSION = re.compile(r"^\d{1,6}(\.\d{1,6}){0,3}$")
_FILE = re.compile(r"^(list-types|measures|catalog)-(.+)\.yaml$")


class DocumentFault(PanshiError):
    """A catalog document that does not validate, or is not well formed; nothing was installed."""

    code = "bad_catalog_document"
    status_code = 422


class VersionConflict(DocumentFault):
    """A document whose version exists at this node with other content."""

    code = "catalog_version_conflict"
    status_code = 409


@dataclass(frozen=True)
class Document:
    kind: str
    version: str
    files: dict[str, str]  # file name -> YAML text

    @property
    def sha256(self) -> str:
        return content_sha256(self.files)

    @property
    def label(self) -> str:
        return f"{KIND_LABELS[self.kind]} {self.version}"

    def body(self) -> dict[str, Any]:
        return {"kind": self.kind, "version": self.version, "files": dict(self.files), "sha256": self.sha256}


@dataclass(frozen=True)
class Installation:
    """What publish or receive did: documents installed now, documents already here with that content."""

    installed: list[Document]
    present: list[Document]
    posted: bool = False  # handed to the exchange to flow down

    def summary(self, origin: str | None = None) -> str:
        """One line in Chinese."""
        parts = []
        if self.installed:
            source = f"（来自 {origin}）" if origin else ""
            parts.append(f"已安装 {'、'.join(d.label for d in self.installed)}{source}")
        if self.present:
            parts.append(f"已有且内容相同，未变 {'、'.join(d.label for d in self.present)}")
        return "；".join(parts) or "没有目录文档"


def content_sha256(files: dict[str, str]) -> str:
    """SHA-256 of the files (names and texts), the same wherever it is computed."""
    canonical = json.dumps(files, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def expected_files(kind: str, version: str) -> tuple[str, ...]:
    if kind == SANCTIONS:
        return sanctions_catalogs.file_names(version)
    return (record_catalogs.file_name(version),)


# --- reading documents ---------------------------------------------------------------------------


def documents_from_files(paths: Iterable[Path]) -> list[Document]:
    """The documents of files named as the package names them: catalog-V.yaml, or list-types-V.yaml
    with measures-V.yaml; record catalogs first (the list types are checked against them)."""
    grouped: dict[tuple[str, str], dict[str, str]] = {}
    for path in paths:
        found = _FILE.match(path.name)
        if found is None:
            raise DocumentFault(
                f"{path.name}：文件名应为 catalog-<版本>.yaml、list-types-<版本>.yaml 或 measures-<版本>.yaml"
            )
        kind = CATALOG if found[1] == "catalog" else SANCTIONS
        try:
            text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        except OSError as exc:
            raise DocumentFault(f"{path}：无法读取（{exc.strerror or exc}）") from None
        except UnicodeDecodeError:
            raise DocumentFault(f"{path.name}：不是 UTF-8 编码的文本") from None
        grouped.setdefault((kind, found[2]), {})[path.name] = text
    documents = [Document(kind, version, files) for (kind, version), files in grouped.items()]
    for document in documents:
        _check_form(document)
    return sorted(documents, key=lambda d: d.kind != CATALOG)


def documents_of(body: dict[str, Any]) -> list[Document]:
    """The documents of a message body (a bare document is read as a body of one)."""
    items = body.get("documents", [body] if "kind" in body else None)
    if not isinstance(items, list) or not items:
        raise DocumentFault('目录文档消息中没有文档（应为 {"documents": [...]}）')
    documents = []
    for item in items:
        if not isinstance(item, dict):
            raise DocumentFault("目录文档应为对象（kind、version、files、sha256）")
        kind, version, files = item.get("kind"), item.get("version"), item.get("files")
        if not isinstance(kind, str) or not isinstance(version, str) or not isinstance(files, dict):
            raise DocumentFault("目录文档缺少 kind、version 或 files")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
            raise DocumentFault(f"目录文档 {kind} {version} 的 files 应为“文件名: 文本”")
        document = Document(kind, version, dict(files))
        _check_form(document)
        if item.get("sha256") != document.sha256:
            raise DocumentFault(f"{document.label}：内容与所附 sha256 不符（传输中被改动或不完整）")
        documents.append(document)
    return sorted(documents, key=lambda d: d.kind != CATALOG)


def _check_form(document: Document) -> None:
    if document.kind not in KIND_LABELS:
        raise DocumentFault(f"未知的目录文档类别 {document.kind!r}；可用：{', '.join(KIND_LABELS)}")
    if not _VERSION.match(document.version):
        raise DocumentFault(f"{KIND_LABELS[document.kind]}的版本号 {document.version!r} 应为数字，如 2026.2")
    expected = expected_files(document.kind, document.version)
    if set(document.files) != set(expected):
        missing = sorted(set(expected) - set(document.files))
        extra = sorted(set(document.files) - set(expected))
        raise DocumentFault(
            f"{document.label} 应由 {'、'.join(expected)} 组成"
            + (f"；缺少 {'、'.join(missing)}" if missing else "")
            + (f"；多出 {'、'.join(extra)}" if extra else "")
        )


# --- validation ----------------------------------------------------------------------------------


class _Here:
    """The versions this node has (package and installed), with the new documents laid over them."""

    def __init__(self, session: Session) -> None:
        self.rows = {(r.kind, r.version): r for r in repository.installed(session)}
        self.new: dict[tuple[str, str], Document] = {}

    def versions(self, kind: str) -> list[str]:
        package = (
            sanctions_catalogs.package_versions() if kind == SANCTIONS else record_catalogs.package_versions()
        )
        mine = {v for k, v in (*self.rows, *self.new) if k == kind}
        return sorted({*package, *mine}, key=record_catalogs.version_key)

    def files(self, kind: str, version: str) -> dict[str, str] | None:
        if (kind, version) in self.new:
            return self.new[(kind, version)].files
        if (kind, version) in self.rows:
            return self.rows[(kind, version)].files
        if version in (
            sanctions_catalogs.package_versions() if kind == SANCTIONS else record_catalogs.package_versions()
        ):
            if kind == SANCTIONS:
                return sanctions_catalogs.package_files(version)
            return {record_catalogs.file_name(version): record_catalogs.package_text(version)}
        return None

    def where(self, kind: str, version: str) -> str:
        row = self.rows.get((kind, version))
        if row is None:
            return "随软件发布的版本"
        return (
            f"本节点已安装的版本（来自 {row.origin_region}）" if row.origin_region else "本节点已安装的版本"
        )


def validate(session: Session, documents: list[Document]) -> tuple[list[Document], list[Document]]:
    """The documents to install and those already here with that content; a fault raises DocumentFault."""
    here, fresh, present = _Here(session), [], []
    seen: set[tuple[str, str]] = set()
    for document in documents:
        key = (document.kind, document.version)
        if key in seen:
            raise DocumentFault(f"{document.label} 出现了两次")
        seen.add(key)
        existing = here.files(*key)
        if existing is None:
            fresh.append(document)
        elif content_sha256(existing) == document.sha256:
            present.append(document)
        else:
            raise VersionConflict(
                f"{document.label} 已存在（{here.where(*key)}），且内容不同：同一版本号不能有两种内容，请使用新的版本号"
            )
    for document in fresh:
        if document.kind == CATALOG:
            _parsed_record_catalog(document)
        here.new[(document.kind, document.version)] = document
    record_catalog = _record_catalog(here)
    for document in fresh:
        if document.kind == SANCTIONS:
            _check_sanctions(document.version, here, record_catalog)
    newest = here.versions(SANCTIONS)[-1]
    if any(d.kind == CATALOG for d in fresh) and (SANCTIONS, newest) not in here.new:
        try:
            _check_sanctions(newest, here, record_catalog)
        except DocumentFault as fault:
            raise DocumentFault(
                f"信用信息目录 {record_catalog.version} 与本节点现行的名单类型与措施清单 {newest} 不一致（{fault.message}）；"
                "请把与之相符的 list-types 和 measures 文件一同发布"
            ) from None
    return fresh, present


def _parsed_record_catalog(document: Document) -> Catalog:
    (name,) = document.files
    catalog: Catalog = validated(Catalog, document.files[name], name, error=DocumentFault)
    if catalog.version != document.version:
        raise DocumentFault(
            f"{name} 声明的版本为 {catalog.version}，与文件名中的版本 {document.version} 不一致"
        )
    return catalog


def _record_catalog(here: _Here) -> Catalog:
    """The newest record catalog once the new documents are installed: the one loading will use."""
    version = here.versions(CATALOG)[-1]
    if (CATALOG, version) in here.new:
        return _parsed_record_catalog(here.new[(CATALOG, version)])
    files = here.files(CATALOG, version)
    assert files is not None
    return record_catalogs.parse(files[record_catalogs.file_name(version)], version=version)


def _check_sanctions(version: str, here: _Here, record_catalog: Catalog) -> None:
    files = here.files(SANCTIONS, version)
    assert files is not None
    list_file, measure_file = sanctions_catalogs.file_names(version)
    try:
        parsed = sanctions_catalogs.parse(
            files[list_file], files[measure_file], list_file=list_file, measure_file=measure_file,
            record_catalog=record_catalog,
        )  # fmt: skip
    except sanctions_catalogs.CatalogFault as fault:
        raise DocumentFault(fault.message) from None
    if parsed.version != version:
        raise DocumentFault(f"{list_file} 声明的版本为 {parsed.version}，与文件名中的版本 {version} 不一致")


# --- publish and receive -------------------------------------------------------------------------


def _install(session: Session, documents: list[Document], *, origin: str | None) -> Installation:
    fresh, present = validate(session, documents)
    now = utcnow()
    for document in fresh:
        repository.add(
            session, kind=document.kind, version=document.version, files=document.files,
            sha256=document.sha256, origin_region=origin, installed_at=now,
        )  # fmt: skip
    if fresh:
        installed.installed_on_commit(session)
    return Installation(installed=fresh, present=present)


def publish(session: Session, *, documents: list[Document]) -> Installation:
    """Validate and install documents made at this node, and hand the new ones to the exchange to flow
    down (when this node takes part in the exchange)."""
    from panshi.exchange import service as exchange  # the exchange delivers documents back here

    origin = exchange.own_region(session)
    done = _install(session, documents, origin=origin)
    if not done.installed or origin is None:
        return done
    exchange.post_message(
        session, kind=MESSAGE_KIND, target=None, body={"documents": [d.body() for d in done.installed]}
    )
    return Installation(installed=done.installed, present=done.present, posted=True)


def receive(session: Session, body: dict[str, Any], *, origin: str) -> str:
    """Install the documents of a message from above (validated as publish validates); a one-line summary."""
    return _install(session, documents_of(body), origin=origin).summary(origin)


def installed_documents(session: Session) -> list[CatalogDocument]:
    """The documents installed at this node, oldest first."""
    return repository.installed(session)
