"""Backups: `portal backup FILE` and `portal restore FILE`, one portable format for SQLite and PostgreSQL."""
