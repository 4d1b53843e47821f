"""Shared by the browser tests: Chromium's flags and the axe-core check."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
# The same default and variable as scripts/prepare-tests, which installs it when missing.
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def assert_accessible(page) -> None:
    """Run axe-core in the page once it has loaded; serious and critical violations fail the test.

    A page reached by a click may still be loading: its document then has no head to add the
    script to (CI failed so once), so it waits for the load and tries again.
    """
    for attempt in range(3):
        page.wait_for_load_state()
        try:
            page.add_script_tag(content=AXE.read_text())
            break
        except PlaywrightError:
            if attempt == 2:
                raise
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}:\n" + "\n".join(bad)


def fill_croatian_case(page, first_name: str, last_name: str, skills: str) -> None:
    """Fill the new-case form (already open) for a person in Čakovec who speaks Croatian."""
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill(last_name)
    page.get_by_label("Birth year").fill("1979")
    page.get_by_label("Region or county").select_option("Međimurska županija")
    page.get_by_label("Municipality").fill("Čakovec")
    page.get_by_label("Education").select_option("primary")
    page.get_by_label("Croatian").check()
    page.get_by_label("Skills (one per line)").fill(skills)


def log_in(page, username: str, language: str = "en") -> None:
    """Sign in on the login page as a demo user (password "demo"), wait for the home page, and make sure it
    speaks ``language``: the choice is saved on the account, so another journey may have left it in Slovenian."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").last.click()
    page.wait_for_url(re.compile(r"/$"))
    if page.locator("html").get_attribute("lang") != language:
        page.locator("#language-select").select_option(language)
        page.locator("form.language button").click()
        page.wait_for_load_state()
