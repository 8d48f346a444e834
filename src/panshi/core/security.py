"""Security primitives: keyed hashes of personal identifiers and API token hashing."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def person_key(secret: bytes, identity: str) -> str:
    """The stable, non-reversible key of a natural person (HMAC of the normalised ID number)."""
    return hmac.new(secret, identity.encode(), hashlib.sha256).hexdigest()[:40]


def new_token() -> str:
    return "ps_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
