"""What a check costs: SQL statements per check (a guard against their growing back), the canonical
answer's bytes, the systems' fast path and the check worker's own connection."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.engine import Engine

from panshi.core.db import unit_of_work
from panshi.sanctions import service
from panshi.sanctions.pipeline import pipeline
from panshi.sanctions.schemas import CheckAnswer
from sanctions.helpers import auth, check_body, company, count_checks, entry_row, load_rows
from sql_log import statements

# Statements of one single check over HTTP, from the request to the logged answer: the token, the
# subject, its list entries with the data version, its grade, open objections (only when it is on
# a list) and the one INSERT of the log. SQLite adds its BEGIN IMMEDIATE (PostgreSQL runs the group
# in autocommit: no BEGIN, no COMMIT statement). Raise these only for a reason the docs give.
SINGLE_CHECK = {"postgresql": 6, "sqlite": 7}


def _check(world: dict[str, Any], subject: str) -> dict[str, Any]:
    response = world["client"].post(
        "/api/v1/checks", json=check_body(subject), headers=auth(world["tokens"]["finance"])
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_single_check_costs_a_fixed_handful_of_statements(
    world: dict[str, Any], engine: Engine, tmp_path: Path
) -> None:
    load_rows(tmp_path, [entry_row(1), entry_row(2)])
    _check(
        world, company(2)[1]
    )  # the worker's connection opened, the catalogs read: what a running server has
    limit = SINGLE_CHECK[engine.dialect.name]
    with statements(engine) as listed:
        assert _check(world, company(1)[1])["answer"]["on_lists"]
    assert len(listed) <= limit, "\n".join(listed)
    with statements(engine) as unlisted:
        response = world["client"].post("/api/v1/checks", json=check_body(company(3)[1]),
                                        headers=auth(world["tokens"]["finance"]))  # fmt: skip
    assert response.status_code == 404  # not collected: refused, nothing logged
    assert len(unlisted) <= limit - 3, "\n".join(unlisted)
    assert sum(s.startswith("INSERT INTO checks") for s in listed) == 1
    assert count_checks() == 2


def test_a_batch_costs_the_statements_of_one_check_whatever_its_size(
    world: dict[str, Any], engine: Engine, tmp_path: Path
) -> None:
    load_rows(tmp_path, [entry_row(n) for n in range(1, 31)])
    body = check_body("") | {"subjects": [company(n)[1] for n in range(1, 31)]}
    body.pop("subject")
    headers = auth(world["tokens"]["finance"])
    assert world["client"].post("/api/v1/checks/batch", json=body, headers=headers).json()["checked"] == 30
    with statements(engine) as seen:
        answer = world["client"].post("/api/v1/checks/batch", json=body, headers=headers).json()
    assert answer["checked"] == 30 and answer["on_lists"] == 30
    # token, subjects, entries, grades, objections, the log: set-based, so not one more for 30 subjects
    # (the route authenticates in a read unit of its own: one BEGIN more on SQLite)
    assert len(seen) <= SINGLE_CHECK[engine.dialect.name] + (engine.dialect.name == "sqlite"), "\n".join(seen)


def test_the_fast_path_answers_as_the_route_does(world: dict[str, Any], tmp_path: Path) -> None:
    load_rows(tmp_path, [entry_row(1)])
    client, tokens = world["client"], world["tokens"]
    response = client.post("/api/v1/checks", json=check_body(company(1)[1]), headers=auth(tokens["finance"]))
    assert response.status_code == 201 and response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"  # the security headers still wrap it
    assert "content-security-policy" in response.headers
    answer = response.json()["answer"]
    digest = service.hashlib.sha256(service.canonical_json(answer).encode()).hexdigest()
    assert digest == response.json()["receipt"]["answer_sha256"]
    refused = client.post("/api/v1/checks", content=b"{not json", headers=auth(tokens["finance"]))
    assert refused.status_code == 422 and refused.json()["error"] == "invalid_request"
    wrong_role = client.post(
        "/api/v1/checks", json=check_body(company(1)[1]), headers=auth(tokens["subject"])
    )
    assert wrong_role.status_code == 403 and set(wrong_role.json()) == {"error", "message"}
    empty_bearer = client.post(
        "/api/v1/checks", json=check_body(company(1)[1]), headers={"Authorization": "Bearer "}
    )
    assert empty_bearer.status_code == 401  # not a system: the route refuses it as anonymous
    padded = check_body(company(1)[1]) | {"purpose": "x" * (service.MAX_CHECK_BODY + 1)}
    too_large = client.post("/api/v1/checks", json=padded, headers=auth(tokens["finance"]))
    assert too_large.status_code == 413 and too_large.json()["error"] == "request_too_large"
    assert count_checks() == 1


@pytest.mark.postgres
def test_the_worker_answers_again_when_its_connection_was_cut(
    world: dict[str, Any], engine: Engine, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a server that drops a connection: PostgreSQL")
    load_rows(tmp_path, [entry_row(1)])
    _check(world, company(1)[1])
    with unit_of_work() as session:  # cut every other connection to this database, the worker's among them
        session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()"))  # fmt: skip
    assert _check(world, company(1)[1])["answer"]["on_lists"]
    assert count_checks() == 2


# --- the canonical answer --------------------------------------------------------------------------


def _float_fields(model: type[BaseModel], path: str = "") -> set[str]:
    found = set()
    for name, field in model.model_fields.items():
        for kind in _kinds(field.annotation):
            if kind is float:
                found.add(path + name)
            elif isinstance(kind, type) and issubclass(kind, BaseModel):
                found |= _float_fields(kind, f"{path}{name}.")
    return found


def _kinds(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    return [k for a in args for k in _kinds(a)] if args else [annotation]


def test_only_candidates_scores_are_floats_in_an_answer() -> None:
    """canonical_json lets orjson write an answer without candidates: that holds while no other float is in one."""
    assert _float_fields(CheckAnswer) == {"resolution.candidates.score"}


def test_a_check_answer_is_written_as_the_standard_library_writes_it(
    world: dict[str, Any], tmp_path: Path
) -> None:
    load_rows(tmp_path, [entry_row(1)])
    answer = _check(world, company(1)[1])["answer"]
    assert service.canonical_json(answer, floats=False) == service.canonical_json(answer, floats=True)


_text = st.text(st.characters(codec="utf-8"), max_size=20)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_text, _json, max_size=6))
def test_orjson_and_the_standard_library_write_the_same_canonical_bytes(document: dict[str, Any]) -> None:
    expected = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert service.canonical_json(document, floats=False) == expected


def test_the_worker_keeps_one_connection_between_groups(world: dict[str, Any], tmp_path: Path) -> None:
    load_rows(tmp_path, [entry_row(1)])
    _check(world, company(1)[1])
    kept = pipeline._link._connection
    _check(world, company(1)[1])
    assert kept is not None and pipeline._link._connection is kept
