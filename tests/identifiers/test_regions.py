from __future__ import annotations

import csv
from importlib import resources

import pytest

from panshi.identifiers import is_known_region, region_name
from panshi.identifiers.make_regions_csv import latest_name, region_names
from panshi.identifiers.regions import known_region_codes


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("220000", "吉林省"),
        ("220100", "长春市"),
        ("220200", "吉林市"),
        ("220281", "蛟河市"),
        ("220282", "桦甸市"),
        ("220283", "舒兰市"),
        ("220284", "磐石市"),
        ("220300", "四平市"),
        ("220400", "辽源市"),
        ("220500", "通化市"),
        ("220600", "白山市"),
        ("220700", "松原市"),
        ("220800", "白城市"),
        ("222400", "延边朝鲜族自治州"),
    ],
)
def test_jilin_codes_of_design(code: str, name: str) -> None:
    assert region_name(code) == name
    assert is_known_region(code)


def test_abolished_codes_are_kept() -> None:
    assert region_name("220223") == "磐石县"  # before 磐石市 (1995)
    assert region_name("110103") == "崇文区"  # merged into 东城区 in 2010


def test_unknown_codes() -> None:
    assert region_name("999999") is None
    assert not is_known_region("999999")
    assert not is_known_region("100000")  # used by national registration authorities, not GB/T 2260


def test_every_code_is_six_digits_and_named() -> None:
    assert len(known_region_codes()) > 6000
    assert all(len(code) == 6 and code.isdigit() for code in known_region_codes())
    assert all(region_name(code) for code in known_region_codes())


def test_latest_name() -> None:
    assert latest_name("[1983-1994]二道河子区,[1995-]二道区") == "二道区"
    assert latest_name("延吉市") == "延吉市"
    assert latest_name("[1985-1993]浑江市,[1994-]白山市") == "白山市"


def test_shipped_csv_is_what_the_script_makes_from_stdnum() -> None:
    source = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    shipped = resources.files("panshi").joinpath("data", "regions.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(shipped.splitlines()))
    assert rows[0] == ["code", "name"]
    assert dict(rows[1:]) == region_names(source.splitlines())
