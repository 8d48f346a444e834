"""Masking of personal data in public views."""

from __future__ import annotations


def mask_person_name(name: str) -> str:
    """Keep the first character of a natural person's name: 张三 -> 张*, 欧阳明华 -> 欧***."""
    name = name.strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)
