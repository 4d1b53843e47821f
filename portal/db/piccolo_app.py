"""The Piccolo app holding the portal's tables and its migration stream."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="portal",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=["portal.db.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
