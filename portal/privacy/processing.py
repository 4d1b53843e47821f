"""Records of processing, generated from the tables themselves and the purposes kept beside them."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from piccolo.table import Table

from portal.db.processing import PROCESSING, Processing
from portal.settings import get_settings


@dataclass(frozen=True)
class ColumnRecord:
    name: str
    kind: str
    help_text: str


@dataclass(frozen=True)
class TableRecord:
    name: str
    description: str
    purpose: str
    legal_basis: str
    retention: str
    personal: bool
    columns: tuple[ColumnRecord, ...]


def tables() -> list[type[Table]]:
    # Imported when first asked: piccolo.conf.apps loads Piccolo's migration tooling (8 MB with
    # black), which a web worker otherwise never needs.
    from portal.db.piccolo_app import APP_CONFIG

    return list(APP_CONFIG.table_classes)


def missing_entries() -> list[str]:
    """Tables with no purpose, legal basis and retention in portal/db/processing.py."""
    return [t._meta.tablename for t in tables() if t._meta.tablename not in PROCESSING]


def _record(table: type[Table], entry: Processing, retention_days: int) -> TableRecord:
    columns = tuple(
        ColumnRecord(column._meta.name, type(column).__name__, column._meta.help_text or "")
        for column in table._meta.columns
        if column._meta.name != "id"
    )
    return TableRecord(
        name=table._meta.tablename,
        description=inspect.cleandoc(table.__doc__ or ""),
        purpose=str(entry.purpose),
        legal_basis=str(entry.legal_basis),
        retention=str(entry.retention) % {"retention_days": retention_days},
        personal=entry.personal,
        columns=columns,
    )


def records() -> list[TableRecord]:
    """Every table with its description, columns, purpose, legal basis and retention, in the reader's language.

    Personal-data tables first, then the rest, each by name.
    """
    days = get_settings().retention_days
    found = [_record(t, PROCESSING[t._meta.tablename], days) for t in tables() if t._meta.tablename in PROCESSING]
    return sorted(found, key=lambda r: (not r.personal, r.name))
