"""In real Chromium: a counsellor puts a new case in the candidate pool; an employer filters the
anonymised candidates and asks to meet one; the counsellor accepts; the employer sees the contact
only while the person's consent allows it. axe-core checks every page on the way.

The journey opens its own case with a skill no demo person has, so it finds exactly that person
whichever journeys ran before it on the shared live server, and changes no one else."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser

FIRST, LAST, BORN, TOWN = "Lucija", "Sirarka", "1984", "Čakovec"
PHONE, EMAIL = "+385 40 555 0184", "lucija.sirarka@example.org"
PROFILE = "Show an anonymised profile to employers"
CONTACT = "Let employers receive contact details after an agreed introduction"
ARRANGES = "The counsellor arranges the meeting; the person's contact details are not shared with employers."


def record_consent(page, scope: str, decision: str) -> None:
    page.get_by_label("Consent", exact=True).select_option(label=scope)
    page.get_by_label("Decision").select_option(label=decision)
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_url(re.compile(r"/cases/\d+\?notice=consent_\w+#consents$"))  # with its confirmation
    row = page.locator("#consents tbody tr", has_text=scope)
    expect(row.locator("td").nth(1)).to_have_text("Given" if decision == "Given" else "Not given")


def visible_text(page) -> str:
    """What a person reads on the page (not hidden inputs such as CSRF tokens)."""
    return page.locator("body").inner_text()


def test_employer_meets_a_candidate_and_sees_contact_only_with_consent(browser, base_url):
    counsellor = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = counsellor.new_page()
    log_in(page, "counsellor")
    page.goto("/cases/new")  # the referral journey walks there from "My cases"
    page.get_by_label("First name").fill(FIRST)
    page.get_by_label("Last name").fill(LAST)
    page.get_by_label("Birth year").fill(BORN)
    page.get_by_label("Phone").fill(PHONE)
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Region or county").select_option("Međimurska županija")
    page.get_by_label("Municipality").fill(TOWN)
    page.get_by_label("Education").select_option("primary")
    page.get_by_label("Hours per week").fill("30")
    page.get_by_label("Croatian").check()
    page.get_by_label("Skills (one per line)").fill("cheesemaking\nmilking animals")
    assert_accessible(page)
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    code = re.search(r"Case (P-\w+)", page.get_by_role("heading", level=1).inner_text()).group(1)

    page.get_by_label("New stage").select_option(label="Placement")
    page.get_by_role("button", name="Change stage").click()
    page.wait_for_url(re.compile(r"/cases/\d+#stage-section$"))
    record_consent(page, PROFILE, "Given")
    record_consent(page, CONTACT, "Given")
    assert_accessible(page)

    # The employer, in a browser of its own: finds the one cheesemaker, anonymised.
    employer = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    boss = employer.new_page()
    log_in(boss, "employer")
    boss.get_by_role("link", name="Candidates", exact=True).click()
    boss.wait_for_url(re.compile(r"/employers/candidates$"))
    assert_accessible(boss)
    boss.get_by_label("Skill", exact=True).fill("cheese")
    boss.get_by_role("button", name="Show candidates").click()
    expect(boss.locator(".result-count")).to_have_text(re.compile(r"^\s*1 candidate\s*$"))
    candidates = boss.locator("#results ol.candidates > li")
    expect(candidates).to_have_count(1)
    assert_accessible(boss)
    link = candidates.get_by_role("link", name=re.compile(r"^Candidate K-[A-Z2-9]{6}$"))
    pseudonym = re.search(r"K-[A-Z2-9]{6}", link.inner_text()).group(0)
    link.click()
    boss.wait_for_url(re.compile(f"/employers/candidates/{pseudonym}$"))
    text = visible_text(boss)
    assert "cheesemaking" in text and "Međimurska županija" in text
    for secret in (FIRST, LAST, BORN, TOWN, PHONE, EMAIL, code):
        assert secret not in text, f"the anonymised profile shows {secret!r}"
    assert_accessible(boss)
    boss.get_by_label("Message to the counsellor").fill(
        "We make cheese in Ptuj and need a dairy hand, 30 hours a week."
    )
    boss.get_by_role("button", name="Ask to meet").click()
    boss.wait_for_url(re.compile(r"/introductions/\d+$"))
    introduction_url = boss.url
    expect(boss.get_by_text("Waiting for the counsellor").first).to_be_visible()
    text = visible_text(boss)
    assert "contact them directly" not in text
    for secret in (FIRST, LAST, PHONE, EMAIL, code):
        assert secret not in text
    assert_accessible(boss)

    # The counsellor is told, and accepts.
    page.goto("/")
    page.get_by_role("link", name=re.compile(r"Notifications")).click()
    assert_accessible(page)
    expect(page.get_by_role("link", name=re.compile(f"An employer asks to meet {code}"))).to_be_visible()
    page.get_by_role("link", name="Requests to meet", exact=True).click()
    page.wait_for_url(re.compile(r"/introductions/$"))
    assert_accessible(page)
    page.get_by_role("link", name=code, exact=True).first.click()
    page.wait_for_url(introduction_url)
    assert page.get_by_text("We make cheese in Ptuj").is_visible()
    assert_accessible(page)
    page.get_by_label("Your answer to the employer").fill("She is glad to meet you; call her to agree on a day.")
    page.get_by_role("button", name="Accept", exact=True).click()
    page.wait_for_url(introduction_url)
    expect(page.locator(".facts").get_by_text("Accepted", exact=True)).to_be_visible()

    # The employer now sees the agreed contact, because the contact consent is in force.
    boss.reload()
    expect(boss.get_by_text("The person agreed that you may contact them directly:")).to_be_visible()
    contact = boss.locator("dl.contact")
    expect(contact).to_contain_text(f"{FIRST} {LAST}")
    expect(contact).to_contain_text(PHONE)
    expect(contact).to_contain_text(EMAIL)
    assert BORN not in visible_text(boss) and TOWN not in visible_text(boss)
    assert_accessible(boss)

    # The case shows the accepted request; the person withdraws the contact consent there, and
    # the details disappear from the employer's page.
    page.goto(case_url)
    section = page.get_by_role("region", name="Employers asking to meet")
    asking = section.get_by_role("link", name=re.compile(r"\S"))
    expect(asking).to_have_attribute("href", introduction_url.removeprefix(base_url))
    expect(section).to_contain_text("Accepted")
    assert_accessible(page)
    record_consent(page, CONTACT, "Withdrawn")
    boss.reload()
    expect(boss.get_by_text(ARRANGES)).to_be_visible()
    text = visible_text(boss)
    assert "contact them directly" not in text
    for secret in (FIRST, LAST, PHONE, EMAIL):
        assert secret not in text, f"the introduction still shows {secret!r} after the consent was withdrawn"
    assert_accessible(boss)

    employer.close()
    counsellor.close()
