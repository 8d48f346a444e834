"""Fixtures of the notice tests: the objection world."""

from cases.helpers import world

__all__ = ["world"]
