"""Browser fixtures: one demo portal and one Chromium for the whole browser session."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_FLAGS
from tests.live_server import running_portal


class LiveMailbox(list):
    """What the live portal sent, as received by a real SMTP server in the test process."""

    port: int = 0

    def wait_for(self, to: str, timeout: float = 10.0) -> Any:
        """The newest message to ``to``, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self):
                if message["To"] == to:
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no mail to {to} arrived; got {[m['To'] for m in self]}")


@pytest.fixture(scope="session")
def live_mailbox() -> Iterator[LiveMailbox]:
    from aiosmtpd.controller import Controller

    received = LiveMailbox()

    class Collect:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 Message accepted"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        received.port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=received.port)
    controller.start()
    try:
        yield received
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def base_url(live_mailbox: LiveMailbox) -> Iterator[str]:
    mail_env = {"PORTAL_SMTP_HOST": "127.0.0.1", "PORTAL_SMTP_PORT": str(live_mailbox.port)}
    with running_portal({**mail_env, "PORTAL_SMTP_SECURITY": "none", "PORTAL_MAIL_FROM": "portal@test.example"}) as url:
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
