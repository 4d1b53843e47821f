"""Pointing the portal at a database loaded by bench/scale_data.py, for the scripts that measure it there."""

from __future__ import annotations

import os
import tempfile


def use_scale_database(script: str, database_url: str) -> bool:
    """Set the portal's settings for a run on ``database_url``; False, saying so, when there is none.

    The portal reads its settings once, at first import: call this before anything imports it.
    """
    if not database_url:
        print(f"{script}: skipped; give --database-url or set PORTAL_BENCH_DATABASE_URL (a PostgreSQL database)")
        return False
    os.environ.update(
        PORTAL_ENV="test",
        PORTAL_DATABASE_URL=database_url,
        PORTAL_DATA_DIR=os.environ.get("PORTAL_DATA_DIR") or tempfile.mkdtemp(prefix="portal-bench-"),
        PORTAL_SECRET_KEY="bench-secret-key-0123456789abcdef0123",
        PORTAL_TWO_FACTOR_ROLES="",
        PORTAL_NETWORK_RECOMPUTE="manual",
    )
    return True
