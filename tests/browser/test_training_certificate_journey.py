"""In real Chromium, after the training journey's steps: the counsellor downloads the certificate, and once the
network is recomputed the organisation's place shows the new "met at" tie. axe-core checks every page visited.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, log_in
from tests.browser.training_steps import create_module, record_attendance, register_self
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.browser

TITLE = "Modul 7: socialno podjetništvo kot priložnost (certificate test)"


def _english(page) -> None:
    # Another journey may have left a demo user on Slovenian or Croatian: these steps read English.
    page.locator("#language-select").select_option("en")
    page.locator("form.language button").click()
    page.wait_for_load_state()


def _organisation(page, words: str) -> dict:
    answer = page.request.get("/api/v1/network/search", params={"q": words})
    assert answer.ok, answer.text()
    [found] = answer.json()["items"][:1]
    return found


def _recompute(page) -> None:
    page.goto("/network/")
    page.get_by_role("button", name="Recompute now").click()
    # The test server computes in the request: on a busy machine the demo network takes half a minute.
    page.get_by_role("link", name="Show the new results").click(timeout=180_000)
    page.wait_for_url(re.compile(r"/network/$"))


def _met_events(page, org_id: int, other_id: int) -> int:
    """How many training events two organisations' staff shared, as the network picture's data has it."""
    answer = page.request.get("/api/v1/network/graph", params={"focus": org_id, "depth": 1, "limit": 1500})
    assert answer.ok, answer.text()
    ends = {str(org_id), str(other_id)}
    for edge in answer.json()["elements"]["edges"]:
        if {edge["data"]["source"], edge["data"]["target"]} == ends:
            return edge["data"].get("met_at", 0)
    return 0


def test_certificate_and_met_at_tie(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    log_in(page, "coordinator")
    _english(page)
    _recompute(page)
    csd = _organisation(page, "Centar za socijalnu skrb Čakovec")
    cpu = _organisation(page, "ponovne uporabe")
    before = _met_events(page, csd["id"], cpu["id"])
    event_url = create_module(page, TITLE)

    for username in ("counsellor", "enterprise"):  # Čakovec's social work centre, Ljubljana's social enterprise
        context.clear_cookies()
        log_in(page, username)
        _english(page)
        register_self(page, event_url)

    context.clear_cookies()
    log_in(page, "coordinator")
    record_attendance(page, event_url, "Demo counsellor")
    page.goto(event_url + "/attendance")
    page.get_by_label("Demo social enterprise").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved.")).to_be_visible()

    # The counsellor's record lists the module, and its certificate downloads as a PDF naming them.
    context.clear_cookies()
    log_in(page, "counsellor")
    page.goto("/account/training")
    expect(page.get_by_role("heading", name="My training record")).to_be_visible()
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text=TITLE)
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile("Download the certificate")).click()
    assert download.value.suggested_filename.startswith("certificate-TR-")
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "Demo counsellor" in text and TITLE in text

    # After a recompute the network knows the two organisations met once more, apart from formal ties.
    context.clear_cookies()
    log_in(page, "coordinator")
    _recompute(page)
    expect(page.get_by_role("heading", name="Met at training events")).to_be_visible()
    expect(page.get_by_text("pairs met at training events")).to_be_visible()
    assert_accessible(page)
    assert _met_events(page, csd["id"], cpu["id"]) == before + 1
    # The picture can show those ties alone, and the organisation's place lists them apart from its partners.
    page.locator("#network-view").wait_for(state="visible")
    page.get_by_label("Relationship kind").select_option("met_at")
    page.locator("#network-graph[data-ready='true']").wait_for()
    page.goto(f"/network/organisations/{csd['id']}")
    expect(page.get_by_role("heading", name="Met at training events")).to_be_visible()
    expect(page.locator("ul.met-at li").first).to_be_visible()
    assert_accessible(page)
    context.close()
