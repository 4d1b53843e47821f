"""Referral dates and notes: when a placement started and ended, when the host opened it; each event's note, date and kind."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Referral start and end dates, event notes and undo"


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
    for name, column_class, params in (
        ("started_on", Date, _params(default=None, null=True)),
        ("ended_on", Date, _params(default=None, null=True)),
        ("host_opened_at", Timestamptz, _params(default=None, null=True)),
    ):
        manager.add_column(
            table_class_name="Referral",
            tablename="referral",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    for name, column_class, params in (
        ("note", Text, _params(default="")),
        ("happened_on", Date, _params(default=None, null=True)),
        ("kind", Varchar, _params(length=20, default="step")),
    ):
        manager.add_column(
            table_class_name="ReferralEvent",
            tablename="referral_event",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
