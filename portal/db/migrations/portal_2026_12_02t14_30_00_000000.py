"""Training and events (issue 14): programmes, events, organisers, materials, registrations, sign-up throttling."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Boolean,
    Bytea,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-02T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Training programmes, events, organisers, materials and registrations"


def _stub(class_name: str, tablename: str) -> type[Table]:
    """A bare table class with only its primary key, for foreign keys to point at."""
    return type(
        class_name,
        (Table,),
        {"id": Serial(null=False, primary_key=True, db_column_name="id")},
        tablename=tablename,
    )


Organisation = _stub("Organisation", "organisation")
PortalUser = _stub("PortalUser", "portal_user")
TrainingProgramme = _stub("TrainingProgramme", "training_programme")
TrainingEvent = _stub("TrainingEvent", "training_event")


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


def _fk(references: type[Table], on_delete: OnDelete, null: bool, index: bool = False):
    return _params(
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        default=None,
        index=index,
    )


def _text(length: int | None = None, index: bool = False):
    if length is None:
        return Text, _params(default="")
    return Varchar, _params(length=length, default="", index=index)


def _stamp(null: bool = False, index: bool = False):
    return Timestamptz, _params(default=None if null else TimestamptzNow(), null=null, index=index)


TABLES = {
    ("TrainingProgramme", "training_programme"): [
        ("title", *_text(200)),
        ("description", *_text()),
        ("created_at", *_stamp()),
    ],
    ("TrainingEvent", "training_event"): [
        ("programme", ForeignKey, _fk(TrainingProgramme, OnDelete.set_null, null=True)),
        ("module_number", Integer, _params(default=None, null=True)),
        ("kind", *_text(20, index=True)),
        ("title", *_text(300)),
        ("description", *_text()),
        ("topics", *_text()),
        ("language", *_text(5)),
        ("starts_at", *_stamp(index=True)),
        ("ends_at", *_stamp()),
        ("online", Boolean, _params(default=False)),
        ("online_url", *_text(500)),
        ("place_name", *_text(200)),
        ("municipality", *_text(100)),
        ("country", *_text(2)),
        ("region", *_text(100, index=True)),
        ("latitude", DoublePrecision, _params(default=None, null=True)),
        ("longitude", DoublePrecision, _params(default=None, null=True)),
        ("capacity", Integer, _params(default=0)),
        ("places_taken", Integer, _params(default=0)),
        ("registration_deadline", *_stamp(null=True)),
        ("status", *_text(20, index=True)),
        ("created_by", ForeignKey, _fk(PortalUser, OnDelete.set_null, null=True)),
        ("created_at", *_stamp()),
        ("updated_at", *_stamp()),
    ],
    ("TrainingEventOrganiser", "training_event_organiser"): [
        ("event", ForeignKey, _fk(TrainingEvent, OnDelete.cascade, null=False, index=True)),
        ("organisation", ForeignKey, _fk(Organisation, OnDelete.cascade, null=False, index=True)),
    ],
    ("TrainingMaterial", "training_material"): [
        ("event", ForeignKey, _fk(TrainingEvent, OnDelete.cascade, null=False, index=True)),
        ("title", *_text(200)),
        ("url", *_text(500)),
        ("file_name", *_text(200)),
        ("content_type", *_text(100)),
        ("size", Integer, _params(default=0)),
        ("data", Bytea, _params(default=None, null=True)),
        ("created_at", *_stamp()),
    ],
    ("TrainingRegistration", "training_registration"): [
        ("event", ForeignKey, _fk(TrainingEvent, OnDelete.cascade, null=False, index=True)),
        ("user", ForeignKey, _fk(PortalUser, OnDelete.cascade, null=True, index=True)),
        ("organisation", ForeignKey, _fk(Organisation, OnDelete.set_null, null=True, index=True)),
        ("name", *_text(200)),
        ("email", *_text(254)),
        ("organisation_name", *_text(200)),
        ("status", *_text(20, index=True)),
        ("waitlist_position", Integer, _params(default=None, null=True)),
        ("attended", Boolean, _params(default=None, null=True)),
        ("attendance_recorded_at", *_stamp(null=True)),
        ("registered_at", *_stamp()),
        ("cancelled_at", *_stamp(null=True)),
        ("language", *_text(5)),
        ("registered_by", ForeignKey, _fk(PortalUser, OnDelete.set_null, null=True)),
        ("consent_at", *_stamp(null=True)),
    ],
    ("TrainingSignupAttempt", "training_signup_attempt"): [
        ("address", *_text(64, index=True)),
        ("attempted_at", *_stamp(index=True)),
    ],
}


class _TrainingMigrationManager(MigrationManager):
    """Creates the composite unique index once the new tables exist (raw steps run before them)."""

    async def _run_add_tables(self, backwards: bool = False):
        await super()._run_add_tables(backwards=backwards)
        if not backwards:
            # One registration per staff member and event; NULL users (external people) stay distinct.
            await engine_finder().run_ddl(
                "CREATE UNIQUE INDEX IF NOT EXISTS training_registration_event_user "
                'ON training_registration (event, "user")'
            )


async def forwards():
    manager = _TrainingMigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
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
