"""participant.pseudonymised_at and pseudonymised_reason: erasure and retention leave a read-only, pseudonymous case."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Pseudonymised participants"


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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Participant",
        tablename="participant",
        column_name="pseudonymised_at",
        db_column_name="pseudonymised_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(default=None, null=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="Participant",
        tablename="participant",
        column_name="pseudonymised_reason",
        db_column_name="pseudonymised_reason",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=300, default=""),
        schema=None,
    )
    return manager
