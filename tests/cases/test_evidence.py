"""Evidence files: limits by size and by content, generated names, downloads only for the entitled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from cases.helpers import PDF, PNG, auth, upload
from panshi.cases.evidence import RejectedEvidence, sniff
from panshi.cases.models import EvidenceFile
from panshi.core.db import unit_of_work


def _stored(world: dict[str, Any]) -> tuple[list[Path], int]:
    directory: Path = world["evidence_dir"]
    files = sorted(directory.iterdir()) if directory.exists() else []
    with unit_of_work() as session:
        return files, session.scalar(select(func.count()).select_from(EvidenceFile)) or 0


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "Windows 可执行程序"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "Linux 可执行程序"),
        (b"#!/bin/sh\nrm -rf /\n", "脚本"),
        (b"PK\x03\x04" + b"\x00" * 100, "压缩包"),
        (b"<!DOCTYPE html><script>alert(1)</script>", "网页或脚本"),
    ],
)
def test_an_executable_renamed_pdf_is_refused_and_nothing_is_stored(
    world: dict[str, Any], content: bytes, what: str
) -> None:
    response = upload(world["client"], world["tokens"]["subject"], content, "缴款凭证.pdf")
    assert response.status_code == 415
    assert what in response.json()["message"] and "缴款凭证.pdf" in response.json()["message"]
    assert _stored(world) == ([], 0)


def test_a_file_too_large_is_refused_with_413(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from panshi.core.settings import get_settings

    monkeypatch.setenv("PANSHI_EVIDENCE_MAX_BYTES", "1000")
    get_settings.cache_clear()
    response = upload(world["client"], world["tokens"]["subject"], PDF + b"0" * 2000)
    assert response.status_code == 413
    assert _stored(world) == ([], 0)


def test_the_extension_must_match_the_content_and_active_pdfs_are_refused(world: dict[str, Any]) -> None:
    client, token = world["client"], world["tokens"]["subject"]
    assert "与扩展名 .pdf 不符" in upload(client, token, PNG, "photo.pdf").json()["message"]
    assert upload(client, token, PDF + b"<< /OpenAction << /S /JavaScript >> >>", "a.pdf").status_code == 415
    assert upload(client, token, b"", "empty.pdf").status_code == 415
    assert _stored(world) == ([], 0)


def test_stored_under_a_generated_name_and_downloaded_only_by_the_entitled(world: dict[str, Any]) -> None:
    client, tokens = world["client"], world["tokens"]
    hostile = "../../etc/<script>缴款.pdf"
    evidence = upload(client, tokens["subject"], PDF, hostile).json()
    files, rows = _stored(world)
    assert rows == 1 and len(files) == 1 and len(files[0].name) == 32
    assert evidence["original_name"] == "<script>缴款.pdf" and len(evidence["sha256"]) == 64
    # Before it is attached, only its uploader may fetch it.
    assert (
        client.get(f"/api/v1/evidence/{evidence['id']}", headers=auth(tokens["department"])).status_code
        == 404
    )
    client.post("/api/v1/objections", headers=auth(tokens["subject"]),
                json={"record_id": world["records"][1], "reason": "记录有误，附证明", "evidence_ids": [evidence["id"]]})  # fmt: skip
    for who in ("subject", "department", "operator"):
        got = client.get(f"/api/v1/evidence/{evidence['id']}", headers=auth(tokens[who]))
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["x-content-type-options"] == "nosniff"
    for who in ("stranger", "other_department"):
        assert client.get(f"/api/v1/evidence/{evidence['id']}", headers=auth(tokens[who])).status_code == 404
    assert (
        client.get(f"/api/v1/evidence/{evidence['id']}", headers=auth(tokens["government"])).status_code
        == 403
    )
    assert client.get(f"/api/v1/evidence/{evidence['id']}").status_code == 401
    # A file attached once cannot be attached to another case by someone else.
    other = client.post("/api/v1/objections", headers=auth(tokens["operator"]),
                        json={"record_id": world["records"][2], "reason": "代为提出异议", "evidence_ids": [evidence["id"]]})  # fmt: skip
    assert other.status_code == 422


@given(st.binary(max_size=64), st.sampled_from(["pdf", "png", "jpg", "exe", "html", ""]))
def test_sniff_admits_only_allowed_content_under_its_own_extension(head: bytes, extension: str) -> None:
    name = f"file.{extension}" if extension else "file"
    try:
        kind = sniff(head, name)
    except RejectedEvidence:
        return
    assert (kind, extension) in {("pdf", "pdf"), ("png", "png"), ("jpeg", "jpg")}
    assert head.startswith({"pdf": b"%PDF-", "png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}[kind])


def test_a_refused_filing_discards_the_files_it_stored(world: dict[str, Any]) -> None:
    import io

    from factories import make_uscc
    from panshi.accounts.schemas import Principal, Role
    from panshi.accounts.service import subject_key_for
    from panshi.cases.evidence import discarded_unless_kept, store_evidence
    from panshi.cases.filing import file_objection
    from panshi.cases.schemas import ObjectionIn
    from panshi.core.errors import PanshiError

    who = Principal(role=Role.subject, actor="user:firm", subject_key=subject_key_for(make_uscc(1001)))
    with unit_of_work(write=True) as session:
        with pytest.raises(PanshiError), discarded_unless_kept(session) as stored:
            ids = [stored(store_evidence(session, who=who, filename="a.pdf", stream=io.BytesIO(PDF)))]
            file_objection(
                session,
                who=who,
                body=ObjectionIn(record_id=world["records"][1], reason="短", evidence_ids=ids),
            )
        with discarded_unless_kept(session) as stored:
            ids = [stored(store_evidence(session, who=who, filename="b.pdf", stream=io.BytesIO(PDF)))]
            file_objection(session, who=who, body=ObjectionIn(record_id=world["records"][1], reason="记录有误，附证明",
                                                              evidence_ids=ids))  # fmt: skip
    files, rows = _stored(world)
    assert rows == 1 and len(files) == 1
