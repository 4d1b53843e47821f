"""In real Chromium: the demo counsellor's and the demo enterprise's home pages show their day, and pass axe-core."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser


def log_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").last.click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.parametrize(
    ("username", "headings"),
    [
        (
            "counsellor",
            [
                "Overdue plan steps",
                "Referrals waiting for the host's answer",
                "Referrals the host answered or moved this week",
                "Requests to meet waiting for your answer",
                "New notifications",
            ],
        ),
        (
            "enterprise",
            ["Referrals waiting for your answer", "Accepted placements still to start", "Placements under way"],
        ),
    ],
)
def test_the_demo_users_see_their_day(browser, base_url, username, headings):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    log_in(page, username)
    assert page.get_by_role("heading", level=1, name="My day").is_visible()
    for heading in headings:
        assert page.get_by_role("heading", level=2, name=re.compile("^" + re.escape(heading))).is_visible()
    # Every item and "see all" link leads somewhere that answers.
    links = page.locator("main .day-section a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links
    for href in list(dict.fromkeys(links))[:8]:
        assert page.request.get(href).ok, href
    assert_accessible(page)
    context.close()
