"""The demo's list entry rows ingest cleanly, except the rows spoiled on purpose."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from factories import ingest
from panshi.core.db import unit_of_work
from panshi.demo.generator import generate_subjects, write_csv
from panshi.demo.list_rows import LIST_HEADERS, generate_list_rows
from panshi.sanctions.entries import entries_page


def test_demo_list_rows(engine: Engine, tmp_path: Path) -> None:
    subjects = list(generate_subjects(1500, seed=7))
    rows = list(generate_list_rows(subjects, seed=7, today=date.today(), share=0.1))
    assert len(rows) > 100
    path = tmp_path / "lists.csv"
    write_csv(iter(rows), path, encoding="utf-8-sig", headers=LIST_HEADERS)
    result = ingest(path, "list_entry")
    assert (result.accepted, result.rejected) == (len(rows), 0), result.errors[:3]
    with unit_of_work() as session:
        page = entries_page(session)
    assert 0 < page.total < len(rows) and all(e.authority_recognised for e in page.items)
    spoiled = list(generate_list_rows(subjects, seed=7, today=date.today(), share=0.1, bad_fraction=1.0))
    write_csv(iter(spoiled), tmp_path / "bad.csv", encoding="utf-8", headers=LIST_HEADERS)
    assert ingest(tmp_path / "bad.csv", "list_entry").rejected == len(spoiled)
