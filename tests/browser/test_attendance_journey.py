"""In real Chromium: the host records a missed week twice on a placement; the counsellor sees the notice on
"my day" and on the case, and records a graduated response step. axe-core checks every page on the way."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, fill_croatian_case, log_in

pytestmark = pytest.mark.browser


def _refer_new_case(page) -> tuple[str, int]:
    """As the demo counsellor: open a case and refer it to the demo enterprise's place, giving the reason asked for."""
    page.goto("/cases/new")
    fill_croatian_case(page, "Đurđa", "Prisotna", "sorting materials")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    code = re.search(r"Case (P-\w+)", page.get_by_role("heading", level=1).inner_text()).group(1)
    case_id = int(page.url.rsplit("/", 1)[1])
    page.get_by_label("Find an opportunity").fill("ponovne uporabe")
    place = page.locator("#opportunity-choices ol.picker li", has_text="Center ponovne uporabe").first
    place.get_by_role("link", name=re.compile("^Choose")).click()
    confirm = page.locator("#referral-confirm .referral-confirm")
    confirm.wait_for()
    if confirm.get_by_label("Why refer anyway?").count():
        confirm.get_by_label("Why refer anyway?").fill("Moving to Ptuj; transport arranged.")
    confirm.get_by_role("button", name="Refer and send").click()
    page.wait_for_url(re.compile(r"#referrals$"))
    return code, case_id


def _mark(page, referral_id: int, status: str) -> None:
    row = page.locator(f"#placement-{referral_id}")
    row.get_by_label(status, exact=True).check()
    row.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator(f"#placement-{referral_id} [role=status]")).to_contain_text(f"Saved: {status}")


def test_a_missed_week_twice_reaches_the_counsellor_who_records_a_response(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    log_in(page, "counsellor")
    code, case_id = _refer_new_case(page)

    context.clear_cookies()
    log_in(page, "enterprise")
    page.goto("/referrals/inbox")
    page.get_by_role("link", name=code).click()
    referral_id = int(re.search(r"/referrals/(\d+)", page.url).group(1))
    page.get_by_text("Accept", exact=True).click()
    page.get_by_role("button", name="Confirm: Accept").click()
    expect(page.locator("#referral-block [role=status]")).to_contain_text("Accepted")
    page.get_by_text("Record the start", exact=True).click()
    page.get_by_label("Start date").fill((dt.date.today() - dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Confirm: Record the start").click()
    expect(page.locator("#referral-block [role=status]")).to_contain_text("Start recorded for")
    # The host names a mentor the counsellor will see.
    page.get_by_text("Name a mentor", exact=True).click()
    page.get_by_label("Mentor's name").fill("Maja Mentorica")
    page.get_by_label("Phone or e-mail for the counsellor").fill("maja@example.org")
    assert_accessible(page)
    page.get_by_role("button", name="Save the mentor").click()
    expect(page.locator("#mentor")).to_contain_text("Maja Mentorica · maja@example.org")

    # My day leads to this week's attendance: one small form per placement.
    page.goto("/")
    page.get_by_role("link", name="Record this week's attendance").click()
    assert_accessible(page)
    page.get_by_role("link", name="Previous week").click()
    _mark(page, referral_id, "Absent")
    assert_accessible(page)
    page.get_by_role("link", name="Next week").click()
    _mark(page, referral_id, "Absent")
    assert_accessible(page)

    context.clear_cookies()
    log_in(page, "counsellor")
    absences = page.locator("#absences")
    expect(absences).to_contain_text(f"{code} at")
    expect(absences).to_contain_text("2 unexcused weeks in a row")
    assert_accessible(page)
    absences.get_by_role("link", name=re.compile(code)).click()
    page.wait_for_url(re.compile(rf"/cases/{case_id}#attendance$"))
    section = page.locator("#attendance")
    expect(section.locator(".absence-alert")).to_contain_text("unexcused absence 2 weeks in a row")
    expect(section).to_contain_text("Maja Mentorica · maja@example.org")
    assert_accessible(page)
    section.get_by_text("Record a response step", exact=True).click()
    section.get_by_label("Step (required)").select_option("contact")
    section.get_by_label("Placement").select_option(str(referral_id))
    section.get_by_label("Reason and what was agreed").fill(
        "Called her: the bus timetable changed; a later start agreed."
    )
    section.get_by_role("button", name="Save the step").click()
    page.wait_for_url(re.compile(rf"/cases/{case_id}#attendance$"))
    section = page.locator("#attendance")
    expect(section).to_contain_text("the bus timetable changed")
    expect(section.locator(".absence-alert")).to_have_count(0)
    assert_accessible(page)
    page.goto("/")
    expect(page.locator("#absences")).not_to_contain_text(code)
    assert_accessible(page)
    context.close()
