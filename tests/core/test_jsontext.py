"""jsontext.loads gives the standard library's values (orjson where they are the same)."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from panshi.core.jsontext import loads

# Integers beyond 64 bits are what orjson reads differently (as floats); floats of every size.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
documents = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5)
)


@given(documents)
def test_same_values_and_types_as_the_standard_library(value: object) -> None:
    text = json.dumps(value)
    ours, theirs = loads(text), json.loads(text)
    assert ours == theirs
    assert json.dumps(ours) == json.dumps(theirs)  # the same types too (an int stays an int)
    assert loads(text.encode()) == theirs


def test_long_integers_stay_whole() -> None:
    assert loads('{"n": 123456789012345678901234}') == {"n": 123456789012345678901234}
    assert loads("[[18446744073709551616]]") == [[18446744073709551616]]
    assert loads('{"x": 1e300}') == {"x": 1e300}


def test_what_only_the_standard_library_reads() -> None:
    assert math.isnan(loads("NaN"))
    assert loads('{"a": [Infinity]}') == {"a": [math.inf]}
