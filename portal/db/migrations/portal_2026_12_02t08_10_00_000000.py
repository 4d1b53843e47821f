"""password_reset_request: "forgot your password" requests, counted for throttling by address and by account."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T08:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Password reset requests"


def _params(**overrides):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": True,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **overrides,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    manager.add_table(class_name="PasswordResetRequest", tablename="password_reset_request", schema=None, columns=None)
    for name, column_class, params in (
        ("address", Varchar, _params(length=64, default="")),
        ("username", Varchar, _params(length=100, default="")),
        ("requested_at", Timestamptz, _params(default=TimestamptzNow())),
    ):
        manager.add_column(
            table_class_name="PasswordResetRequest",
            tablename="password_reset_request",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
