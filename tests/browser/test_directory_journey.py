"""In real Chromium: log in, search the directory as you type, open an organisation, switch language.

axe-core checks every page visited and fails on any serious or critical WCAG violation.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser


def test_log_in_search_as_you_type_open_and_switch_language(browser, base_url):
    # bypass_csp lets the test inject axe-core; the app's own CSP stays strict for users.
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.goto("/login")
    assert_accessible(page)
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").last.click()
    page.wait_for_url(f"{base_url}/")
    assert page.locator("header").get_by_text("Demo coordinator").is_visible()  # the signed-in user, in the header
    assert_accessible(page)

    page.goto("/organisations/")
    assert_accessible(page)
    loads: list[str] = []
    page.on("load", lambda _: loads.append(page.url))
    page.get_by_label("Search").press_sequentially("cakovec", delay=60)
    results = page.locator("#results")
    results.get_by_role("link", name="Centar za socijalnu skrb Čakovec").wait_for()
    assert not loads, "search as you type must not reload the page"
    assert "q=cakovec" in page.url  # the address follows the search, so it can be shared
    assert_accessible(page)

    results.get_by_role("link", name="Centar za socijalnu skrb Čakovec").click()
    page.wait_for_url(re.compile(r"/organisations/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Centar za socijalnu skrb Čakovec"
    assert page.get_by_role("link", name=re.compile("Znanstveno-raziskovalno središče Bistra Ptuj")).count() >= 1
    assert_accessible(page)

    page.get_by_label("Language").select_option("sl")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "sl"
    assert page.get_by_role("heading", level=1).inner_text() == "Centar za socijalnu skrb Čakovec"
    assert page.get_by_role("link", name="Organizacije").first.is_visible()
    assert_accessible(page)
    context.close()


def test_directory_and_forms_work_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto("/organisations/")
    page.get_by_label("Search").fill("ptuj")
    page.get_by_label("Kind").select_option("social_work_centre")
    page.locator("form.filters").get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=ptuj"))
    assert page.locator("#results").get_by_role("link").count() >= 1
    page.goto("/login")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").last.click()
    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    context.close()


def test_edit_form_shows_each_problem_in_the_browser(browser, base_url):
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Username").fill("enterprise")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").last.click()
    page.wait_for_url(f"{base_url}/")
    page.goto("/organisations/?q=center+ponovne+uporabe")
    page.locator("#results").get_by_role("link").first.click()
    page.get_by_role("link", name="Edit", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Name").fill("")
    page.get_by_label("E-mail").fill("not an address")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.get_by_text("Enter the organisation's name.").first.is_visible()
    assert page.get_by_label("E-mail").input_value() == "not an address"
    assert_accessible(page)
    context.close()
