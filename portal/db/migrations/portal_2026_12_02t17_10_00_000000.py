"""The indicators' monthly summaries (stage changes, first placements) and their state row (triggers follow).

The summary holds whole past months per case scope; the summary job (portal/indicators/monthly.py)
rebuilds it in one transaction, and the page reads it only while its state says it is fresh.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indicators' monthly summaries and their state"


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


def _add_table(manager, class_name, tablename, columns):
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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    _add_table(
        manager,
        "IndicatorStageMonth",
        "indicator_stage_month",
        [
            ("month", Varchar, _params(length=7, default="", index=True)),
            ("stage", Varchar, _params(length=20, default="")),
            ("country", Varchar, _params(length=2, default="")),
            ("region", Varchar, _params(length=100, default="")),
            ("organisation", Integer, _params(default=0)),
            ("moves", Integer, _params(default=0)),
        ],
    )
    _add_table(
        manager,
        "IndicatorFirstPlacementMonth",
        "indicator_first_placement_month",
        [
            ("month", Varchar, _params(length=7, default="", index=True)),
            ("country", Varchar, _params(length=2, default="")),
            ("region", Varchar, _params(length=100, default="")),
            ("organisation", Integer, _params(default=0)),
            ("days", Integer, _params(default=0)),
            ("people", Integer, _params(default=0)),
        ],
    )
    _add_table(
        manager,
        "IndicatorSummaryState",
        "indicator_summary_state",
        [
            ("name", Varchar, _params(length=40, default="", unique=True)),
            ("boundary", Varchar, _params(length=7, default="")),
            ("changes", Integer, _params(default=0)),
            ("summarised_changes", Integer, _params(default=0)),
            ("refreshed_at", Timestamptz, _params(default=None, null=True)),
        ],
    )
    return manager
