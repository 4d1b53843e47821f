"""The indicators' monthly summaries of the referral funnel and of referral steps (triggers follow in 08:21).

Rebuilt with the other monthly summaries by the summary job (portal/indicators/monthly.py), read only
while their state row says they are fresh.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T08:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indicators' monthly summaries of the referral funnel and steps"


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
    tables = {
        ("IndicatorFunnelMonth", "indicator_funnel_month"): [
            ("month", Varchar, _params(length=7, default="")),
            ("until", Varchar, _params(length=7, default="")),
            ("country", Varchar, _params(length=2, default="")),
            ("region", Varchar, _params(length=100, default="")),
            ("status", Varchar, _params(length=20, default="")),
            ("days", Integer, _params(default=None, null=True)),
            ("organisation", Integer, _params(default=0)),
            ("referrals", Integer, _params(default=0)),
        ],
        ("IndicatorStepMonth", "indicator_step_month"): [
            ("month", Varchar, _params(length=7, default="")),
            ("until", Varchar, _params(length=7, default="")),
            ("status", Varchar, _params(length=20, default="")),
            ("kind", Varchar, _params(length=40, default="")),
            ("country", Varchar, _params(length=2, default="")),
            ("region", Varchar, _params(length=100, default="")),
            ("destination", Varchar, _params(length=2, default="")),
            ("organisation", Integer, _params(default=0)),
            ("referrals", Integer, _params(default=0)),
        ],
    }
    for (class_name, tablename), columns in tables.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager
