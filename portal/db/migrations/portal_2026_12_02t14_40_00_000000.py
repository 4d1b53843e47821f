"""Training reminders (issue 14): one row per registration reminded the day before its event."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T14:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Training reminders sent"

TrainingRegistration = type(
    "TrainingRegistration",
    (Table,),
    {"id": Serial(null=False, primary_key=True, db_column_name="id")},
    tablename="training_registration",
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
        "registration",
        ForeignKey,
        _params(
            references=TrainingRegistration,
            on_delete=OnDelete.cascade,
            on_update=OnUpdate.cascade,
            target_column=None,
            default=None,
            unique=True,
        ),
    ),
    ("sent_at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    manager.add_table(class_name="TrainingReminder", tablename="training_reminder", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="TrainingReminder",
            tablename="training_reminder",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
