from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from panshi.demo.context import yuan_to_wan
from panshi.demo.generator import (
    LICENSE_HEADERS,
    PENALTY_HEADERS,
    Subject,
    generate_license_rows,
    generate_penalty_rows,
    generate_subjects,
    write_csv,
)

START, END = date(2024, 1, 1), date(2025, 6, 30)


@pytest.fixture(scope="module")
def subjects() -> list[Subject]:
    return list(generate_subjects(500, seed=2))


def _read(path: Path, encoding: str) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as file:
        return list(csv.reader(file))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_round_trips_in_each_encoding(tmp_path: Path, subjects: list[Subject], encoding: str) -> None:
    expected = list(generate_penalty_rows(subjects, 400, seed=1, start=START, end=END, bad_fraction=0.1))
    rows = generate_penalty_rows(subjects, 400, seed=1, start=START, end=END, bad_fraction=0.1)
    path = tmp_path / "penalties.csv"
    assert write_csv(rows, path, encoding=encoding, headers=PENALTY_HEADERS) == 400
    table = _read(path, encoding)
    assert table[0] == list(PENALTY_HEADERS)
    assert [dict(zip(table[0], line, strict=True)) for line in table[1:]] == expected


def test_gbk_file_is_gbk(tmp_path: Path, subjects: list[Subject]) -> None:
    path = tmp_path / "licenses.csv"
    rows = generate_license_rows(subjects, 500, seed=1, start=START, end=END)
    write_csv(rows, path, encoding="gbk", headers=LICENSE_HEADERS)
    raw = path.read_bytes()
    text = raw.decode("gbk")
    assert text.startswith("行政相对人名称,")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_bom_only_with_utf_8_sig(tmp_path: Path, subjects: list[Subject]) -> None:
    for encoding, bom in (("utf-8-sig", True), ("utf-8", False)):
        path = tmp_path / f"{encoding}.csv"
        write_csv(generate_penalty_rows(subjects, 5, seed=1, start=START, end=END), path, encoding=encoding,
                  headers=PENALTY_HEADERS)  # fmt: skip
        assert path.read_bytes().startswith(b"\xef\xbb\xbf") is bom


def test_plain_dicts_write_the_same_file(tmp_path: Path, subjects: list[Subject]) -> None:
    streamed, plain = tmp_path / "streamed.csv", tmp_path / "plain.csv"
    write_csv(
        generate_penalty_rows(subjects, 300, seed=8, start=START, end=END), streamed, headers=PENALTY_HEADERS
    )
    rows = [dict(row) for row in generate_penalty_rows(subjects, 300, seed=8, start=START, end=END)]
    write_csv(iter(rows), plain, headers=PENALTY_HEADERS)
    assert streamed.read_bytes() == plain.read_bytes()


def test_values_that_need_quoting(tmp_path: Path) -> None:
    rows = [
        {"a": 'say "hi"', "b": "x,y"},
        {"a": "line\nbreak", "b": ""},
        {"a": "plain"},  # a missing column is written empty
    ]
    path = tmp_path / "quoted.csv"
    assert write_csv(rows, path, headers=["a", "b"]) == 3
    assert _read(path, "utf-8") == [["a", "b"], ['say "hi"', "x,y"], ["line\nbreak", ""], ["plain", ""]]


def test_unsupported_encoding(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_csv([], tmp_path / "x.csv", encoding="big5", headers=["a"])


@given(st.integers(min_value=1, max_value=10**9))
def test_yuan_to_wan_is_exact(yuan: int) -> None:
    text = yuan_to_wan(yuan)
    assert round(float(text) * 10000) == yuan
    assert not text.endswith("0") or "." not in text
