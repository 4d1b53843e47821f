"""Exports built by a job (issue 13): the HSDS directory and the network files, kept in the database for their asker."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Bytea, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T17:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Exports built by a job and kept for the person who asked"

PortalUser = type(
    "PortalUser", (Table,), {"id": Serial(null=False, primary_key=True, db_column_name="id")}, tablename="portal_user"
)


def _params(**overrides):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **overrides,
    }


COLUMNS = [
    (
        "requested_by",
        ForeignKey,
        _params(
            references=PortalUser,
            on_delete=OnDelete.cascade,
            on_update=OnUpdate.cascade,
            target_column=None,
            default=None,
            index=True,
        ),
    ),
    ("kind", Varchar, _params(length=20, default="")),
    ("format", Varchar, _params(length=10, default="")),
    ("status", Varchar, _params(length=10, default="running")),
    ("error", Text, _params(default="")),
    ("created_at", Timestamptz, _params(default=None)),
    ("finished_at", Timestamptz, _params(default=None, null=True)),
    ("expires_at", Timestamptz, _params(default=None, index=True)),
    ("filename", Varchar, _params(length=100, default="")),
    ("size", Integer, _params(default=0)),
    ("content", Bytea, _params(default=None, null=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    manager.add_table(class_name="ExportFile", tablename="export_file", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="ExportFile",
            tablename="export_file",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
