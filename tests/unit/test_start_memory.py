"""A web worker starts without what only a rare download needs (its memory is counted per worker)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_app_starts_without_the_pdf_and_spreadsheet_libraries():
    script = (
        "import sys; from portal.app import create_app; create_app(); "
        "print(sorted(m for m in sys.modules if m in ('fpdf', 'openpyxl')))"
    )
    env = {**os.environ, "PORTAL_DATA_DIR": tempfile.mkdtemp(prefix="portal-start-"), "PORTAL_ENV": "test"}
    env.pop("PICCOLO_CONF", None)
    found = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]", found.stderr
