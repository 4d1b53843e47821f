"""What-if network plans (issue 19): a named plan, its hypothetical places and the opportunities it removes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import DoublePrecision, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-02T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "What-if network plans, their hypothetical places and removals"


def _stub(class_name: str, tablename: str) -> type[Table]:
    """A bare table class with only its primary key, for foreign keys to point at."""
    return type(
        class_name,
        (Table,),
        {"id": Serial(null=False, primary_key=True, db_column_name="id")},
        tablename=tablename,
    )


PortalUser = _stub("PortalUser", "portal_user")
Opportunity = _stub("Opportunity", "opportunity")
NetworkPlan = _stub("NetworkPlan", "network_plan")


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


def _fk(references: type[Table], on_delete: OnDelete, index: bool = False):
    return ForeignKey, _params(
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=False,
        default=None,
        index=index,
    )


def _text(length: int | None = None, default: str = ""):
    return (Text, _params(default=default)) if length is None else (Varchar, _params(length=length, default=default))


def _stamp(null: bool = False):
    return Timestamptz, _params(default=None, null=null)


TABLES = {
    ("NetworkPlan", "network_plan"): [
        ("name", *_text(200)),
        ("created_by", *_fk(PortalUser, OnDelete.restrict)),
        ("created_at", *_stamp()),
        ("updated_at", *_stamp()),
        ("status", *_text(10, "draft")),
        ("progress", Integer, _params(default=0)),
        ("started_at", *_stamp(null=True)),
        ("finished_at", *_stamp(null=True)),
        ("error", *_text()),
        ("result", *_text()),
    ],
    ("NetworkPlanPlace", "network_plan_place"): [
        ("plan", *_fk(NetworkPlan, OnDelete.cascade, index=True)),
        ("kind", *_text(40)),
        ("support_offered", *_text(300)),
        ("languages", *_text(100)),
        ("hours_per_week", Integer, _params(default=0)),
        ("capacity", Integer, _params(default=0)),
        ("country", *_text(2)),
        ("region", *_text(100)),
        ("municipality", *_text(100)),
        ("latitude", DoublePrecision, _params(default=0.0)),
        ("longitude", DoublePrecision, _params(default=0.0)),
    ],
    ("NetworkPlanRemoval", "network_plan_removal"): [
        ("plan", *_fk(NetworkPlan, OnDelete.cascade, index=True)),
        ("opportunity", *_fk(Opportunity, OnDelete.cascade)),
    ],
}


class _Manager(MigrationManager):
    """Creates the composite unique index once the new tables exist (raw steps run before them)."""

    async def _run_add_tables(self, backwards: bool = False):
        await super()._run_add_tables(backwards=backwards)
        if not backwards:
            # A plan removes an opportunity once: removing it again changes nothing.
            await engine_finder().run_ddl(
                "CREATE UNIQUE INDEX IF NOT EXISTS network_plan_removal_once "
                "ON network_plan_removal (plan, opportunity)"
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
    return manager
