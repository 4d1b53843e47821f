"""Fixtures the HTTP tests share: the two-factor clock and the roles that must use two-factor."""

from __future__ import annotations

import dataclasses

import pytest

from portal.auth import two_factor
from portal.settings import get_settings
from tests.flows import Clock


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(two_factor, "_clock", lambda: clock.now)
    return clock


@pytest.fixture
def required_for(monkeypatch):
    """Make PORTAL_TWO_FACTOR_ROLES say ``roles`` where it is read (the test suite runs with none)."""

    def set_roles(*roles: str) -> None:
        settings = dataclasses.replace(get_settings(), two_factor_roles=roles)
        monkeypatch.setattr(two_factor, "get_settings", lambda: settings)

    return set_roles
