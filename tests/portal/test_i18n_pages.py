"""Pages in the visitor's language: browser default, the switch on every page, a user's saved choice."""

from __future__ import annotations

from portal.db.tables import PortalUser
from portal.i18n import gettext, use_language
from tests.fixtures import login, post_form


def translated(language: str, message: str) -> str:
    with use_language(language):
        return gettext(message)


async def test_browser_language_picks_the_default(client, db):
    page = await client.get("/organisations/", headers={"Accept-Language": "hr-HR,hr;q=0.9,en;q=0.5"})
    assert '<html lang="hr">' in page.text
    assert translated("hr", "Organisations") in page.text
    english = await client.get("/organisations/", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in english.text


async def test_switch_is_remembered_for_a_visitor(client, db):
    response = await post_form(client, "/language", {"language": "sl", "next": "/organisations/?q=ptuj"})
    assert response.status_code == 303 and response.headers["location"] == "/organisations/?q=ptuj"
    page = await client.get("/organisations/", headers={"Accept-Language": "en"})
    assert '<html lang="sl">' in page.text and translated("sl", "Search") in page.text
    # An unknown language or a foreign next changes nothing and goes nowhere else.
    response = await post_form(client, "/language", {"language": "xx", "next": "https://evil.example.com"})
    assert response.headers["location"] == "/"


async def test_a_users_choice_is_saved_on_the_account(client, make_user):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    await post_form(client, "/language", {"language": "hr", "next": "/"})
    row = await PortalUser.select(PortalUser.language).where(PortalUser.username == "ana").first()
    assert row["language"] == "hr"
    client.cookies.delete("portal_lang")
    page = await client.get("/", headers={"Accept-Language": "sl"})
    assert '<html lang="hr">' in page.text


async def test_error_pages_speak_the_visitors_language(client, db):
    for language in ("sl", "hr", "en"):
        page = await client.get("/no-such-page", headers={"Accept-Language": language})
        assert page.status_code == 404
        assert f'<html lang="{language}">' in page.text
        assert translated(language, "Page not found") in page.text
