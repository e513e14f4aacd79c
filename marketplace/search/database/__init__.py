"""The database search backend (SQLite FTS5 or PostgreSQL full-text search)."""

from marketplace.search.database.backend import DatabaseBackend

__all__ = ["DatabaseBackend"]
