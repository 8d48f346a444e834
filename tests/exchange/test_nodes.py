"""Node identity: keys made once (0600, never in the database), peers checked against the tiers."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from panshi.cli import app
from panshi.core.db import unit_of_work
from panshi.core.errors import PanshiError
from panshi.exchange.nodes import add_peer, contains, init_node, level_of, own_signer
from panshi.exchange.signing import SCHEMES, check_public_key, verify

runner = CliRunner()
CITY_KEY = "ed25519:" + "A" * 43 + "="


def test_levels_and_areas_follow_the_region_codes() -> None:
    assert [level_of(c) for c in ("220000", "220200", "220284")] == ["province", "city", "county"]
    assert contains("220000", "province", "220284") and contains("220200", "city", "220284")
    assert not contains("220200", "city", "220302") and not contains("220284", "county", "220281")


def test_init_makes_a_private_key_file_once_and_rotates_only_when_asked(
    engine: Engine, key_dir: Path
) -> None:
    first = runner.invoke(app, ["node", "init", "--region", "220284", "--name", "磐石市"])
    assert first.exit_code == 0, first.output
    [key_file] = key_dir.iterdir()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    pem = key_file.read_bytes()
    shown = json.loads(runner.invoke(app, ["node", "show", "--json"]).output)
    assert shown["region_code"] == "220284" and shown["level"] == "county"
    assert check_public_key(shown["public_key"]) == shown["public_key"]
    with unit_of_work(engine) as s:  # the private key never reaches the database
        dump = " ".join(str(v) for v in s.execute(text("SELECT * FROM exchange_nodes")).one())
    assert "PRIVATE" not in dump and pem.decode() not in dump
    again = runner.invoke(app, ["node", "init", "--region", "220284"])
    assert again.exit_code == 0 and "未作改动" in again.output and key_file.read_bytes() == pem
    other = runner.invoke(app, ["node", "init", "--region", "220200"])
    assert other.exit_code == 1 and "不能改为" in other.output
    rotated = runner.invoke(app, ["node", "init", "--region", "220284", "--rotate"])
    assert rotated.exit_code == 0 and "已更换密钥" in rotated.output
    assert key_file.read_bytes() != pem and any(
        p.name.startswith(key_file.name + ".retired") for p in key_dir.iterdir()
    )
    with unit_of_work(engine) as s:
        own, signer = own_signer(s)
        assert verify(own.public_key, b"message", signer.sign(b"message"))
        assert own.public_key != shown["public_key"]


@pytest.mark.parametrize(
    ("region", "relation", "key", "problem"),
    [
        ("220281", "child", CITY_KEY, "辖区"),  # a county is not below a county
        ("220302", "parent", CITY_KEY, "上级"),  # 四平市 is not above 磐石市
        ("220200", "peer", CITY_KEY, "上下级"),
        ("220200", "parent", "ed25519:bm90IGEga2V5", "公钥"),
        ("220200", "parent", "rsa:AAAA", "公钥"),
        ("22020", "parent", CITY_KEY, "6 位数字"),
        ("220284", "parent", CITY_KEY, "本节点"),
    ],
)
def test_a_peer_that_does_not_fit_is_refused(
    engine: Engine, region: str, relation: str, key: str, problem: str
) -> None:
    with unit_of_work(engine, write=True) as s:
        init_node(s, region="220284", name=None)
    with pytest.raises(PanshiError) as refused, unit_of_work(engine, write=True) as s:
        add_peer(s, region=region, relation=relation, url="https://jilin.example", public_key=key)
    assert problem in refused.value.message


def test_parent_child_and_peer_are_registered_and_listed(engine: Engine) -> None:
    with unit_of_work(engine, write=True) as s:
        init_node(s, region="220200", name=None)
    key = SCHEMES["ed25519"]
    assert key.name == "ed25519"
    for region, relation in (("220000", "parent"), ("220284", "child"), ("220300", "peer")):
        result = runner.invoke(
            app,
            [
                "node",
                "add-peer",
                region,
                "--relation",
                relation,
                "--url",
                "http://127.0.0.1:8001/",
                "--public-key",
                CITY_KEY,
            ],
        )
        assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["node", "peers", "--json"]).output)
    assert [(p["node"]["region_code"], p["node"]["relation"], p["lag"]) for p in listed] == [
        ("220000", "parent", 0), ("220284", "child", 0), ("220300", "peer", 0),
    ]  # fmt: skip
    assert listed[0]["node"]["base_url"] == "http://127.0.0.1:8001"


def test_nothing_works_before_init(engine: Engine) -> None:
    result = runner.invoke(app, ["node", "show"])
    assert result.exit_code == 1 and "panshi node init" in result.output
