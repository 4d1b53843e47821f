"""In real Chromium on the demo data, one coordinator's reporting round (issue 13): the indicators filtered by
region, their XLSX downloaded and read with openpyxl, the map filtered to the same region and a marker
clicked through to an organisation, then the whole directory asked for as HSDS, waited for and downloaded.

axe-core checks every page visited and fails on any serious or critical WCAG violation. The indicators'
organisation filter and targets are in test_indicators_journey; the map's clusters, keyboard and list
fallback (without logging in) in test_map_journey.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser

REGION = "Podravska"
CHART_DRAWN = """canvas => {
  const chart = window.Chart && window.Chart.getChart(canvas);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  return Boolean(chart) && canvas.width > 0 && pixels.some(value => value !== 0);
}"""
HSDS_TABLES = {
    "organizations.csv",
    "services.csv",
    "locations.csv",
    "service_at_location.csv",
    "addresses.csv",
    "phones.csv",
    "contacts.csv",
}


def _a_chart_is_drawn(page) -> None:
    canvas = page.locator("figure[data-drawn='1'] canvas").first
    canvas.wait_for()
    assert canvas.evaluate(CHART_DRAWN), "the chart canvas is empty"


def _indicators_by_region_as_xlsx(page) -> None:
    page.get_by_role("link", name="Indicators", exact=True).first.click()
    page.wait_for_url(re.compile(r"/indicators/$"))
    _a_chart_is_drawn(page)
    assert page.locator("#table-stages tbody tr").count() == 12  # each chart has its data table beside it
    assert_accessible(page)

    page.get_by_label("Region", exact=True).select_option(REGION)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"region={REGION}"))
    page.get_by_role("status").filter(has_text=f"Region: {REGION}").wait_for()
    _a_chart_is_drawn(page)  # redrawn after htmx replaced the figures
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="All tables as XLSX").click()
    assert download.value.suggested_filename.endswith("-all.xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert {"stages", "funnel", "employers", "network_growth"} <= set(book.sheetnames)
    assert f"Region: {REGION}" in book["funnel"]["A2"].value
    shown = [cell.inner_text() for cell in page.locator("#table-funnel tbody tr").first.locator("td").all()]
    written = next(book["funnel"].iter_rows(min_row=4, max_row=4, values_only=True))
    assert shown[0].replace(",", "").replace(".", "") == str(written[1])  # the file holds what the page shows


def _map_to_an_organisation(page) -> str:
    page.get_by_role("link", name="Map", exact=True).first.click()
    page.wait_for_url(re.compile(r"/map/$"))
    page.get_by_label("Show").select_option("organisations")
    page.get_by_label("Region or county").select_option(REGION)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"region={REGION}"))
    page.locator("#map-view[data-ready='true']").wait_for()
    assert int(page.locator("#map-view").get_attribute("data-points")) >= 1
    assert_accessible(page)

    # Zoom into clusters with the mouse until a single marker shows; its popup links to the organisation.
    for _ in range(6):
        pin = page.locator(".leaflet-marker-pane .map-pin").first
        if pin.count() and pin.is_visible():
            break
        page.locator(".leaflet-marker-pane .map-cluster").first.click()
        page.wait_for_timeout(600)
    pin = page.locator(".leaflet-marker-pane .map-pin").first
    name = pin.get_attribute("title")
    pin.click()
    popup = page.locator(".leaflet-popup")
    popup.get_by_text(name).wait_for()
    page.wait_for_timeout(400)  # Leaflet fades the popup in; axe would measure its contrast half-way
    assert_accessible(page)
    popup.get_by_role("link", name="Open the page").click()
    page.wait_for_url(re.compile(r"/organisations/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert REGION in page.locator("main").inner_text()
    assert_accessible(page)
    return name


def _hsds_export(page, organisation: str) -> None:
    page.get_by_role("link", name="Organisations", exact=True).first.click()
    page.wait_for_url(re.compile(r"/organisations/"))
    assert_accessible(page)
    page.get_by_role("button", name="HSDS tables with contact persons (ZIP)").click()
    page.wait_for_url(re.compile(r"/exports/\d+$"))
    # Built by a job: the page polls (htmx) until the link shows.
    link = page.get_by_role("link", name=re.compile(r"^Download directory-hsds-.*\.zip$"))
    link.wait_for(timeout=60_000)
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert HSDS_TABLES | {"datapackage.json"} <= set(archive.namelist())
    organisations = list(csv.DictReader(io.StringIO(archive.read("organizations.csv").decode("utf-8"))))
    assert len(organisations) > 50 and organisation in {row["name"] for row in organisations}

    page.goto("/exports/")
    assert page.locator("table tbody tr").filter(has_text="HSDS").count() >= 1
    assert_accessible(page)


def _public_hsds(browser, base_url: str, page, organisation: str) -> None:
    """The coordinator prepares the public copy; then anyone downloads it from the directory page."""
    page.goto("/organisations/")
    page.get_by_role("button", name="Prepare the public copy").click()
    page.wait_for_url(re.compile(r"/exports/\d+$"))
    page.get_by_role("link", name=re.compile(r"^Download directory-hsds-.*\.zip$")).wait_for(timeout=60_000)
    anonymous = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB", accept_downloads=True)
    visitor = anonymous.new_page()
    visitor.goto("/organisations/")
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="HSDS tables (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    organisations = list(csv.DictReader(io.StringIO(archive.read("organizations.csv").decode("utf-8"))))
    assert organisation in {row["name"] for row in organisations}
    anonymous.close()


def test_coordinator_reports_by_region_maps_it_and_exports_the_directory(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, "coordinator")
    _indicators_by_region_as_xlsx(page)
    organisation = _map_to_an_organisation(page)
    _hsds_export(page, organisation)
    _public_hsds(browser, base_url, page, organisation)
    assert not errors, errors
    context.close()
