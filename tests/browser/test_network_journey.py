"""In real Chromium: recompute the network, filter the picture, focus on one organisation, open its place.

axe-core checks every page visited and fails on any serious or critical WCAG violation.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser
CSD = "Centar za socijalnu skrb Čakovec"


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


def _computed(page):
    """Compute the network once for the session if it has not been (the test server runs it in the request)."""
    page.goto("/network/")
    button = page.get_by_role("button", name="Recompute now")
    if page.get_by_text("The network has not been computed yet").count():
        button.click()
        page.get_by_role("link", name="Show the new results").click()
        page.wait_for_url(re.compile(r"/network/$"))


def test_filter_and_focus_the_network(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, base_url)
    page.get_by_role("link", name="Network").click()
    page.wait_for_url(re.compile(r"/network/$"))
    assert_accessible(page)
    _computed(page)

    graph = page.locator("#network-graph[data-ready='true']")
    graph.wait_for()
    message = page.locator("#network-message")
    total = int(re.search(r"of (\d+) organisations", message.inner_text()).group(1))
    assert total > 300
    assert page.get_by_role("table").first.is_visible()
    assert_accessible(page)

    page.get_by_label("Kind", exact=True).select_option("social_work_centre")
    shown = int(page.locator("#network-graph").get_attribute("data-visible-nodes"))
    assert 0 < shown < total
    page.get_by_label("Country").select_option("HR")
    assert int(page.locator("#network-graph").get_attribute("data-visible-nodes")) < shown
    page.get_by_role("button", name="Show everything").click()
    page.wait_for_function(f"document.getElementById('network-graph').dataset.visibleNodes === '{total}'")

    page.get_by_label("Focus on").select_option(label=CSD)
    focused = int(page.locator("#network-graph").get_attribute("data-visible-nodes"))
    assert 1 < focused < total
    panel = page.locator("#network-panel")
    panel.get_by_role("heading", name=CSD).wait_for()
    assert panel.get_by_role("link", name="Open the organisation's page").is_visible()
    page.get_by_label("Ties away").fill("2")
    page.get_by_label("Ties away").dispatch_event("change")
    assert int(page.locator("#network-graph").get_attribute("data-visible-nodes")) > focused
    assert_accessible(page)

    page.get_by_label("Path from").select_option(label=CSD)
    page.get_by_label("Path to").select_option(index=5)
    page.get_by_role("button", name="Highlight the path").click()
    page.wait_for_function("/Shortest chain|No chain/.test(document.getElementById('network-message').textContent)")

    panel.get_by_role("link", name="Open the organisation's page").click()
    page.wait_for_url(re.compile(r"/organisations/\d+$"))
    place = page.locator("#network-place")
    place.get_by_role("heading", name="Suggested partners").wait_for()
    assert place.get_by_role("heading", name="Partners of partners").is_visible()
    assert_accessible(page)
    assert not errors, errors
    context.close()


def test_the_network_tables_work_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    _log_in(page, base_url, "coordinator")
    page.goto("/network/?sort=name")
    if page.get_by_text("The network has not been computed yet").count():
        # Run alone, nothing has computed it yet: the coordinator's plain form does, inline under tests.
        page.get_by_role("button", name="Recompute now").click()
        page.goto("/network/?sort=name")
    assert not page.locator("#network-view").is_visible()  # the picture needs JavaScript
    page.get_by_role("link", name="Ties", exact=True).click()
    page.wait_for_url(re.compile(r"sort=degree"))
    assert page.locator("#metrics th[aria-sort]").inner_text().strip() == "Ties"
    page.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"page=2"))
    context.close()
