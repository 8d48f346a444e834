"""Catalog documents: publish validates and refuses, receive installs once, loading sees installed versions."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from catalog.helpers import (
    NEW,
    NEW_LIST,
    PACKAGE,
    body,
    catalog_files,
    fresh_snapshots,
    sanctions_files,
    with_extra_measure,
    with_new_list,
    write,
)
from panshi.catalog import documents, installed, repository
from panshi.catalog import service as record_catalogs
from panshi.catalog.models import CatalogDocument
from panshi.cli import app
from panshi.core.db import unit_of_work
from panshi.core.settings import get_settings
from panshi.core.timeutil import utcnow
from panshi.exchange.models import ExchangeMessage
from panshi.sanctions import catalog as sanctions_catalogs

__all__ = ["fresh_snapshots"]
runner = CliRunner()


def _publish(paths: list[Path]) -> documents.Installation:
    with unit_of_work(write=True) as session:
        return documents.publish(session, documents=documents.documents_from_files(paths))


def _receive(message: dict[str, Any], origin: str = "220000") -> str:
    with unit_of_work(write=True) as session:
        return documents.receive(session, message, origin=origin)


def _count() -> int:
    with unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(CatalogDocument)) or 0


def test_publish_installs_a_new_measures_version_that_load_then_uses(engine: Engine, tmp_path: Path) -> None:
    assert sanctions_catalogs.load().version == PACKAGE
    done = _publish(write(tmp_path, sanctions_files(measures=with_extra_measure)))
    assert [d.label for d in done.installed] == [
        f"名单类型与措施清单 {NEW}"
    ] and not done.posted  # no node set up
    loaded = sanctions_catalogs.load()
    assert loaded.version == NEW and "P99" in loaded.measures
    assert (
        sanctions_catalogs.load(PACKAGE).version == PACKAGE
        and "P99" not in sanctions_catalogs.load(PACKAGE).measures
    )
    assert sanctions_catalogs.available_versions() == [PACKAGE, NEW]
    with unit_of_work() as session:
        (row,) = documents.installed_documents(session)
    assert (row.kind, row.version, row.origin_region) == ("sanctions", NEW, None)
    assert row.sha256 == documents.content_sha256(row.files)


def test_the_same_document_again_changes_nothing_and_another_content_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    paths = write(tmp_path, sanctions_files(measures=with_extra_measure))
    _publish(paths)
    again = _publish(paths)
    assert not again.installed and [d.version for d in again.present] == [NEW]
    assert "未变" in again.summary()
    changed = tmp_path / "other"
    changed.mkdir()
    with pytest.raises(
        documents.VersionConflict, match=f"名单类型与措施清单 {NEW} 已存在（本节点已安装的版本）"
    ):
        _publish(write(changed, sanctions_files()))  # 2026.2 without P99
    assert _count() == 1


def test_a_package_version_with_other_content_is_refused_and_the_package_file_itself_is_present(
    engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(documents.VersionConflict, match="随软件发布的版本"):
        _publish(write(tmp_path, sanctions_files(PACKAGE, measures=with_extra_measure)))
    package = tmp_path / "package"
    package.mkdir()
    done = _publish(write(package, sanctions_catalogs.package_files(PACKAGE)))
    assert not done.installed and [d.version for d in done.present] == [PACKAGE]
    assert _count() == 0


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"measures-2026.2.yaml": "version: '2026.2'\n"}, "缺少 list-types-2026.2.yaml"),
        ({"lists.yaml": "x: 1\n"}, "文件名应为 catalog-<版本>.yaml"),
        ({"catalog-v2.yaml": "x: 1\n"}, "版本号 'v2' 应为数字"),
        ({"catalog-2026.2.yaml": "version: [\n"}, "catalog-2026.2.yaml 第 2 行：不是有效的 YAML"),
        (
            {"catalog-2026.2.yaml": "version: '2026.2'\nrecord_types: 3\n"},
            "catalog-2026.2.yaml 第 2 行 record_types",
        ),
    ],
)
def test_malformed_documents_are_refused_with_the_file_at_fault(
    engine: Engine, tmp_path: Path, files: dict[str, str], message: str
) -> None:
    with pytest.raises(documents.DocumentFault, match=message):
        _publish(write(tmp_path, files))
    assert _count() == 0


def test_a_measures_fault_names_file_line_and_entry(engine: Engine, tmp_path: Path) -> None:
    def bad_scenario(data: dict[str, Any]) -> None:
        data["measures"][4]["scenarios"] = ["land"]

    with pytest.raises(
        documents.DocumentFault, match=r"measures-2026\.2\.yaml 第 \d+ 行 measures\[4\]（P05）.*'land'"
    ):
        _publish(write(tmp_path, sanctions_files(measures=bad_scenario)))

    def declared_elsewhere(data: dict[str, Any]) -> None:
        data["version"] = "2026.3"

    other = tmp_path / "b"
    other.mkdir()
    with pytest.raises(documents.DocumentFault, match="版本"):
        _publish(write(other, sanctions_files(lists=declared_elsewhere, measures=declared_elsewhere)))
    assert _count() == 0


def test_a_new_list_type_needs_its_record_catalog_and_both_are_published_together(
    engine: Engine, tmp_path: Path
) -> None:
    lists = write(tmp_path, sanctions_files(lists=with_new_list))
    with pytest.raises(documents.DocumentFault, match="list_entry.list_type 取值不一致"):
        _publish(lists)
    catalog_only = tmp_path / "catalog"
    catalog_only.mkdir()
    with pytest.raises(documents.DocumentFault, match="与本节点现行的名单类型与措施清单 2026.1 不一致"):
        _publish(write(catalog_only, catalog_files(new_list=True)))
    done = _publish([*lists, *write(catalog_only, catalog_files(new_list=True))])
    assert [d.kind for d in done.installed] == ["catalog", "sanctions"]  # the record catalog first
    assert record_catalogs.load_catalog().version == NEW
    assert NEW_LIST["code"] in sanctions_catalogs.load().list_types
    assert record_catalogs.available_versions() == (PACKAGE, NEW)


def test_receive_installs_once_and_refuses_what_it_cannot_trust(engine: Engine) -> None:
    message = body("sanctions", NEW, sanctions_files(measures=with_extra_measure))
    assert _receive(message) == f"已安装 名单类型与措施清单 {NEW}（来自 220000）"
    assert _receive(message) == f"已有且内容相同，未变 名单类型与措施清单 {NEW}"
    assert "P99" in sanctions_catalogs.load().measures
    with pytest.raises(documents.VersionConflict, match="来自 220000"):
        _receive(body("sanctions", NEW, sanctions_files()))
    tampered = body("sanctions", "2026.3", sanctions_files("2026.3"))
    tampered["documents"][0]["files"]["measures-2026.3.yaml"] += "# 改动\n"
    with pytest.raises(documents.DocumentFault, match="sha256 不符"):
        _receive(tampered)
    with pytest.raises(documents.DocumentFault, match="没有文档"):
        _receive({"documents": []})
    with unit_of_work() as session:
        assert [(d.version, d.origin_region) for d in documents.installed_documents(session)] == [
            (NEW, "220000")
        ]


def test_a_bare_document_is_a_message_of_one(engine: Engine) -> None:
    (document,) = body("catalog", NEW, catalog_files())["documents"]
    assert _receive(document) == f"已安装 信用信息目录 {NEW}（来自 220000）"
    assert record_catalogs.load_catalog().version == NEW


def test_publish_at_a_node_posts_the_new_documents_to_flow_down(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from panshi.exchange.nodes import init_node

    monkeypatch.setenv("PANSHI_NODE_KEY_DIR", str(tmp_path / "keys"))
    get_settings.cache_clear()
    with unit_of_work(write=True) as session:
        init_node(session, region="220000", name="吉林省公共信用信息平台")
    paths = write(tmp_path, sanctions_files(measures=with_extra_measure))
    assert _publish(paths).posted
    assert not _publish(paths).posted  # nothing new: nothing sent again
    with unit_of_work() as session:
        messages = list(session.scalars(select(ExchangeMessage)))
        (row,) = documents.installed_documents(session)
    assert [(m.kind, m.target_region, m.origin_region) for m in messages] == [("document", None, "220000")]
    assert row.origin_region == "220000"
    # What the nodes below receive installs the same document.
    (sent,) = messages[0].body["documents"]
    assert (sent["kind"], sent["version"], sent["sha256"]) == ("sanctions", NEW, row.sha256)
    assert documents.documents_of(messages[0].body)[0].files == row.files


def test_another_process_install_is_seen_within_the_refresh_interval(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sanctions_catalogs.load().version == PACKAGE  # this process's snapshot, fresh now
    files = sanctions_files(measures=with_extra_measure)
    with unit_of_work(write=True) as session:  # as another process would: no notice to this one
        repository.add(
            session, kind="sanctions", version=NEW, files=files, sha256=documents.content_sha256(files),
            origin_region="220000", installed_at=utcnow(),
        )  # fmt: skip
    assert sanctions_catalogs.load().version == PACKAGE
    later = time.monotonic() + installed.REFRESH_SECONDS + 0.1
    monkeypatch.setattr(installed, "time", SimpleNamespace(monotonic=lambda: later))
    assert sanctions_catalogs.load().version == NEW


def test_cli_publish_and_versions(engine: Engine, tmp_path: Path) -> None:
    paths = [str(p) for p in write(tmp_path, sanctions_files(measures=with_extra_measure))]
    result = runner.invoke(app, ["catalog", "publish", *paths])
    assert result.exit_code == 0, result.output
    assert f"已安装 名单类型与措施清单 {NEW}" in result.output and "只在本节点生效" in result.output
    listed = runner.invoke(app, ["catalog", "versions"])
    assert listed.exit_code == 0, listed.output
    assert f"{NEW}\t现行\t" in listed.output and "安装自 本节点" in listed.output
    bad = tmp_path / "bad"
    bad.mkdir()
    refused = runner.invoke(app, ["catalog", "publish", *map(str, write(bad, sanctions_files()))])
    assert refused.exit_code == 1 and "已存在" in refused.output
