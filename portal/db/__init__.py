"""Database: engine from settings, tables, migrations."""

import os

# Piccolo finds its engine through PICCOLO_CONF when a table is first imported.
os.environ.setdefault("PICCOLO_CONF", "portal.db.piccolo_conf")
