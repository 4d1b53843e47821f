"""In real Chromium: recompute the network, filter the picture, focus on one organisation, open its place.

axe-core checks every page visited and fails on any serious or critical WCAG violation.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser
CSD = "Centar za socijalnu skrb Čakovec"
SEARCH_LIMIT = 20  # the search answers at most 20 names


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


def _drawn(page) -> int:
    """Wait for the picture asked for by the last change (the graph API filters) and count its organisations."""
    page.locator("#network-graph[data-ready='true']").wait_for()
    return int(page.locator("#network-graph").get_attribute("data-visible-nodes"))


def _pick(page, label: str, typed: str, name: str) -> None:
    """Choose an organisation in a picker by typing part of its name, then Down and Enter (keyboard only)."""
    box = page.get_by_role("combobox", name=label)
    box.fill(typed)
    option = page.get_by_role("listbox", name=label).get_by_role("option", name=re.compile("^" + re.escape(name)))
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    for _ in range(SEARCH_LIMIT):
        if option.get_attribute("aria-selected") == "true":
            break
        box.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant")
    box.press("Enter")
    assert box.input_value() == name and box.get_attribute("aria-expanded") == "false"


def test_filter_and_focus_the_network(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, base_url)
    page.get_by_role("link", name="Network", exact=True).click()
    page.wait_for_url(re.compile(r"/network/$"))
    assert_accessible(page)
    _computed(page)

    graph = page.locator("#network-graph[data-ready='true']")
    graph.wait_for()
    # The picture comes first, then its filters; laid out by fCoSE, vendored from npm.
    assert page.evaluate(
        "document.getElementById('network-graph').compareDocumentPosition("
        "document.getElementById('network-controls')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert page.evaluate("typeof window.cytoscapeFcose") == "function"
    message = page.locator("#network-message")
    total = int(re.search(r"of (\d+) organisations", message.inner_text()).group(1))
    assert total > 300
    assert _drawn(page) == total  # the demo network is small enough to be drawn whole
    assert page.get_by_role("table").first.is_visible()
    assert_accessible(page)

    page.get_by_label("Kind", exact=True).select_option("social_work_centre")
    shown = _drawn(page)
    assert 0 < shown < total
    page.get_by_label("Country").select_option("HR")
    assert _drawn(page) < shown
    page.get_by_role("button", name="Show everything").click()
    page.wait_for_function(f"document.getElementById('network-graph').dataset.visibleNodes === '{total}'")

    # Organisations are found by typing part of the name, without case or diacritics.
    _pick(page, "Focus on", "socijalnu skrb cakovec", CSD)
    focused = _drawn(page)
    assert 1 < focused < total
    panel = page.locator("#network-panel")
    panel.get_by_role("heading", name=CSD).wait_for()
    assert panel.get_by_role("link", name="Open the organisation's page").is_visible()
    page.get_by_label("Ties away").fill("2")
    page.get_by_label("Ties away").dispatch_event("change")
    assert _drawn(page) > focused
    page.get_by_role("combobox", name="Path from").fill("cakovec")
    page.get_by_role("listbox", name="Path from").get_by_role("option").first.wait_for()
    assert_accessible(page)  # with a list of options open
    page.get_by_role("combobox", name="Path from").press("Escape")
    assert page.get_by_role("combobox", name="Path from").get_attribute("aria-expanded") == "false"

    _pick(page, "Path from", "cakovec", CSD)
    box = page.get_by_role("combobox", name="Path to")
    box.fill("zavod")
    first = page.get_by_role("listbox", name="Path to").get_by_role("option").first
    first.click()
    assert box.input_value() and page.locator("#graph-to").input_value().isdigit()
    page.get_by_role("button", name="Highlight the path").click()
    page.wait_for_function("/Shortest chain|No chain/.test(document.getElementById('network-message').textContent)")
    if "Shortest chain" in message.inner_text():
        # The path view: the chain and its organisations' partners only, not the whole picture.
        path_nodes = int(page.locator("#network-graph").get_attribute("data-path-nodes"))
        assert 2 <= path_nodes < total

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
