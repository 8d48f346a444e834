"""Rebuild `panshi/data/regions.csv` from python-stdnum's `stdnum/cn/loc.dat`.

loc.dat lists every GB/T 2260 code in use since about 1980 (from the Chinese Wikipedia tables),
each with the years its names were valid, e.g. ``0105 county="[1983-1994]二道河子区,[1995-]二道区"``.
Abolished codes are kept because they still appear in resident IDs and old registration numbers;
each code gets its most recent name. Run once, by hand, and commit the CSV:

    python -m panshi.identifiers.make_regions_csv
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

_PROVINCE = re.compile(r'^(\d{2}) province="([^"]*)"')
_COUNTY = re.compile(r'^\s+(\d{4}) county="([^"]*)"')
_PERIOD = re.compile(r"\[[^\]]*\]")


def latest_name(names: str) -> str:
    """Return the last of the period-tagged names: ``[1983-1994]甲,[1995-]乙`` gives ``乙``."""
    parts = [part.strip(" ,") for part in _PERIOD.split(names)]
    return [part for part in parts if part][-1]


def region_names(lines: Iterable[str]) -> dict[str, str]:
    """Map each six-digit code in loc.dat to its most recent name."""
    names: dict[str, str] = {}
    province = ""
    for line in lines:
        if match := _PROVINCE.match(line):
            province = match.group(1)
            # The province's own "0000" line, if any, follows and wins (it is in simplified script).
            names.setdefault(province + "0000", latest_name(match.group(2)))
        elif match := _COUNTY.match(line):
            names[province + match.group(1)] = latest_name(match.group(2))
    return names


def main() -> None:
    source = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    target = Path(__file__).resolve().parent.parent / "data" / "regions.csv"
    names = region_names(source.splitlines())
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["code", "name"])
        writer.writerows(sorted(names.items()))
    print(f"wrote {len(names)} codes to {target}")


if __name__ == "__main__":
    main()
