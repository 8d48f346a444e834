"""Configuration data in YAML, validated by pydantic, with faults that name the file, line and entry.

A fault reads `file 第 N 行 path（entry code）：message`, e.g.
`measures-2026.1.yaml 第 79 行 measures[4]（P05）.scenarios[0]：未知的应用场景 'land'`: the line is the one
of the deepest node of `path` that the file has (the entry itself when the faulty key is missing).
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, SequenceNode

from panshi.core.errors import PanshiError

Loc = tuple[Any, ...]


def load_yaml(text: str, filename: str, *, error: type[PanshiError]) -> tuple[Any, Node | None]:
    """The document and its node tree (for line numbers); invalid YAML raises `error` with its line."""
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" 第 {mark.line + 1} 行" if mark else ""
        raise error(f"{filename}{where}：不是有效的 YAML（{getattr(exc, 'problem', exc)}）") from None


def validated(model: type[BaseModel], text: str, filename: str, *, error: type[PanshiError]) -> Any:
    """`text` parsed and validated as `model`; every fault raises `error` naming file, line and entry."""
    raw, tree = load_yaml(text, filename, error=error)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        faults = [fault_at(filename, tree, raw, tuple(e["loc"]), e["msg"]) for e in exc.errors()]
        raise error("；\n".join(faults)) from None


def located(faults: list[tuple[Loc, str]], text: str, filename: str) -> list[str]:
    """Faults found after validation (cross-references), each as `file 第 N 行 path：message`."""
    if not faults:
        return []
    tree, raw = yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    return [fault_at(filename, tree, raw, loc, message) for loc, message in faults]


def fault_at(filename: str, tree: Node | None, raw: Any, loc: Loc, message: str) -> str:
    """`file 第 N 行 path（entry code）：message` for an error at `loc`."""
    node, value, path = tree, raw, ""
    line = tree.start_mark.line + 1 if tree is not None else 1
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        child = _child(node, part)
        if isinstance(value, dict | list):
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                value = None
            if isinstance(value, dict) and value.get("code") and isinstance(part, int):
                path += f"（{value['code']}）"
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return f"{filename} 第 {line} 行 {path}：{message}"


def _child(node: Node | None, part: Any) -> Node | None:
    if isinstance(node, MappingNode):
        return next((v for k, v in node.value if k.value == str(part)), None)
    if isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None
