"""Fixtures of the report tests (see helpers.py)."""

from reports.helpers import county

__all__ = ["county"]
