"""Tests for the matching package surface: its public names, and that it stays a pure library."""

from __future__ import annotations

import subprocess
import sys

import matching


def test_every_public_name_resolves():
    for name in matching.__all__:
        assert getattr(matching, name) is not None, name


def test_matching_imports_no_portal_orm_or_web_framework():
    code = (
        "import sys, matching, matching.evaluation, matching.synthetic; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'portal', 'piccolo', 'litestar'}); "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
