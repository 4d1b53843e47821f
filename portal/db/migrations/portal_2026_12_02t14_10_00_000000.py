"""Indicator targets, and the indexes the indicator aggregates read by (event dates and statuses)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-02T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indicator targets and indexes for the indicators"

# name -> (table, columns): the indicators group events by month within a period and by status.
INDEXES = {
    "indicator_stage_change_changed_at": ("stage_change", "changed_at"),
    # Each person's stage history in order, for the stage a person was in at each month's end (LAG).
    "indicator_stage_change_history": ("stage_change", "participant, changed_at, id"),
    "indicator_referral_event_status_at": ("referral_event", "to_status, changed_at"),
    "indicator_participant_created_at": ("participant", "created_at"),
    "indicator_organisation_created_at": ("organisation", "created_at"),
    "indicator_relationship_created_at": ("relationship", "created_at"),
    "indicator_introduction_created_at": ("introduction", "created_at"),
    "indicator_introduction_event_status_at": ("introduction_event", "to_status, changed_at"),
    # A step counts unless an 'undone' event took it back: these are rare, so a partial index finds them at once.
    "indicator_referral_event_undone": ("referral_event", "referral, from_status) WHERE (kind = 'undone'"),
}


class PortalUser(Table, tablename="portal_user", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


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

    async def create_indexes():
        for name, (table, columns) in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    manager.add_table(class_name="IndicatorTarget", tablename="indicator_target", schema=None, columns=None)
    for name, column_class, params in (
        ("indicator", Varchar, _params(length=60, default="", index=True)),
        ("period_start", Date, _params(default=None, null=True)),
        ("period_end", Date, _params(default=None, null=True)),
        ("country", Varchar, _params(length=2, default="")),
        ("region", Varchar, _params(length=100, default="")),
        ("value", Integer, _params(default=0)),
        (
            "created_by",
            ForeignKey,
            _params(
                references=PortalUser,
                on_delete=OnDelete.set_null,
                on_update=OnUpdate.cascade,
                target_column=None,
                null=True,
                default=None,
            ),
        ),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ):
        manager.add_column(
            table_class_name="IndicatorTarget",
            tablename="indicator_target",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
