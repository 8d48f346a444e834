"""Loading the catalog (信用信息目录) from its versioned YAML data: the package's files and the versions
installed at this node (catalog documents received from above or published here)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from importlib import resources
from typing import TypeVar

import yaml

from panshi.catalog import installed as installed_documents
from panshi.catalog.installed import Installed
from panshi.catalog.schemas import Catalog, RecordType
from panshi.core.errors import UnknownRecordType

_DIR = "data/catalog"
KIND = "catalog"  # the kind of a record catalog document (catalog/documents.py)
T = TypeVar("T")


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def file_name(version: str) -> str:
    return f"catalog-{version}.yaml"


@cache
def package_versions() -> tuple[str, ...]:
    files = resources.files("panshi").joinpath(_DIR).iterdir()
    names = [f.name for f in files if f.name.startswith("catalog-") and f.name.endswith(".yaml")]
    return tuple(sorted((n[len("catalog-") : -len(".yaml")] for n in names), key=version_key))


def package_text(version: str) -> str:
    return resources.files("panshi").joinpath(_DIR, file_name(version)).read_text("utf-8")


def available_versions() -> tuple[str, ...]:
    """The package's versions and those installed here, oldest first."""
    return _versions(installed_documents.current())


@lru_cache(maxsize=8)
def _versions(installed: Installed) -> tuple[str, ...]:
    return tuple(sorted({*package_versions(), *installed.versions(KIND)}, key=version_key))


def load_catalog(version: str | None = None) -> Catalog:
    """The catalog of `version` (default: the newest, packaged or installed), validated."""
    return _load(version, installed_documents.current())


@lru_cache(maxsize=16)
def _load(version: str | None, installed: Installed) -> Catalog:
    version = version or _versions(installed)[-1]
    files = installed.files_of(KIND, version)
    text = files[file_name(version)] if files else package_text(version)
    return parse(text, version=version)


def per_catalog(build: Callable[[Catalog], T]) -> Callable[[], T]:
    """`build` of the current catalog, built once and rebuilt only when the current catalog is another
    one (a version installed here or received from above replaces it while the node runs)."""
    last: list[tuple[Catalog, T]] = []

    def current() -> T:
        catalog = load_catalog()
        if not last or last[0][0] is not catalog:
            last[:] = [(catalog, build(catalog))]
        return last[0][1]

    return current


def parse(text: str, *, version: str | None = None) -> Catalog:
    """A catalog file's text, validated; `version`: the version its name gives, which it must declare."""
    catalog = Catalog.model_validate(yaml.safe_load(text))
    if version is not None and catalog.version != version:
        raise ValueError(f"catalog file for {version} declares version {catalog.version}")
    return catalog


def get_record_type(key: str, *, version: str | None = None) -> RecordType:
    """A declared record type, or a clear error naming the known ones."""
    catalog = load_catalog(version)
    try:
        return catalog.record_types[key]
    except KeyError:
        known = ", ".join(f"{k} ({t.label})" for k, t in catalog.record_types.items())
        raise UnknownRecordType(f"未知的信息类别 {key!r}；可用：{known}") from None
