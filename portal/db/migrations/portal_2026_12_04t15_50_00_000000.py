"""Two indexes that pages at a country's scale read on every visit.

The directory's order by name: the first 100 characters of ``search_text``, then ``id``.
``search_text`` starts with the folded name but also holds the description (up to 5,000
characters): too long for a B-tree entry on PostgreSQL, and sorting it read and compared every
row. At a country's scale (20,000 organisations) the first directory page took 50-80 ms to sort;
walking this index it takes under a millisecond. The lists order by the same expression.

The unread notifications of a user, which every page counts for its badge: the indexes of the user
and of the read flag served it by reading all of a user's notifications (35 ms for one with 3,500,
0.15 ms with this one). Partial: only the unread are indexed, a small part of the table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T15:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes of the directory's order and of unread notifications"

INDEXES = {
    # The expression must match portal.organisations.services.ORDER_KEY exactly for the index to serve it.
    "organisation_order_key": "organisation ((substr(search_text, 1, 100)), id)",
    # The condition must match portal.notifications.services._UNREAD.
    "notification_user_unread": 'notification ("user") WHERE NOT "read"',
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def create_indexes():
        for name, target in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
