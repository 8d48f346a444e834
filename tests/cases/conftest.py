"""Fixtures of the objection and repair tests (see helpers.py)."""

from cases.helpers import world

__all__ = ["world"]
