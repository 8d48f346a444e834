"""Loading the catalog (信用信息目录) from its versioned YAML data."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from panshi.catalog.schemas import Catalog, RecordType
from panshi.core.errors import UnknownRecordType

_DIR = "data/catalog"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


@cache
def available_versions() -> tuple[str, ...]:
    files = resources.files("panshi").joinpath(_DIR).iterdir()
    names = [f.name for f in files if f.name.startswith("catalog-") and f.name.endswith(".yaml")]
    return tuple(sorted((n[len("catalog-") : -len(".yaml")] for n in names), key=_version_key))


@cache
def load_catalog(version: str | None = None) -> Catalog:
    """The catalog of `version` (default: the newest), validated."""
    version = version or available_versions()[-1]
    text = resources.files("panshi").joinpath(_DIR, f"catalog-{version}.yaml").read_text("utf-8")
    catalog = Catalog.model_validate(yaml.safe_load(text))
    if catalog.version != version:
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
