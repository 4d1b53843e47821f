"""Placements (issue 12): attendance weeks, absence alerts, graduated responses, mentors; the constraints a
manual referral broke; folded names with "dj" read as "đ"."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-02T14:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Placement attendance, absence alerts, responses and mentors; referral constraints; name folding"


def _stub(class_name: str, tablename: str) -> type[Table]:
    """A bare table class with only its primary key, for foreign keys to point at."""
    return type(
        class_name,
        (Table,),
        {"id": Serial(null=False, primary_key=True, db_column_name="id")},
        tablename=tablename,
    )


PortalUser = _stub("PortalUser", "portal_user")
Participant = _stub("Participant", "participant")
Referral = _stub("Referral", "referral")
AbsenceAlert = _stub("AbsenceAlert", "absence_alert")


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
    return ForeignKey, _params(
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        default=None,
        index=index,
    )


def _text(length: int | None = None):
    return (Text, _params(default="")) if length is None else (Varchar, _params(length=length, default=""))


def _date(null: bool = False):
    return Date, _params(default=None, null=null)


def _stamp(null: bool = False, index: bool = False):
    return Timestamptz, _params(default=None, null=null, index=index)


TABLES = {
    ("AttendanceWeek", "attendance_week"): [
        ("referral", *_fk(Referral, OnDelete.cascade, null=False, index=True)),
        ("week_start", *_date()),
        ("status", *_text(12)),
        ("note", *_text()),
        ("recorded_by", *_fk(PortalUser, OnDelete.restrict, null=False)),
        ("recorded_at", *_stamp()),
    ],
    ("AbsenceAlert", "absence_alert"): [
        ("referral", *_fk(Referral, OnDelete.cascade, null=False, index=True)),
        ("participant", *_fk(Participant, OnDelete.cascade, null=False, index=True)),
        ("weeks", Integer, _params(default=0)),
        ("last_week", *_date()),
        ("raised_at", *_stamp()),
        ("closed_at", *_stamp(null=True, index=True)),
    ],
    ("AttendanceResponse", "attendance_response"): [
        ("participant", *_fk(Participant, OnDelete.cascade, null=False, index=True)),
        ("referral", *_fk(Referral, OnDelete.cascade, null=True)),
        ("alert", *_fk(AbsenceAlert, OnDelete.set_null, null=True)),
        ("step", *_text(20)),
        ("note", *_text()),
        ("decided_by", *_fk(PortalUser, OnDelete.restrict, null=False)),
        ("decided_on", *_date()),
        ("recorded_at", *_stamp()),
    ],
    ("PlacementMentor", "placement_mentor"): [
        ("referral", *_fk(Referral, OnDelete.cascade, null=False, index=True)),
        ("user", *_fk(PortalUser, OnDelete.set_null, null=True)),
        ("name", *_text(200)),
        ("contact", *_text(200)),
        ("named_by", *_fk(PortalUser, OnDelete.restrict, null=False)),
        ("named_at", *_stamp()),
    ],
}


class _Manager(MigrationManager):
    """Creates the composite unique index once the new tables exist (raw steps run before them)."""

    async def _run_add_tables(self, backwards: bool = False):
        await super()._run_add_tables(backwards=backwards)
        if not backwards:
            # One attendance row per placement and week: a second save of a week updates it.
            await engine_finder().run_ddl(
                "CREATE UNIQUE INDEX IF NOT EXISTS attendance_week_referral_week ON attendance_week (referral, week_start)"
            )
            # One open absence alert per placement, even when two saves of a week race.
            await engine_finder().run_ddl(
                "CREATE UNIQUE INDEX IF NOT EXISTS absence_alert_one_open ON absence_alert (referral) WHERE closed_at IS NULL"
            )


async def forwards():
    manager = _Manager(migration_id=ID, app_name="portal", description=DESCRIPTION)
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
    manager.add_column(
        table_class_name="ReferralEvent",
        tablename="referral_event",
        column_name="constraints",
        db_column_name="constraints",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=200, default=""),
        schema=None,
    )

    async def refold_names():
        # Folded names now read "dj" as "đ" (portal.geo.fold_name): both fold to "d". Only names that
        # hold "dj" change, and the new value is the old one with "dj" replaced, on both engines.
        await engine_finder().run_ddl(
            "UPDATE participant SET name_search = replace(name_search, 'dj', 'd') WHERE name_search LIKE '%dj%'"
        )

    manager.add_raw(refold_names)
    return manager
