"""In real Chromium, with no map tiles: the map draws the demo's organisations, filters them, and a popup
(or the list beside the map) leads to an organisation's page.

axe-core checks every page visited and fails on any serious or critical WCAG violation.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser


def _drawn(page) -> tuple[int, int]:
    page.locator("#map-view[data-ready='true']").wait_for()
    view = page.locator("#map-view")
    return int(view.get_attribute("data-points")), int(view.get_attribute("data-clusters"))


def test_open_the_map_filter_and_click_through(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/")
    page.get_by_role("link", name="Map", exact=True).first.click()
    page.wait_for_url(re.compile(r"/map/$"))
    points, clusters = _drawn(page)
    assert points > 100  # the demo's organisations and open opportunities, each its own marker
    # Overlapping markers are grouped by Leaflet.markercluster into numbered circles.
    assert page.locator(".leaflet-marker-pane .map-cluster, .leaflet-marker-pane .map-pin").count() > 0
    assert page.locator(".leaflet-marker-pane .map-cluster-client").count() > 0
    assert page.locator(".leaflet-tile").count() == 0  # no tiles under tests
    assert all(url.startswith(base_url) for url in requested), "the map must load nothing from elsewhere"
    assert_accessible(page)

    # Filter with the plain GET form: social work centres in Međimurje, organisations only.
    page.get_by_label("Show").select_option("organisations")
    page.get_by_label("Kind of organisation").select_option("social_work_centre")
    page.get_by_label("Region or county").select_option("Međimurska županija")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"kind=social_work_centre"))
    points, _ = _drawn(page)
    listed = page.locator("#map-organisations li a")
    assert 1 <= points == listed.count()
    assert_accessible(page)

    # Open markers until a single one shows, then its popup links to the organisation's page.
    for _ in range(6):
        pin = page.locator(".leaflet-marker-pane .map-pin").first
        if pin.count() and pin.is_visible():
            break
        page.locator(".leaflet-marker-pane .map-cluster").first.click()
        page.wait_for_timeout(600)
    pin = page.locator(".leaflet-marker-pane .map-pin").first
    name = pin.get_attribute("title")
    pin.focus()
    page.keyboard.press("Enter")  # markers answer the keyboard as well as the mouse
    popup = page.locator(".leaflet-popup")
    popup.get_by_text(name).wait_for()
    # Leaflet fades the popup in; axe would measure its contrast half-way.
    page.wait_for_function("getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
    assert_accessible(page)
    popup.get_by_role("link", name="Open the page").click()
    page.wait_for_url(re.compile(r"/organisations/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert_accessible(page)

    # Without the map, the list beside it leads to the same pages.
    page.go_back()
    page.wait_for_url(re.compile(r"/map/"))
    first = page.locator("#map-organisations li a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/organisations/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert not errors, errors
    context.close()


def test_logged_in_readers_see_the_gaps_per_region(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").last.click()
    page.wait_for_url(f"{base_url}/")
    page.locator("#language-select").select_option("en")  # another journey may have left Slovenian
    page.locator("form.language button").click()
    page.wait_for_load_state()
    page.goto("/network/")
    if page.get_by_text("The network has not been computed yet").count():
        page.get_by_role("button", name="Recompute now").click()
        page.get_by_role("link", name="Show the new results").click()
    page.goto("/map/")
    _drawn(page)
    rows = page.locator("#map-gaps tbody tr")
    assert rows.count() >= 1  # the demo's four project regions have participants
    assert page.locator("path.map-gap").count() == rows.count()  # one circle per region in the table
    assert_accessible(page)
    context.close()
