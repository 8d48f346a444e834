"""JSON text read fast, with the standard library's values."""

from __future__ import annotations

import json
from typing import Any

import orjson

# orjson reads an integer beyond 64 bits as a float, which the standard library keeps whole: a float
# that large in what orjson read may have been such an integer, and the text is read again.
_BEYOND_INTEGERS = float(2**63)


def loads(text: str | bytes | bytearray | memoryview) -> Any:
    """JSON text as `json.loads` reads it, by orjson where the values are the same (floats are: both
    round correctly; NaN, which orjson refuses, is read by the standard library)."""
    raw = text.encode() if isinstance(text, str) else bytes(text)
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)
    return json.loads(raw) if _may_be_long_integer(value) else value


def _may_be_long_integer(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        values = value.values()
    elif kind is list:
        values = value
    else:
        return kind is float and not -_BEYOND_INTEGERS < value < _BEYOND_INTEGERS
    for v in values:
        kind = type(v)
        if kind is str or kind is int or v is None or kind is bool:
            continue
        if _may_be_long_integer(v):
            return True
    return False
