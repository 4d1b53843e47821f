"""In real Chromium: a counsellor sees suggested placements with their reasons and refers one; a
Croatian case's typed skills meet the places' concepts, explained to a Slovenian reader; a network
manager runs an allocation round and reviews it, trains the outcome model and reads the fairness
report. axe-core checks every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, fill_croatian_case, log_in

pytestmark = pytest.mark.browser


def test_counsellor_sees_explained_placements_and_refers_one(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    log_in(page, "counsellor")
    page.goto("/cases/new")
    fill_croatian_case(page, "Marta", "Predlogova", "perform office routine activities\nwork in teams")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))

    # The suggestions arrive with htmx once the case page has loaded.
    suggestions = page.locator("#placements-list")
    suggestions.wait_for()
    # One sentence in plain words for each, the score parts behind a toggle.
    summary = suggestions.locator(".fit-summary").first
    assert re.search(r"(Strong|Good|Weak) fit", summary.inner_text()) and "km away" in summary.inner_text()
    assert not suggestions.get_by_text(re.compile(r"Fit \d")).first.is_visible()
    suggestions.get_by_text("Why, in detail").first.click()
    assert suggestions.get_by_text("Skills that match:").first.is_visible()
    assert suggestions.get_by_text(re.compile(r"Fit \d")).first.is_visible()
    assert_accessible(page)
    first = suggestions.locator("li").first
    title = first.locator("h3 a").inner_text()
    # Refer opens a small form for a message to the host; htmx puts the confirmation in its place.
    first.locator("summary", has_text="Refer").click()
    message = first.get_by_label("Message to the organisation (optional)")
    expect(message).to_be_focused()
    message.fill("Good with numbers; would like a quiet office.")
    assert_accessible(page)
    first.get_by_role("button", name="Send the referral").click()
    confirmation = first.locator("[role=status]")
    expect(confirmation).to_contain_text("Sent to")
    expect(confirmation.get_by_role("button", name="Undo")).to_be_visible()
    assert_accessible(page)
    confirmation.get_by_role("link", name="See the referral").click()
    page.wait_for_url(re.compile(r"/referrals/\d+$"))
    assert page.get_by_text(title).first.is_visible() and page.get_by_text("Sent", exact=True).first.is_visible()
    assert page.get_by_text("Good with numbers; would like a quiet office.").is_visible()
    assert_accessible(page)
    context.close()


def test_a_network_manager_runs_and_reviews_an_allocation_round(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    # An admin may run rounds too; the demo coordinator's account is switched to Slovenian by the
    # directory journey, and these labels are English.
    log_in(page, "admin")
    page.get_by_role("link", name="Allocation rounds", exact=True).click()
    page.wait_for_url(re.compile(r"/matching/rounds$"))
    assert_accessible(page)
    page.get_by_label("Name of the round").fill("Koroška spring intake")
    page.get_by_label("Participants' region").select_option("Koroška")
    page.get_by_label("Opportunities' region").select_option("Koroška")
    page.get_by_role("button", name="Run the round").click()
    page.wait_for_url(re.compile(r"/matching/rounds/\d+$"))
    page.get_by_text(re.compile(r"people in the intake")).wait_for(timeout=30_000)
    assert page.get_by_text("Nothing has been sent yet").is_visible()
    assert page.get_by_role("button", name=re.compile(r"^Send \d+ referral")).is_visible()
    assert_accessible(page)
    # Names never appear on the review page: codes only.
    assert page.get_by_text(re.compile(r"\bP-[A-Z2-9]{6}\b")).count() > 0

    # A training measures fairness too: the report per group, for coordinators and admins.
    page.get_by_role("link", name="Outcome model").click()
    page.get_by_role("button", name="Train now").click()
    page.get_by_role("heading", name="Latest training").wait_for(timeout=60_000)
    assert_accessible(page)
    page.get_by_role("link", name="Fairness of the suggestions, per group").click()
    expect(page.get_by_role("heading", name="Fairness of the suggestions")).to_be_visible()
    assert page.get_by_role("table", name="By country").get_by_role("row", name=re.compile("^Slovenia")).is_visible()
    assert_accessible(page)
    context.close()


def test_typed_croatian_skills_are_recognised_and_explained_to_a_slovenian_reader(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    log_in(page, "counsellor")
    page.goto("/cases/new")
    # Typed as the Croatian counsellor writes them: other forms of the concepts' Croatian labels.
    fill_croatian_case(page, "Mojca", "Vještinić", "timskom radu\nrazvrstavanje otpada")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    try:
        page.goto("/")
        page.get_by_label("Language", exact=True).select_option("sl")
        page.get_by_role("button", name="Change", exact=True).click()
        page.wait_for_load_state()
        page.goto(case_url)
        assert page.locator("html").get_attribute("lang") == "sl"
        suggestions = page.locator("#placements-list")
        suggestions.wait_for()
        summary = suggestions.locator(".fit-summary").first.inner_text()
        assert re.search(r"ujemanje", summary) and "zahtevanih spretnosti" in summary
        suggestions.get_by_text("Zakaj, podrobneje").first.click()
        matched = suggestions.get_by_text("Ujemajoče se spretnosti:").first
        assert matched.is_visible()
        # The concepts are named with the vocabulary's Slovenian labels, not ESCO's English ones.
        assert re.search(r"delati v timu|ločevati odpadke", matched.inner_text())
        assert "work in teams" not in suggestions.inner_text() and "sort waste" not in suggestions.inner_text()
        assert_accessible(page)
    finally:
        # The language is saved on the demo account: put it back for the other journeys.
        page.goto("/")
        page.get_by_label("Jezik", exact=True).select_option("en")
        page.get_by_role("button", name="Spremeni", exact=True).click()
        page.wait_for_load_state()
        context.close()
