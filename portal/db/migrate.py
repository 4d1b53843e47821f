"""Apply the committed migrations to whichever engine the settings name."""

from piccolo.apps.migrations.commands.forwards import run_forwards

from portal.db.engine import prepare_sqlite


async def migrate_database() -> None:
    from portal.db.piccolo_conf import DB

    await prepare_sqlite(DB)
    result = await run_forwards(app_name="portal")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}")
