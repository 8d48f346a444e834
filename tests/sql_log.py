"""The SQL statements an engine runs inside a block: for tests that hold a path to its round trips."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")  # transaction control


@contextmanager
def statements(engine: Engine, *, ignore: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """The statements `engine` runs inside the block, in order, whitespace folded (the first 200
    characters each); those starting with one of `ignore` (e.g. TRANSACTION) left out."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(ignore):
            seen.append(" ".join(statement.split())[:200])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
