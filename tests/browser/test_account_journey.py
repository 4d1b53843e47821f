"""In real Chromium: an admin invites a counsellor by e-mail; the counsellor sets a password and two-factor
sign-in, signs in with a code, opens a case and exports the person's data. axe-core checks every page."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, fill_croatian_case

pytestmark = pytest.mark.browser
PASSWORD = "a long new password 2026"


def _link(message, prefix: str) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    url = re.search(r"https?://\S+" + re.escape(prefix) + r"\S+", body).group(0)
    return urlsplit(url).path


def _log_in(page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").last.click()


def test_admin_invites_a_counsellor_who_sets_two_factor_signs_in_and_exports_a_case(browser, base_url, live_mailbox):
    admin = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB").new_page()
    _log_in(admin, "admin", "demo")
    admin.wait_for_url(re.compile(r"/$"))
    admin.get_by_role("link", name="Users").click()
    assert_accessible(admin)
    admin.get_by_role("link", name="Invite a user").click()
    admin.get_by_label("Username").fill("mojca.novak")
    admin.get_by_label(re.compile(r"^Name")).fill("Mojca Novak")
    admin.get_by_label("E-mail").fill("mojca.novak@csd.example")
    admin.get_by_label("Role").select_option(label="Counsellor")
    admin.get_by_label("Find an organisation by name or place").fill("Čakovec")
    admin.get_by_text("Organisations matching “Čakovec”").wait_for()  # htmx has refilled the list
    centre = admin.locator("#organisation_id option", has_text="Čakovec").first
    admin.locator("#organisation_id").select_option(value=centre.get_attribute("value"))
    assert_accessible(admin)
    admin.get_by_role("button", name="Invite").click()
    admin.wait_for_url(re.compile(r"/admin/users/\d+"))
    assert admin.get_by_text("mojca.novak@csd.example").first.is_visible()
    assert_accessible(admin)

    page = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB").new_page()
    page.goto(_link(live_mailbox.wait_for("mojca.novak@csd.example"), "/invitation/"))
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Password \(")).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_url(re.compile(r"/login"))
    _log_in(page, "mojca.novak", PASSWORD)
    page.wait_for_url(re.compile(r"/$"))

    page.get_by_role("link", name="Account").click()
    assert_accessible(page)
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("button", name="Turn on").click()
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("The 6-digit code the app shows").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Log out").click()

    _log_in(page, "mojca.novak", PASSWORD)
    page.wait_for_url(re.compile(r"/login/code"))
    assert_accessible(page)
    # The code of the next 30-second step: the step just used to turn it on is never accepted twice.
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))

    page.get_by_role("link", name="My cases").click()
    page.get_by_role("link", name="Open a case").click()
    fill_croatian_case(page, "Vesna", "Izvozna", "sorting materials")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    page.get_by_role("link", name="Export data").click()
    expect(page.get_by_text("Vesna").first).to_be_visible()
    assert_accessible(page)
    assert page.locator("html").get_attribute("lang") == "hr"  # the export is in the person's language
    with page.expect_download() as download:
        page.locator('a[href$="/export.json"]').click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert "Izvozna" in json.dumps(exported, ensure_ascii=False)
