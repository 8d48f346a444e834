"""A check answers with the measures of the newest installed version (a document from the province)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog.helpers import NEW, PACKAGE, body, fresh_snapshots, sanctions_files, with_extra_measure
from panshi.catalog import documents
from panshi.core.db import unit_of_work
from sanctions.helpers import auth, check_body, company, entry_row, load_rows

__all__ = ["fresh_snapshots"]


def _check(world: dict[str, Any]) -> dict[str, Any]:
    response = world["client"].post(
        "/api/v1/checks", json=check_body(company(1)[1]), headers=auth(world["tokens"]["finance"])
    )
    assert response.status_code == 201, response.text
    return dict(response.json()["answer"])


def test_a_check_answers_with_a_measure_only_the_installed_version_has(
    world: dict[str, Any], tmp_path: Path
) -> None:
    assert load_rows(tmp_path, [entry_row(1)]).accepted == 1
    before = _check(world)
    assert [m["code"] for m in before["measures"]] == ["P01"]
    assert before["catalog_version"].startswith(f"lists:{PACKAGE};")

    with unit_of_work(write=True) as session:
        documents.receive(
            session, body("sanctions", NEW, sanctions_files(measures=with_extra_measure)), origin="220000"
        )
    after = _check(world)
    assert [m["code"] for m in after["measures"]] == ["P01", "P99"]
    assert after["measures"][1]["name"] == "限制参加省级政府采购集中采购"
    assert after["catalog_version"].startswith(f"lists:{NEW};")  # the version the answer was made with
    measures = world["client"].get("/api/v1/lists/measures", headers=auth(world["tokens"]["operator"]))
    assert measures.status_code == 200 and "P99" in {m["code"] for m in measures.json()}
