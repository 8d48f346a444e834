"""Evaluation fixtures: the console's accounts and browsers, for the pages that show grades."""

from console.conftest import new_browser, world  # noqa: F401 - fixtures shared with the console tests
