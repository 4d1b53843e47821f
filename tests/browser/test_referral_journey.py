"""In real Chromium: a counsellor opens a case, profiles it and refers; the enterprise accepts and
records the start; the counsellor sees the change. axe-core checks every page on the way."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import assert_accessible, fill_croatian_case

pytestmark = pytest.mark.browser


def log_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").last.click()
    page.wait_for_url(re.compile(r"/$"))


def test_counsellor_refers_enterprise_accepts_and_starts(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    log_in(page, "counsellor")
    page.get_by_role("link", name="My cases").click()
    assert_accessible(page)
    page.get_by_role("link", name="Open a case").click()
    fill_croatian_case(page, "Brina", "Preizkusna", "sorting materials\nwoodwork")
    page.get_by_label("Mentor").check()
    assert_accessible(page)
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    code = re.search(r"Case (P-\w+)", page.get_by_role("heading", level=1).inner_text()).group(1)
    assert page.get_by_text("Brina Preizkusna").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Profile with the criteria").click()
    for criterion, answer in [
        ("Time out of work", "More than 2 years"),
        ("Time on social assistance", "1 to 3 years"),
        ("Health limitation", "None"),
        ("Education", "Primary or none"),
        ("Housing", "Stable"),
        ("Debt", "Arrears"),
        ("Care duties", "None"),
        ("Motivation", "High"),
    ]:
        page.get_by_role("group", name=criterion).get_by_label(answer).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save the assessment").click()
    page.wait_for_url(re.compile(r"/cases/\d+#profiling$"))
    assert page.get_by_text("Medium support").first.is_visible()

    # A country has too many places for one list: the counsellor searches, htmx swaps the choices in.
    page.get_by_label("Find an opportunity").fill("ponovne uporabe")
    select = page.get_by_label("Opportunity", exact=True)
    option = select.locator("option", has_text="Center ponovne uporabe").first
    option.wait_for(state="attached")
    assert_accessible(page)
    select.select_option(option.get_attribute("value"))
    page.get_by_label("Message to the organisation").fill("Motivated, has a mentor need.")
    page.get_by_role("button", name="Refer and send").click()
    page.wait_for_url(re.compile(r"#referrals$"))
    assert page.locator("#referrals").get_by_text("Sent").is_visible()

    context.clear_cookies()
    log_in(page, "enterprise")
    page.get_by_role("link", name="Referrals inbox").click()
    assert_accessible(page)
    page.get_by_role("link", name=code).click()
    assert page.get_by_text("Motivated, has a mentor need.").is_visible()
    assert page.get_by_text("Brina").count() == 0 and page.get_by_text("1979").count() == 0
    assert_accessible(page)
    page.get_by_role("button", name="Accept").click()
    page.get_by_role("button", name="Record the start").click()
    page.wait_for_load_state()
    assert page.get_by_text("Started", exact=True).first.is_visible()

    context.clear_cookies()
    log_in(page, "counsellor")
    assert page.get_by_role("link", name=re.compile(r"Notifications")).inner_text().strip() != "Notifications"
    page.get_by_role("link", name=re.compile(r"Notifications")).click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(f"Referral of {code}: Started")).click()
    page.wait_for_url(re.compile(r"/cases/\d+#referrals$"))
    assert page.locator("#referrals").get_by_text("Started").is_visible()
    context.close()
