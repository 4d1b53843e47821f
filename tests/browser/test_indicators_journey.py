"""In real Chromium on the demo data: a coordinator opens the indicators, sees the charts drawn, filters by
organisation (htmx), sets a target, opens the public summary; the indicators page also fits a phone. (Filtering
by region and reading the XLSX download: test_coordinator_reporting_journey.)

axe-core checks every page visited and fails on any serious or critical WCAG violation.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser

DRAWN = """canvas => {
  const chart = window.Chart && window.Chart.getChart(canvas);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  return Boolean(chart) && canvas.width > 0 && pixels.some(value => value !== 0);
}"""


def _a_chart_is_drawn(page) -> None:
    canvas = page.locator("figure[data-drawn='1'] canvas").first
    canvas.wait_for()
    assert canvas.evaluate(DRAWN), "the chart canvas is empty"


# For each cell a chart leaves out (data-shown): its series' label, why, and the lines its tooltip ends with.
LEFT_OUT = """() => [...document.querySelectorAll("figure[data-drawn='1']")].flatMap(figure => {
  const table = document.getElementById(figure.getAttribute("data-table"));
  const footer = window.Chart.getChart(figure.querySelector("canvas")).options.plugins.tooltip.callbacks.footer;
  const headings = [...table.tHead.rows[0].cells];
  return [...table.tBodies[0].rows].flatMap((row, index) => headings.flatMap((heading, column) =>
    heading.hasAttribute("data-series") && row.cells[column].hasAttribute("data-shown")
      ? [{label: heading.textContent.trim(), why: row.cells[column].getAttribute("data-shown"),
          lines: footer([{dataIndex: index}])}]
      : []));
})"""


def _tooltips_say_why_a_figure_is_not_drawn(page) -> None:
    words = {
        "suppressed": "fewer than 5, not drawn",
        "hidden": "hidden so that a small count cannot be worked out, not drawn",  # its own words, not "fewer than 5"
    }
    left_out = page.evaluate(LEFT_OUT)
    assert any(cell["why"] == "suppressed" for cell in left_out), "the demo data has small counts in a chart"
    for cell in left_out:
        assert f"{cell['label']}: {words[cell['why']]}" in cell["lines"], cell
        assert "Counts of people are rounded to the nearest 5." in cell["lines"], cell


def test_coordinator_filters_indicators_by_organisation_and_sets_a_target(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, "coordinator")
    page.get_by_role("link", name="Indicators", exact=True).first.click()
    page.wait_for_url(re.compile(r"/indicators/$"))
    assert page.get_by_role("heading", name="Referral funnel").is_visible()
    _a_chart_is_drawn(page)
    _tooltips_say_why_a_figure_is_not_drawn(page)
    # Each chart has its data table beside it, and the table holds the numbers.
    assert page.locator("#table-stages tbody tr").count() == 12
    assert_accessible(page)

    # The region filter and the XLSX download are in test_coordinator_reporting_journey.
    # An organisation by name: the search narrows the list (htmx refreshes it with the figures).
    page.get_by_label("Find an organisation by name or place").fill("Ptuj")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"org_q=Ptuj"))
    options = page.locator("#organisation option:not([value=''])")
    assert options.count() >= 1 and "Ptuj" in options.first.inner_text()
    page.get_by_label("Organisation", exact=True).select_option(index=1)
    page.get_by_role("button", name="Show").click()
    page.get_by_role("status").filter(has_text="Organisation:").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Set targets").click()
    page.wait_for_url(re.compile(r"/indicators/targets$"))
    assert_accessible(page)
    page.get_by_label("Indicator").select_option("referrals_sent")
    page.get_by_label("From month").fill("2026-01")
    page.get_by_label("To month").fill("2026-12")
    page.locator("#value").fill("abc")
    page.get_by_role("button", name="Save the target").click()
    page.get_by_text("Give a whole number from 1").first.wait_for()
    assert_accessible(page)
    page.locator("#value").fill("500")
    page.get_by_role("button", name="Save the target").click()
    page.get_by_text("The target was saved.").wait_for()
    assert page.locator("table tbody tr").filter(has_text="Referrals sent").count() == 1

    page.goto("/indicators/summary")
    assert page.get_by_role("heading", level=1).inner_text() == "The programme in figures"
    assert_accessible(page)
    assert not errors, errors
    context.close()


def test_indicators_fit_a_phone(browser, base_url):
    context = browser.new_context(
        base_url=base_url, bypass_csp=True, locale="en-GB", viewport={"width": 375, "height": 812}
    )
    page = context.new_page()
    log_in(page, "coordinator")
    for path in ("/indicators/", "/indicators/targets", "/indicators/summary"):
        page.goto(path)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} is {width[0]}px wide on a {width[1]}px phone"
    context.close()
