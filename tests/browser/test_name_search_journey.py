"""In real Chromium: the demo counsellor finds a person of their caseload by name typed without
diacritics, in any case and order, as the search runs while typing; axe-core checks the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.text import fold
from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_counsellor_finds_a_person_by_name(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    log_in(page, "counsellor")
    page.goto("/cases/")
    first = page.locator("#results tbody tr").first.get_by_role("link")
    code = first.inner_text().strip()
    first.click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    full_name = page.locator("dt", has_text="Full name").locator("xpath=following-sibling::dd[1]").inner_text()
    first_name, last_name = full_name.split(" ", 1)

    page.goto("/cases/")
    expect(page.get_by_role("columnheader", name="Name")).to_have_count(0)  # no names until a name is sought
    # Typed as a person would: no diacritics, upper case, last name first; htmx searches as they type.
    page.get_by_label("Name, code or birth year").fill(f"{fold(last_name).upper()} {fold(first_name)}")
    expect(page.get_by_role("columnheader", name="Name")).to_be_visible()
    row = page.locator("#results tbody tr", has_text=code)
    expect(row).to_contain_text(full_name)
    assert re.search(r"[?&]q=", page.url)  # the search is in the address, so back and reload keep it
    assert_accessible(page)
    context.close()
