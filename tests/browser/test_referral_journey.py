"""In real Chromium: a counsellor opens a case, profiles it and refers; the enterprise accepts and
records the start; the counsellor sees the change. axe-core checks every page on the way."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, fill_croatian_case, log_in

pytestmark = pytest.mark.browser


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

    # A country has too many places for one list: the counsellor searches, htmx swaps in a list ranked by fit.
    page.get_by_label("Find an opportunity").fill("ponovne uporabe")
    choices = page.locator("#opportunity-choices ol.picker")
    choices.wait_for()
    assert_accessible(page)
    place = choices.locator("li", has_text="Center ponovne uporabe").first
    # A Slovenian place far from Čakovec breaks this Croatian speaker's conditions: the list says so.
    expect(place.locator(".constraint-warning")).to_be_visible()
    place.get_by_role("link", name=re.compile("^Choose")).click()
    confirm = page.locator("#referral-confirm .referral-confirm")
    expect(confirm.locator(".constraint-warning")).to_be_visible()
    assert_accessible(page)
    confirm.get_by_label("Message to the organisation (optional)").fill("Motivated, has a mentor need.")
    # Referring anyway needs a written reason: without one the form comes back saying so.
    page.locator("#override_reason").evaluate("el => el.removeAttribute('required')")
    confirm.get_by_role("button", name="Refer and send").click()
    expect(page.get_by_text("write why you refer the person anyway").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why refer anyway?").fill("She moves to Ptuj next month; the host agreed to help with Slovenian.")
    assert page.get_by_label("Message to the organisation (optional)").input_value() == "Motivated, has a mentor need."
    page.get_by_role("button", name="Refer and send").click()
    page.wait_for_url(re.compile(r"#referrals$"))
    assert page.locator("#referrals").get_by_text("Sent", exact=True).is_visible()
    # The page confirms it, with an undo while the organisation has not opened it.
    assert page.locator("#referrals [role=status]").get_by_text("Sent to").is_visible()
    assert page.locator("#referrals").get_by_role("button", name="Undo").is_visible()

    context.clear_cookies()
    log_in(page, "enterprise")
    page.get_by_role("link", name="Referrals inbox").click()
    assert_accessible(page)
    page.get_by_role("link", name=code).click()
    expect(page.get_by_text("Motivated, has a mentor need.")).to_be_visible()
    assert page.get_by_text("Brina").count() == 0 and page.get_by_text("1979").count() == 0
    assert page.get_by_text("She moves to Ptuj").count() == 0  # the reason stays with the case team
    assert_accessible(page)
    # Each step opens a small form in place (htmx): focus moves into it, Escape closes it.
    page.get_by_text("Accept", exact=True).click()
    note = page.get_by_label("Note to the counsellor (optional)")
    expect(note).to_be_focused()
    page.keyboard.press("Escape")
    expect(note).to_be_hidden()
    page.get_by_text("Accept", exact=True).click()
    note.fill("Start on Monday at 8, ask for Maja.")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm: Accept").click()
    confirmation = page.locator("#referral-block [role=status]")
    expect(confirmation).to_contain_text("Accepted. The counsellor has been told.")
    expect(confirmation.get_by_role("button", name="Undo")).to_be_visible()
    page.get_by_text("Record the start", exact=True).click()
    start = page.get_by_label("Start date")
    expect(start).to_be_focused()
    too_early = (dt.date.today() - dt.timedelta(days=20)).isoformat()
    start.fill(too_early)
    page.get_by_role("button", name="Confirm: Record the start").click()
    expect(page.get_by_text("A start can be backdated by at most 14 days.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Start date").fill((dt.date.today() - dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Confirm: Record the start").click()
    expect(page.locator("#referral-block [role=status]")).to_contain_text("Start recorded for")
    assert page.get_by_text("Started", exact=True).first.is_visible()
    assert page.get_by_text("Start on Monday at 8, ask for Maja.").is_visible()
    assert_accessible(page)

    context.clear_cookies()
    log_in(page, "counsellor")
    assert page.get_by_role("link", name=re.compile(r"Notifications")).inner_text().strip() != "Notifications"
    page.get_by_role("link", name=re.compile(r"Notifications")).click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(f"Referral of {code}: Started")).click()
    page.wait_for_url(re.compile(r"/cases/\d+#referrals$"))
    assert page.locator("#referrals").get_by_text("Started").is_visible()
    context.close()
