"""In real Chromium: a coordinator finds the thin spot in Ormož, plans three places there, sees more people placed, keeps the plan.

axe-core checks every page visited and fails on any serious or critical WCAG violation.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser


def _log_in(page, base_url, username="coordinator"):
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").last.click()
    page.wait_for_url(f"{base_url}/")
    # Another journey may have left this demo user on Slovenian: these steps read English.
    page.locator("#language-select").select_option("en")
    page.locator("form.language button").click()
    page.wait_for_load_state()


def _measure(page, name: str) -> int:
    return int(page.locator(f'[data-measure="{name}"]').inner_text().replace(",", ""))


def test_a_coordinator_plans_places_for_the_thin_spot(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True)
    page = context.new_page()
    _log_in(page, base_url)
    page.goto("/network/")
    if page.get_by_text("The network has not been computed yet").count():
        page.get_by_role("button", name="Recompute now").click()
        page.get_by_role("link", name="Show the new results").click()
        page.wait_for_url(re.compile(r"/network/$"))
    # The thin spot: people in Ormož without a feasible place, and what would close it.
    areas = page.locator("#needs-areas")
    ormoz = areas.locator("tr", has_text="Ormož")
    assert ormoz.count() == 1
    assert "no place within reach offers Childcare-compatible hours" in ormoz.inner_text()
    change = page.locator("#needs-changes li", has_text="of Ormož")
    assert "Childcare-compatible hours and Transport" in change.first.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Try changes in a what-if plan").click()
    page.wait_for_url(re.compile(r"/network/plan$"))
    assert_accessible(page)
    page.get_by_label("Name of the plan").fill("Childcare places in Ormož")
    page.get_by_role("button", name="Create the plan").click()
    page.wait_for_url(re.compile(r"/network/plan/\d+$"))
    for _ in range(3):
        page.get_by_label("Kind").select_option("programme_place")
        page.get_by_label("Municipality").fill("Ormož")
        page.get_by_label("Transport").check()
        page.get_by_label("Childcare-compatible hours").check()
        page.get_by_label("Slovenian").check()
        page.get_by_role("spinbutton", name=re.compile("^Places")).fill("3")
        page.get_by_role("button", name="Add the place").click()
        page.wait_for_load_state()
    assert page.locator("#places tbody tr").count() == 3
    assert_accessible(page)

    page.get_by_role("button", name="Work out the plan").click()
    page.locator('[data-measure="placed-after"]').wait_for(timeout=60_000)
    assert _measure(page, "placed-after") > _measure(page, "placed-before")
    assert _measure(page, "without-after") < _measure(page, "without-before")
    assert page.get_by_role("table", name="Regions affected").get_by_text("Podravska").count() == 1
    assert_accessible(page)

    # The plan is kept under its name, and can be compared with another.
    page.get_by_role("link", name="What-if plans").click()
    page.wait_for_url(re.compile(r"/network/plan/?$"))
    page.get_by_role("link", name="Childcare places in Ormož").first.wait_for()
    page.get_by_role("link", name="Compare two plans").click()
    page.get_by_label("First plan").select_option(label="Childcare places in Ormož")
    page.get_by_role("button", name="Compare").click()
    # The click starts the navigation; wait for the compared page, not just its address.
    page.wait_for_url(re.compile(r"/network/plan/compare\?a=\d+"))
    page.locator('[data-measure="placed-after"]').wait_for()
    assert page.locator('[data-measure="placed-after"]').count() == 1
    assert_accessible(page)
    context.close()
