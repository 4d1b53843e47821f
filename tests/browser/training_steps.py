"""Steps of the training journeys in Chromium: a coordinator creates a module, staff register, the organiser records attendance."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible

MODULE_TITLE = "Modul 6: mentorstvo v praksi (test)"


def create_module(page, title: str = MODULE_TITLE) -> str:
    """As a coordinator (logged in): create a published module organised by ZRS Bistra Ptuj; return its URL."""
    page.get_by_role("link", name="Training", exact=True).first.click()
    page.wait_for_url(re.compile(r"/training/?$"))
    assert page.get_by_text("Uloga mentora u provedbi socijalne aktivacije").count() == 0  # past: not upcoming
    assert_accessible(page)
    # The demo's real series is among the past events.
    page.get_by_label("When").select_option("past")
    expect(page.get_by_role("link", name="Uloga mentora u provedbi socijalne aktivacije")).to_be_visible()
    page.get_by_label("When").select_option("")
    page.get_by_role("link", name="New event").click()
    page.wait_for_url(re.compile(r"/training/events/new"))
    assert_accessible(page)
    # Bad input first: the form comes back with the fields named, and what was typed kept.
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Create event").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(title)
    assert_accessible(page)
    page.get_by_label("Kind").select_option("module")
    page.get_by_label("Module number").fill("6")
    page.get_by_label("Status").select_option("published")
    page.locator("select#language").select_option("sl")
    start = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    page.get_by_label("Starts").fill(f"{start}T09:00")
    page.get_by_label("Ends").fill(f"{start}T15:00")
    page.get_by_label("Places").fill("2")
    page.get_by_label("Country").select_option("SI")
    page.get_by_label("Municipality").fill("Ptuj")
    page.get_by_label("Topics").fill("mentorstvo, praktični modul")
    # The organiser is found by name (a country has too many organisations for one list).
    page.get_by_label("Find an organisation by name or place").fill("Bistra")
    select = page.locator("select#organisation_id")
    option = select.locator("option", has_text="Bistra").first
    option.wait_for(state="attached")
    select.select_option(option.get_attribute("value"))
    page.get_by_role("button", name="Create event").click()
    page.wait_for_url(re.compile(r"/training/events/\d+"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Event saved.")).to_be_visible()
    assert_accessible(page)
    return re.sub(r"\?.*$", "", page.url)


def register_self(page, event_url: str) -> None:
    """As a logged-in staff member: register from the event page (htmx answers in place)."""
    page.goto(event_url)
    assert_accessible(page)
    page.get_by_role("button", name="Register").first.click()
    expect(page.locator("#registration").get_by_text("You are registered.").first).to_be_visible()
    expect(page.get_by_role("button", name="Cancel my registration")).to_be_visible()
    assert_accessible(page)


def record_attendance(page, event_url: str, attendee: str) -> None:
    """As an organiser: tick ``attendee`` on the quick list and save; then open the sign-in sheet."""
    page.goto(event_url)
    page.get_by_role("link", name="Record attendance").click()
    page.wait_for_url(re.compile(r"/attendance"))
    assert_accessible(page)
    page.get_by_label(attendee).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved.")).to_be_visible()
    expect(page.get_by_label(attendee)).to_be_checked()
    assert_accessible(page)
    page.goto(event_url + "/sign-in-sheet")
    expect(page.get_by_role("cell", name=attendee)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Signature")).to_be_visible()
    assert_accessible(page)
