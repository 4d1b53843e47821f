"""In real Chromium: a coordinator creates a training module, a counsellor registers, the organiser records
attendance. axe-core checks every page on the way.

The steps are functions so that later steps (the certificate, the "met at" tie) can follow on from
``test_module_from_creation_to_attendance`` or reuse them: each takes the page and returns what the next needs.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import log_in
from tests.browser.training_steps import MODULE_TITLE, create_module, record_attendance, register_self

pytestmark = pytest.mark.browser


def test_module_from_creation_to_attendance(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    log_in(page, "coordinator")
    event_url = create_module(page)

    context.clear_cookies()
    log_in(page, "counsellor")
    register_self(page, event_url)
    # The counsellor's calendar feed now has the module.
    page.get_by_role("link", name="Training", exact=True).first.click()
    feed = page.get_by_role("link", name="personal calendar feed (iCalendar)").get_attribute("href")
    calendar = page.request.get(feed)
    assert calendar.ok and MODULE_TITLE.split(":")[0] in calendar.text()

    context.clear_cookies()
    log_in(page, "coordinator")
    record_attendance(page, event_url, "Demo counsellor")
    context.close()
