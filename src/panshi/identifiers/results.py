"""The outcome of checking one identifier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from panshi.identifiers.rules import KIND_LABELS


@dataclass(frozen=True)
class Issue:
    """One problem found in a code: a stable English `code` and a Chinese `message` for the clerk."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class IdCheck:
    """What a check found: the kind, the input as given, its normal form, errors and warnings.

    `valid` is true when there are no errors; warnings never make a code invalid.
    """

    kind: str
    input: str
    normal: str
    valid: bool
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()

    @property
    def kind_label(self) -> str:
        """Chinese name of the kind, e.g. 统一社会信用代码."""
        return KIND_LABELS[self.kind]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "input": self.input,
            "normal": self.normal,
            "valid": self.valid,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": [issue.to_dict() for issue in self.warnings],
        }
