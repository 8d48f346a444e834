"""GB/T 2260 行政区划代码 shipped as `panshi/data/regions.csv`.

The CSV holds every code in use since about 1980, abolished ones included (they still appear in
resident IDs and old registration numbers), each with its most recent name. It was derived from
python-stdnum's `stdnum/cn/loc.dat` by `make_regions_csv.py` beside this module.
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, StringConstraints, TypeAdapter

from panshi.identifiers.rules import NATIONAL_REGISTRATION_REGION


class Region(BaseModel, frozen=True):
    code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    name: Annotated[str, StringConstraints(min_length=1)]


_REGIONS = TypeAdapter(list[Region])


@functools.cache
def region_names() -> dict[str, str]:
    """Map every known six-digit region code to its name (read and validated once)."""
    text = resources.files("panshi").joinpath("data", "regions.csv").read_text(encoding="utf-8")
    regions = _REGIONS.validate_python(list(csv.DictReader(io.StringIO(text))))
    return {region.code: region.name for region in regions}


@functools.cache
def known_region_codes() -> frozenset[str]:
    """The codes of `region_names()`, for set membership and vectorised `is_in`."""
    return frozenset(region_names())


def region_name(code: str) -> str | None:
    """Name of a GB/T 2260 code, e.g. ``220284`` → ``磐石市``; None if the code is not known."""
    return region_names().get(code)


def is_known_region(code: str) -> bool:
    """True if the code is in GB/T 2260 (current or historical)."""
    return code in region_names()


def is_known_registration_region(code: str) -> bool:
    """True for a known region code or the 100000 that national-level registration authorities use."""
    return code == NATIONAL_REGISTRATION_REGION or is_known_region(code)
