"""The canonical JSON of batch bodies: orjson writes it, byte for byte as the standard library did
(sorted keys, UTF-8, no whitespace), so hashes and signatures of published batches never change."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panshi.exchange.feed import canonical_json, parse_json, stdlib_canonical_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()  # any code point: controls, U+2028, astral planes, lone surrogates
    | st.dates()
    | st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=8))]))
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=40,
)


def _both(value: Any) -> tuple[Any, Any]:
    """Each serialiser's bytes, or the kind of error it raised (both must fail alike)."""
    out = []
    for serialise in (canonical_json, stdlib_canonical_json):
        try:
            out.append(serialise(value))
        except (TypeError, ValueError) as exc:
            out.append(type(exc))
    return out[0], out[1]


@settings(max_examples=600, deadline=None)
@given(values)
def test_orjson_and_stdlib_agree_byte_for_byte(value: Any) -> None:
    new, old = _both(value)
    assert new == old


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.text(), st.text() | st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=20)
)
def test_float_free_bodies_take_the_fast_path_and_agree(value: dict[str, Any]) -> None:
    assert canonical_json(value) == stdlib_canonical_json(value)
    assert json.loads(canonical_json(value)) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"b": 1, "a": '磐石\u2028\x1f"\\'},
            b'{"a":"\xe7\xa3\x90\xe7\x9f\xb3\xe2\x80\xa8\\u001f\\"\\\\","b":1}',
        ),
        ({"x": 1e-05, "y": 1e16}, b'{"x":1e-05,"y":1e+16}'),
        (
            {"d": date(2026, 3, 5), "t": datetime(2026, 3, 5, 1, 2, 3)},
            b'{"d":"2026-03-05","t":"2026-03-05T01:02:03+00:00"}',
        ),
        ([2**64, -(2**64)], b"[18446744073709551616,-18446744073709551616]"),
    ],
)
def test_known_forms(value: Any, expected: bytes) -> None:
    assert canonical_json(value) == expected


@settings(max_examples=400, deadline=None)
@given(values)
def test_bodies_are_read_as_the_standard_library_reads_them(value: Any) -> None:
    try:
        text = stdlib_canonical_json(value)
    except (TypeError, ValueError):
        return
    assert repr(parse_json(text)) == repr(json.loads(text))  # repr: NaN equals itself, 1 is not 1.0
    assert repr(parse_json(text.decode())) == repr(json.loads(text))


@pytest.mark.parametrize(
    "text", ['{"a":12345678901234567890}', "[-12345678901234567890]", "[NaN]", '{"a":1e400}']
)
def test_what_orjson_would_read_otherwise_is_read_by_the_standard_library(text: str) -> None:
    assert repr(parse_json(text)) == repr(json.loads(text))


def test_published_bodies_are_the_standard_librarys_bytes_floats_in_data_too(
    tiers: Any, tmp_path: Any
) -> None:
    from sqlalchemy import update

    from exchange.test_flow import publish_all
    from factories import ingest, penalty_row, write_csv
    from panshi.core.db import unit_of_work
    from panshi.records.models import Record

    ingest(write_csv(tmp_path / "a.csv", [penalty_row(n) for n in range(1, 4)]))
    with unit_of_work(tiers.child, write=True) as s:
        first = s.scalar(select_first_id())
        s.execute(update(Record).where(Record.id == first).values(data={"罚款金额": 1e-05, "名称": "磐石"}))
    [batch] = publish_all(tiers.child)
    body = batch.body.encode()
    assert body == stdlib_canonical_json(json.loads(body))
    assert b'"\xe7\xbd\x9a\xe6\xac\xbe\xe9\x87\x91\xe9\xa2\x9d":1e-05' in body  # 罚款金额, as json writes it


def select_first_id() -> Any:
    from sqlalchemy import func, select

    from panshi.records.models import Record

    return select(func.min(Record.id))
