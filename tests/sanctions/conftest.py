"""Fixtures of the list and check tests (see helpers.py)."""

from sanctions.helpers import world

__all__ = ["world"]
