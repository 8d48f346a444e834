"""Column types that map to the best type of each engine."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects import postgresql

# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JSONDoc = JSON().with_variant(postgresql.JSONB(), "postgresql")
# JSON kept as sent and only ever read back whole (json on PostgreSQL: no jsonb parsing on write).
JSONText = JSON()
# 64-bit keys on PostgreSQL; SQLite's rowid alias must be exactly INTEGER to autoincrement.
BigId = BigInteger().with_variant(Integer(), "sqlite")
UTCDateTime = DateTime(timezone=True)
