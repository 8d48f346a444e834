"""What catalog documents this node has installed, as the loaders see them without a session.

`sanctions.catalog.load()` and `catalog.service.load_catalog()` are called everywhere, many times a
request, with no session at hand. They ask `current()`, which costs a clock read while its snapshot is
fresh. The snapshot is read again (one short query of ids and hashes on its own connection; the texts
only of documents not seen before) when it is older than REFRESH_SECONDS, or at once after this process
committed an install (`installed_on_commit`). So a version installed by another process or server is
used within REFRESH_SECONDS; one installed by this process from its next load on.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from panshi.catalog import repository
from panshi.core import db as core_db
from panshi.core.settings import get_settings, sqlite_path

REFRESH_SECONDS = 5.0
log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Installed:
    """The installed documents: compared and hashed by their fingerprint (kind, version, sha256), so
    that loaders can cache what they built from one state."""

    fingerprint: tuple[tuple[str, str, str], ...] = ()
    files: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (kind, version) -> files
    _hash: int = field(default=0, init=False, repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Installed) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return self._hash

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(self.fingerprint))  # once: loaders hash it at every call

    def versions(self, kind: str) -> list[str]:
        return [v for k, v, _ in self.fingerprint if k == kind]

    def files_of(self, kind: str, version: str) -> dict[str, str] | None:
        return self.files.get((kind, version))


NOTHING = Installed()


@dataclass(frozen=True)
class _Snapshot:
    installed: Installed
    ids: dict[int, tuple[str, str, str]]  # id -> (kind, version, sha256)
    generation: int
    fresh_until: float


_generation = 0  # bumped when this process commits an install: every snapshot is stale at once
_snapshots: dict[str, _Snapshot] = {}  # by database URL (tests switch databases in one process)
_refreshing = threading.Lock()


def current() -> Installed:
    """The installed documents of the configured database (see the module docstring)."""
    url = get_settings().database_url
    snapshot = _snapshots.get(url)
    if (
        snapshot is not None
        and snapshot.generation == _generation
        and time.monotonic() < snapshot.fresh_until
    ):
        return snapshot.installed
    if not _refreshing.acquire(blocking=snapshot is None):
        return snapshot.installed if snapshot else NOTHING  # another thread is reading; this one goes on
    try:
        return _refresh(url, snapshot).installed
    finally:
        _refreshing.release()


def forget() -> None:
    """Make every snapshot stale: the next load reads the installed documents again."""
    global _generation
    _generation += 1


def installed_on_commit(session: Session) -> None:
    """When `session` commits, this process's loaders see the new documents at once."""
    event.listen(session, "after_commit", lambda _session: forget(), once=True)


def _refresh(url: str, previous: _Snapshot | None) -> _Snapshot:
    generation = _generation
    fresh_until = time.monotonic() + REFRESH_SECONDS
    path = sqlite_path(url)
    if path is not None and not path.exists():
        snapshot = _Snapshot(NOTHING, {}, generation, fresh_until)  # no database yet: never create one here
    else:
        try:
            snapshot = _read(previous, generation, fresh_until)
        except SQLAlchemyError as exc:  # not migrated yet, or the database is away: keep what was known
            log.debug("installed catalog documents not read: %s", exc)
            kept = previous.installed if previous else NOTHING
            snapshot = _Snapshot(kept, previous.ids if previous else {}, generation, fresh_until)
    _snapshots[url] = snapshot
    return snapshot


def _read(previous: _Snapshot | None, generation: int, fresh_until: float) -> _Snapshot:
    with core_db.get_engine().connect() as connection:
        rows = repository.fingerprints(connection)
        ids = {id_: (kind, version, sha) for id_, kind, version, sha in rows}
        if previous is not None and previous.ids == ids:
            return _Snapshot(previous.installed, ids, generation, fresh_until)
        known = previous.ids if previous else {}
        new = [id_ for id_, print_ in ids.items() if known.get(id_) != print_]
        texts = repository.files_of(connection, new) if new else {}
    old = previous.installed.files if previous else {}
    files = {
        (kind, version): texts[id_] if id_ in texts else old[(kind, version)]
        for id_, (kind, version, _) in ids.items()
    }
    return _Snapshot(Installed(tuple(ids.values()), files), ids, generation, fresh_until)
