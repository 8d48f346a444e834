"""Catalog documents for the tests: the package's files at a new version, with changes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from panshi.catalog import installed
from panshi.catalog import service as record_catalogs
from panshi.sanctions import catalog as sanctions_catalogs

PACKAGE = "2026.1"
NEW = "2026.2"
EXTRA_MEASURE = {
    "code": "P99", "name": "限制参加省级政府采购集中采购", "kind": "punishment",
    "content": "省级新增措施：限制其参加省级政府采购集中采购项目。", "list_types": ["judgment_defaulter"],
    "scenarios": ["government_procurement"], "departments": ["财政部门"], "legal_basis": ["《吉林省社会信用条例》"],
}  # fmt: skip
NEW_LIST = {
    "code": "provincial_dishonest", "name": "省级严重失信名单", "kind": "black", "listed_by": ["any"],
    "duration_months": 36, "public": True, "legal_basis": ["《吉林省社会信用条例》"],
}  # fmt: skip

Edit = Callable[[dict[str, Any]], None]


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def sanctions_files(
    version: str = NEW, *, lists: Edit | None = None, measures: Edit | None = None
) -> dict[str, str]:
    """The package's list types and measures as `version`, edited."""
    texts = sanctions_catalogs.package_files(PACKAGE)
    list_name, measure_name = sanctions_catalogs.file_names(PACKAGE)
    list_data, measure_data = yaml.safe_load(texts[list_name]), yaml.safe_load(texts[measure_name])
    list_data["version"] = measure_data["version"] = version
    if lists:
        lists(list_data)
    if measures:
        measures(measure_data)
    new_list, new_measures = sanctions_catalogs.file_names(version)
    return {new_list: dump(list_data), new_measures: dump(measure_data)}


def with_extra_measure(data: dict[str, Any]) -> None:
    data["measures"].append(dict(EXTRA_MEASURE))


def with_new_list(data: dict[str, Any]) -> None:
    kinds = data.setdefault("department_kinds", {})
    kinds.setdefault("any", {"label": "任何部门"})
    data["list_types"].append(dict(NEW_LIST))


def catalog_files(version: str = NEW, *, new_list: bool = False) -> dict[str, str]:
    """The package's record catalog as `version` (with the new list type among list_entry's values)."""
    data = yaml.safe_load(record_catalogs.package_text(PACKAGE))
    data["version"] = version
    if new_list:
        field = next(f for f in data["record_types"]["list_entry"]["fields"] if f["name"] == "list_type")
        field["values"] += [NEW_LIST["code"], NEW_LIST["name"]]
    return {record_catalogs.file_name(version): dump(data)}


def write(directory: Path, files: dict[str, str]) -> list[Path]:
    paths = []
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
        paths.append(directory / name)
    return paths


def body(kind: str, version: str, files: dict[str, str]) -> dict[str, Any]:
    from panshi.catalog.documents import Document

    return {"documents": [Document(kind, version, files).body()]}


@pytest.fixture(autouse=True)
def fresh_snapshots() -> Iterator[None]:
    """Each test sees the installed documents of its own database, and leaves none behind in memory."""
    installed.forget()
    yield
    installed.forget()
