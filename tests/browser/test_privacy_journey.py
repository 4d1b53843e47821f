"""In real Chromium: a lead counsellor exports a participant's data (page, print, JSON) and then erases it.
axe-core checks the export page and the confirm screen."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, fill_croatian_case, log_in

pytestmark = pytest.mark.browser


def test_lead_exports_prints_downloads_and_erases(browser, base_url, tmp_path):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    log_in(page, "counsellor")
    page.goto("/cases/new")
    fill_croatian_case(page, "Dragica", "Izvozna", "sorting materials")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    code = re.search(r"(P-\w+)", page.get_by_role("heading", level=1).inner_text()).group(1)

    page.get_by_role("link", name="Export data").click()
    page.wait_for_url(re.compile(r"/export$"))
    assert page.locator("html").get_attribute("lang") == "hr"  # the person's language, not the reader's
    page.goto(page.url + "?language=en")
    assert page.get_by_role("heading", level=1).inner_text() == f"Personal data held on {code}"
    assert page.get_by_text("Dragica Izvozna").is_visible()
    assert_accessible(page)
    page.emulate_media(media="print")
    assert page.locator("header.site-header").is_hidden() and page.locator("nav.no-print").is_hidden()
    assert page.get_by_role("heading", name="Who read or changed the file").is_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")
    page.emulate_media(media="screen")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download as JSON (machine-readable)").click()
    download = info.value
    assert re.fullmatch(rf"{code}-\d{{4}}-\d\d-\d\d\.json", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["format_version"] == 1 and document["participant"]["first_name"] == "Dragica"

    page.goto(case_url)
    page.get_by_role("link", name="Erase personal data").click()
    assert_accessible(page)
    page.get_by_label("The person asked for erasure (GDPR Art. 17)").check()
    page.get_by_label("Type the case code to confirm").fill("P-WRONG1")
    page.get_by_role("button", name="Erase the personal data").click()
    expect(page.get_by_text(f"Type the case code {code} to confirm.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("The person asked for erasure (GDPR Art. 17)").check()
    page.get_by_label("Type the case code to confirm").fill(code)
    page.get_by_role("button", name="Erase the personal data").click()
    page.wait_for_url(case_url)
    assert page.get_by_text("pseudonymised", exact=True).is_visible()
    assert "Dragica" not in page.content()
    context.close()
