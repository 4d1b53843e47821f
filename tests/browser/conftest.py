"""Browser fixtures: one demo portal and one Chromium for the whole browser session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_FLAGS
from tests.live_server import running_portal


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    with running_portal() as url:
        yield url


# Module scope, not session: sync Playwright keeps an event loop running while it is open,
# and the async tests that run after the browser modules need the thread's loop free.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}: run `make test`, which installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
