"""Managing users over HTTP: the list, scope refusals, invitations by e-mail, and every account action."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import asynccontextmanager

import httpx
import pytest
from click.testing import CliRunner

from portal.i18n import gettext, use_language
from tests.fixtures import csrf_token, link_in, login, post_form

USER_LINK = re.compile(r'href="/admin/users/(\d+)"')


@asynccontextmanager
async def another_browser(app):
    """A second client with its own cookies: another person using the portal at the same time."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.2", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        yield other


async def _user(username: str) -> dict:
    from portal.db.tables import PortalUser

    return await PortalUser.select().where(PortalUser.username == username).first()


async def _audit(record_id: int) -> list[dict]:
    from portal.db.tables import AuditEvent

    return (
        await AuditEvent.select()
        .where((AuditEvent.record_type == "user") & (AuditEvent.record_id == record_id))
        .order_by(AuditEvent.id)
    )


async def _fail_logins(username: str, times: int) -> None:
    from portal.db.tables import LoginAttempt

    now = dt.datetime.now(dt.UTC)
    await LoginAttempt.insert(
        *[LoginAttempt(username=username, address="10.0.0.9", succeeded=False, attempted_at=now) for _ in range(times)]
    )


def _invitation(**overrides) -> dict:
    return {
        "username": "nova.svetovalka",
        "display_name": "Nova Svetovalka",
        "email": "nova@example.org",
        "role": "counsellor",
        "language": "sl",
        **overrides,
    }


# --- the list ----------------------------------------------------------------------------------


async def test_the_list_searches_without_diacritics_filters_and_shows_each_users_state(client, make_org, make_user):
    from portal.db.tables import PortalUser

    cakovec = await make_org(name="Centar za socijalnu skrb Čakovec", country="HR", region="Međimurska")
    ptuj = await make_org(name="Zadruga Ptuj")
    await make_user("admin", "admin", organisation_id=ptuj)
    ziga = await make_user("zcucek", "counsellor", organisation_id=ptuj, display_name="Žiga Čuček", email="z@x.si")
    mara = await make_user("mara", "enterprise", organisation_id=cakovec, display_name="Mara Horvat")
    await make_user("gone", "employer", organisation_id=ptuj, display_name="Gone Away")
    await PortalUser.update({PortalUser.is_active: False}).where(PortalUser.username == "gone")
    await PortalUser.update({PortalUser.totp_enabled: True}).where(PortalUser.id == ziga)
    await _fail_logins("mara", 5)
    await login(client, "admin")

    def shown(response: httpx.Response) -> set[int]:
        assert response.status_code == 200
        return {int(user_id) for user_id in USER_LINK.findall(response.text)}

    assert shown(await client.get("/admin/users", params={"q": "ziga cucek"})) == {ziga}
    assert shown(await client.get("/admin/users", params={"q": "ČUČEK"})) == {ziga}
    assert shown(await client.get("/admin/users", params={"q": "cakovec"})) == {mara}  # organisation name
    assert shown(await client.get("/admin/users", params={"q": "z@x.si"})) == {ziga}  # e-mail
    assert shown(await client.get("/admin/users", params={"q": "mara"})) == {mara}  # username
    assert shown(await client.get("/admin/users", params={"q": "100%_"})) == set()
    assert shown(await client.get("/admin/users", params={"role": "enterprise"})) == {mara}
    assert "Gone Away" not in (await client.get("/admin/users?active=yes")).text
    assert "Gone Away" in (await client.get("/admin/users?active=no")).text

    page = (await client.get("/admin/users", params={"q": "mara"})).text
    assert "locked" in page and "Centar za socijalnu skrb Čakovec" in page
    row = (await client.get("/admin/users", params={"q": "cucek"})).text
    assert "z@x.si" in row and ">on<" in row and "never" in row and "locked" not in row


async def test_the_list_pages_through_users_who_share_a_name_without_repeating_one(client, make_org, make_user):
    from portal.db.tables import PortalUser
    from portal.users.services import PER_PAGE

    home = await make_org()
    admin = await make_user("admin", "admin", organisation_id=home, display_name="Zz admin")
    now = dt.datetime.now(dt.UTC)
    await PortalUser.insert(
        *[
            PortalUser(
                username=f"same{i}",
                password_hash="",
                display_name="Same Name",
                organisation=home,
                role="counsellor",
                created_at=now,
            )
            for i in range(PER_PAGE + 5)
        ]
    )
    await login(client, "admin")
    seen: list[int] = []
    for page in (1, 2):
        response = await client.get("/admin/users", params={"q": "same", "page": page})
        seen += [int(user_id) for user_id in USER_LINK.findall(response.text)]
    assert len(seen) == len(set(seen)) == PER_PAGE + 5
    invited = await client.get("/admin/users", params={"invited": "1", "page": 2})
    assert "Page 2 of 2" in invited.text and f"{PER_PAGE + 5} users found" in invited.text
    assert admin not in {int(user_id) for user_id in USER_LINK.findall(invited.text)}


# --- who may manage whom ----------------------------------------------------------------------------------


async def test_a_coordinator_manages_only_the_other_roles_in_their_country_and_sees_404_elsewhere(
    client, make_org, make_user
):
    si_home, si_other = await make_org(name="Koordinacija SI"), await make_org(name="Center SI")
    hr_org = await make_org(name="Centar HR", country="HR", region="Međimurska")
    await make_user("coord", "coordinator", organisation_id=si_home)
    mine = await make_user("mine", "counsellor", organisation_id=si_other, display_name="Mine")
    foreign = await make_user("foreign", "counsellor", organisation_id=hr_org, display_name="Foreign")
    boss = await make_user("boss", "admin", organisation_id=si_other, display_name="Boss")
    peer = await make_user("peer", "coordinator", organisation_id=si_other, display_name="Peer")
    await login(client, "coord")

    listed = (await client.get("/admin/users")).text
    assert {int(i) for i in USER_LINK.findall(listed)} == {mine}
    assert (await client.get(f"/admin/users/{mine}")).status_code == 200
    for hidden in (foreign, boss, peer):
        assert (await client.get(f"/admin/users/{hidden}")).status_code == 404
        for action in ("edit", "deactivate", "unlock", "password-reset", "invitation", "two-factor-reset"):
            data = {"display_name": "Taken over", "email": "x@example.org", "role": "counsellor"}
            response = await post_form(client, f"/admin/users/{hidden}/{action}", {**data, "organisation_id": si_other})
            assert response.status_code == 404, action
    assert (await _user("boss"))["display_name"] == "Boss" and (await _user("boss"))["is_active"]
    assert (await _user("foreign"))["is_active"]

    # Promoting someone in scope to coordinator (or admin) is refused, and nothing changes.
    for role in ("coordinator", "admin"):
        data = {"display_name": "Mine", "email": "", "role": role, "organisation_id": si_other}
        refused = await post_form(client, f"/admin/users/{mine}/edit", data)
        assert refused.status_code == 422 and "Choose one of the listed roles." in refused.text
        assert (await _user("mine"))["role"] == "counsellor"
    # Moving them to an organisation in the other country is refused too.
    data = {"display_name": "Mine", "email": "", "role": "counsellor", "organisation_id": hr_org}
    moved = await post_form(client, f"/admin/users/{mine}/edit", data)
    assert moved.status_code == 422 and "your programme" in moved.text
    assert (await _user("mine"))["organisation"] == si_other
    # Nor may a coordinator invite one.
    invite = await post_form(client, "/admin/users/new", _invitation(role="coordinator", organisation_id=si_other))
    assert invite.status_code == 422 and await _user("nova.svetovalka") is None
    new_form = (await client.get("/admin/users/new")).text
    assert 'value="coordinator"' not in new_form and 'value="admin"' not in new_form


async def test_a_counsellor_is_refused_everywhere(client, make_org, make_user):
    home = await make_org()
    await make_user("coun", "counsellor", organisation_id=home)
    other = await make_user("other", "counsellor", organisation_id=home)
    await login(client, "coun")
    assert (await client.get("/admin/users")).status_code == 403
    assert (await client.get("/admin/users/new")).status_code == 403
    assert (await client.get(f"/admin/users/{other}")).status_code == 403
    assert (await post_form(client, f"/admin/users/{other}/deactivate", {})).status_code == 403
    invite = await post_form(client, "/admin/users/new", _invitation(organisation_id=home))
    assert invite.status_code == 403 and await _user("nova.svetovalka") is None
    assert (await _user("other"))["is_active"]
    assert 'href="/admin/users"' not in (await client.get("/")).text


# --- invitations ---------------------------------------------------------------------------------


async def test_an_invited_user_sets_a_password_by_the_mailed_link_and_logs_in(
    app, client, make_org, make_user, mailbox, monkeypatch
):
    from portal.auth import emails

    home = await make_org()
    admin_id = await make_user("admin", "admin", organisation_id=home, display_name="Ana Admin")
    await login(client, "admin")
    assert 'href="/admin/users"' in (await client.get("/")).text
    languages = []
    original = emails.invitation_mail
    monkeypatch.setattr(
        emails,
        "invitation_mail",
        lambda to, language, *rest: languages.append(language) or original(to, language, *rest),
    )

    form = await client.get("/admin/users/new")
    assert form.status_code == 200 and 'name="organisation_id"' in form.text
    created = await post_form(client, "/admin/users/new", _invitation(organisation_id=home))
    assert created.status_code == 303
    invitee = await _user("nova.svetovalka")
    assert invitee["password_hash"] == "" and invitee["email"] == "nova@example.org" and invitee["language"] == "sl"
    assert created.headers["location"] == f"/admin/users/{invitee['id']}?notice=invited"
    page = (await client.get(created.headers["location"])).text
    assert "the invitation link was sent by e-mail" in page and "Send the invitation again" in page
    assert languages == ["sl"] and len(mailbox) == 1 and mailbox[0]["To"] == "nova@example.org"
    assert "Ana Admin" in mailbox[0].get_body().get_content()
    link = link_in(mailbox[0], "/invitation/")

    async with another_browser(app) as invitee_browser:
        shown = await invitee_browser.get(link)
        assert shown.status_code == 200 and "Choose your password" in shown.text
        assert shown.headers["cache-control"] == "no-store" and shown.headers["referrer-policy"] == "no-referrer"
        token = await csrf_token(invitee_browser, link)
        for bad in (
            {"new_password": "short", "new_password_again": "short"},
            {"new_password": "nova.svetovalka", "new_password_again": "nova.svetovalka"},
            {"new_password": "a-good-long-password", "new_password_again": "another-long-password"},
        ):
            refused = await invitee_browser.post(link, data={**bad, "_csrf_token": token})
            assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
        assert (await _user("nova.svetovalka"))["password_hash"] == ""  # and the link still works:
        good = {"new_password": "a-good-long-password", "new_password_again": "a-good-long-password"}
        accepted = await invitee_browser.post(link, data={**good, "_csrf_token": token})
        assert accepted.status_code == 303 and accepted.headers["location"] == "/login?notice=password_set"
        assert "Your password is set; log in." in (await invitee_browser.get(accepted.headers["location"])).text
        await login(invitee_browser, "nova.svetovalka", "a-good-long-password")
        assert (await invitee_browser.get("/cases/")).status_code == 200

        reused = await invitee_browser.post(link, data={**good, "_csrf_token": token})
        with use_language("sl"):  # now logged in, the invitee reads the portal in the language given at the invitation
            gone = gettext("This invitation no longer works")
        assert reused.status_code == 410 and gone in reused.text
        assert (await invitee_browser.get(link)).status_code == 410

    stored = await _user("nova.svetovalka")
    assert stored["password_changed_at"] is not None
    events = await _audit(stored["id"])
    assert [e["action"] for e in events][:1] == ["create"] and events[0]["user"] == admin_id
    accepted = [e for e in events if "invitation accepted" in e["detail"]]
    assert [(e["detail"], e["user"]) for e in accepted] == [
        ("invitation accepted by nova.svetovalka: password set", None)
    ]
    assert all("a-good-long-password" not in e["detail"] and "/invitation/" not in e["detail"] for e in events)
    detail = (await client.get(f"/admin/users/{stored['id']}")).text
    assert "Send the invitation again" not in detail and "Accepted" in detail


async def test_an_expired_or_withdrawn_invitation_is_refused(client, make_org, make_user):
    from portal.auth import tokens
    from portal.db.tables import AccountToken
    from portal.users import services

    home = await make_org()
    values = {**_invitation(), "organisation_id": home}
    user_id = await services.create_invited_user(values)
    expired = await tokens.issue(user_id, tokens.INVITATION)
    await AccountToken.update({AccountToken.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}).where(
        AccountToken.user == user_id
    )
    assert (await client.get(f"/invitation/{expired}")).status_code == 410
    token = await csrf_token(client, "/")
    good = {"new_password": "a-good-long-password", "new_password_again": "a-good-long-password", "_csrf_token": token}
    assert (await client.post(f"/invitation/{expired}", data=good)).status_code == 410
    assert (await client.get("/invitation/not-a-token")).status_code == 410
    # A reset link is not an invitation.
    reset = await tokens.issue(user_id, tokens.RESET)
    assert (await client.post(f"/invitation/{reset}", data=good)).status_code == 410
    assert (await _user("nova.svetovalka"))["password_hash"] == ""


async def test_a_failed_invitation_mail_keeps_the_user_invited_and_offers_to_send_again(
    client, make_org, make_user, mailbox, monkeypatch
):
    from portal.mail.sender import MailError
    from portal.users import services

    home = await make_org()
    await make_user("admin", "admin", organisation_id=home)
    await login(client, "admin")
    real_send = services.send

    async def broken(mail):
        raise MailError("connection refused")

    monkeypatch.setattr(services, "send", broken)
    created = await post_form(client, "/admin/users/new", _invitation(organisation_id=home))
    invitee = await _user("nova.svetovalka")
    assert created.headers["location"] == f"/admin/users/{invitee['id']}?notice=invite_mail_failed"
    page = (await client.get(created.headers["location"])).text
    assert "could not be sent" in page and page.count("Send the invitation again") == 2
    assert invitee["password_hash"] == "" and mailbox == []

    monkeypatch.setattr(services, "send", real_send)
    again = await post_form(client, f"/admin/users/{invitee['id']}/invitation", {})
    assert again.headers["location"].endswith("?notice=invitation_sent")
    assert "Earlier links no longer work." in (await client.get(again.headers["location"])).text
    assert len(mailbox) == 1 and (await client.get(link_in(mailbox[0], "/invitation/"))).status_code == 200
    assert [e["detail"] for e in await _audit(invitee["id"]) if e["action"] != "read"] == [
        f"invited as counsellor at organisation {home}; invitation mail failed",
        "invitation sent again",
    ]


async def test_a_bad_invitation_shows_each_fields_message_and_writes_nothing(client, make_org, make_user):
    from portal.db.tables import PortalUser

    home = await make_org()
    await make_user("admin", "admin", organisation_id=home)
    await make_user("taken", "counsellor", organisation_id=home)
    await login(client, "admin")
    before = await PortalUser.count()
    cases = [
        (_invitation(email="", organisation_id=home), "email"),
        (_invitation(email="not-an-address", organisation_id=home), "email"),
        (_invitation(username="no spaces", organisation_id=home), "username"),
        (_invitation(username="taken", organisation_id=home), "username"),
        (_invitation(role="superuser", organisation_id=home), "role"),
        (_invitation(display_name="", organisation_id=home), "display_name"),
        (_invitation(language="de", organisation_id=home), "language"),
        (_invitation(organisation_id=""), "organisation_id"),
        (_invitation(organisation_id=2**31 - 1), "organisation_id"),
    ]
    for data, field in cases:
        response = await post_form(client, "/admin/users/new", data)
        assert response.status_code == 422, field
        assert f'id="{field}-error"' in response.text, field
        assert 'value="Nova Svetovalka"' in response.text or field == "display_name"
    assert await PortalUser.count() == before


# --- account actions -----------------------------------------------------------------------------


async def test_deactivating_logs_the_user_out_at_once_and_reactivating_lets_them_back(app, client, make_org, make_user):
    home = await make_org()
    await make_user("admin", "admin", organisation_id=home)
    coun = await make_user("coun", "counsellor", organisation_id=home)
    await login(client, "admin")
    async with another_browser(app) as theirs:
        await login(theirs, "coun")
        assert (await theirs.get("/cases/")).status_code == 200
        done = await post_form(client, f"/admin/users/{coun}/deactivate", {})
        assert done.headers["location"] == f"/admin/users/{coun}?notice=deactivated"
        assert "signed out everywhere" in (await client.get(done.headers["location"])).text
        logged_out = await theirs.get("/cases/")
        assert logged_out.status_code in (302, 303, 401) and "/login" in logged_out.headers.get("location", "/login")
        refused = await post_form(theirs, "/login", {"username": "coun", "password": "secret-pass-123"})
        assert refused.status_code == 401
        back = await post_form(client, f"/admin/users/{coun}/reactivate", {})
        assert back.headers["location"].endswith("?notice=reactivated")
        await login(theirs, "coun")
    details = [e["detail"] for e in await _audit(coun) if e["action"] == "update"]
    assert details == ["deactivated; sessions ended", "reactivated"]


async def test_a_manager_cannot_deactivate_or_demote_themselves(client, make_org, make_user):
    home = await make_org()
    me = await make_user("admin", "admin", organisation_id=home, display_name="Me")
    await login(client, "admin")
    page = (await client.get(f"/admin/users/{me}")).text
    assert f'action="/admin/users/{me}/deactivate"' not in page
    refused = await post_form(client, f"/admin/users/{me}/deactivate", {})
    assert refused.headers["location"] == f"/admin/users/{me}?notice=self_deactivate"
    assert "You cannot deactivate your own account" in (await client.get(refused.headers["location"])).text
    demoted = await post_form(
        client,
        f"/admin/users/{me}/edit",
        {"display_name": "Me", "email": "", "role": "counsellor", "organisation_id": home},
    )
    assert demoted.status_code == 422 and "You cannot change your own role" in demoted.text
    stored = await _user("admin")
    assert stored["is_active"] and stored["role"] == "admin"


async def test_editing_saves_the_changes_and_audits_what_changed_without_personal_values(client, make_org, make_user):
    home, other = await make_org(), await make_org(name="Druga ustanova", description="Nekaj drugega.")
    await make_user("admin", "admin", organisation_id=home)
    coun = await make_user("coun", "counsellor", organisation_id=home, display_name="Old Name")
    await login(client, "admin")
    page = await client.get(f"/admin/users/{coun}")
    assert page.status_code == 200 and 'value="Old Name"' in page.text
    data = {"display_name": "New Name", "email": "new@example.org", "role": "enterprise", "organisation_id": other}
    saved = await post_form(client, f"/admin/users/{coun}/edit", data)
    assert saved.headers["location"] == f"/admin/users/{coun}?notice=saved"
    assert "The changes are saved." in (await client.get(saved.headers["location"])).text
    stored = await _user("coun")
    assert (stored["display_name"], stored["email"], stored["role"], stored["organisation"]) == (
        "New Name",
        "new@example.org",
        "enterprise",
        other,
    )
    update = [e for e in await _audit(coun) if e["action"] == "update"][0]
    assert "role counsellor -> enterprise" in update["detail"] and f"organisation {home} -> {other}" in update["detail"]
    assert "new@example.org" not in update["detail"] and "New Name" not in update["detail"]
    unchanged = await post_form(client, f"/admin/users/{coun}/edit", data)
    assert unchanged.headers["location"].endswith("?notice=unchanged")
    # The organisation finder (no JavaScript) reloads the page with the list narrowed.
    found = await client.get(f"/admin/users/{coun}", params={"field": "organisation_id", "org_q": "ustanova"})
    assert "Druga ustanova (Ptuj" in found.text and "Zadruga Testni krog (Ptuj" not in found.text


async def test_unlock_lifts_a_throttling_lock_at_once(app, client, make_org, make_user):
    from portal.auth import two_factor

    home = await make_org()
    await make_user("admin", "admin", organisation_id=home)
    coun = await make_user("coun", "counsellor", organisation_id=home)
    await _fail_logins("coun", 6)
    await _fail_logins(two_factor.throttle_key("coun"), 6)
    await login(client, "admin")
    assert "Locked after too many failed attempts" in (await client.get(f"/admin/users/{coun}")).text
    async with another_browser(app) as theirs:
        locked = await post_form(theirs, "/login", {"username": "coun", "password": "secret-pass-123"})
        assert locked.status_code == 429
        done = await post_form(client, f"/admin/users/{coun}/unlock", {})
        assert done.headers["location"].endswith("?notice=unlocked")
        assert "Not locked" in (await client.get(f"/admin/users/{coun}")).text
        await login(theirs, "coun")
    assert any(e["detail"].startswith("unlocked: 13 failed") for e in await _audit(coun))


async def test_a_password_reset_link_is_mailed_to_the_user(client, make_org, make_user, mailbox):
    from portal.db.tables import AccountToken

    home = await make_org()
    admin = await make_user("admin", "admin", organisation_id=home)
    coun = await make_user("coun", "counsellor", organisation_id=home, email="coun@example.org")
    bare = await make_user("bare", "counsellor", organisation_id=home)
    await login(client, "admin")
    sent = await post_form(client, f"/admin/users/{coun}/password-reset", {})
    assert sent.headers["location"].endswith("?notice=reset_sent")
    assert len(mailbox) == 1 and mailbox[0]["To"] == "coun@example.org"
    assert link_in(mailbox[0], "/password/reset/").startswith("/password/reset/")
    token = await AccountToken.select().where(AccountToken.user == coun).order_by(AccountToken.id).first()
    assert token["purpose"] == "reset" and token["created_by"] == admin
    no_address = await post_form(client, f"/admin/users/{bare}/password-reset", {})
    assert no_address.headers["location"].endswith("?notice=no_email") and len(mailbox) == 1
    # The sent link is audited against the manager; the refusal changed nothing, so it wrote no row.
    sent_rows = [e for e in await _audit(coun) if e["action"] == "update"]
    assert [(e["detail"], e["user"]) for e in sent_rows] == [("password reset link sent", admin)]
    assert [e for e in await _audit(bare) if e["action"] == "update"] == []


async def test_resetting_two_factor_turns_it_off_and_ends_the_sessions(app, client, make_org, make_user):
    from portal.db.tables import PortalUser, UserSession

    home = await make_org()
    await make_user("admin", "admin", organisation_id=home)
    coun = await make_user("coun", "counsellor", organisation_id=home)
    async with another_browser(app) as theirs:
        await login(theirs, "coun")
    await PortalUser.update({PortalUser.totp_enabled: True, PortalUser.totp_secret: "JBSWY3DPEHPK3PXP"}).where(
        PortalUser.id == coun
    )
    await login(client, "admin")
    assert "Reset two-factor sign-in" in (await client.get(f"/admin/users/{coun}")).text
    done = await post_form(client, f"/admin/users/{coun}/two-factor-reset", {})
    assert done.headers["location"].endswith("?notice=two_factor_reset")
    stored = await _user("coun")
    assert not stored["totp_enabled"] and stored["totp_secret"] == ""
    assert await UserSession.count().where(UserSession.user == coun) == 0
    details = [e["detail"] for e in await _audit(coun) if e["action"] == "update"]
    assert details == ["two-factor sign-in reset; sessions ended"]


@pytest.mark.parametrize("email, code", [("cli@example.org", 0), ("not an address", 2)])
def test_create_user_takes_an_email(command_db, email, code):
    import asyncio

    from portal.cli import main
    from portal.organisations import services
    from tests.fixtures import ORG_DEFAULTS

    asyncio.run(services.create_organisation(dict(ORG_DEFAULTS), slug="cli-org"))
    args = ["create-user", "--username", "cli", "--role", "counsellor", "--organisation", "cli-org"]
    result = CliRunner().invoke(main, [*args, "--email", email, "--password", "secret-pass-123"])
    assert result.exit_code == code, result.output
    stored = asyncio.run(_user("cli"))
    assert (stored["email"] if stored else None) == (email if code == 0 else None)


async def test_two_invitations_of_one_username_at_once_give_a_field_error_not_a_500(make_org):
    import asyncio

    from portal.users import services

    values = {**_invitation(), "organisation_id": await make_org()}
    results = await asyncio.gather(*(services.create_invited_user(values) for _ in range(2)), return_exceptions=True)
    assert sum(isinstance(r, int) for r in results) == 1
    conflict = next(r for r in results if not isinstance(r, int))
    assert isinstance(conflict, services.Conflict) and conflict.field == "username"


async def test_a_new_email_address_withdraws_the_links_mailed_to_the_old_one(client, make_org, make_user, mailbox):
    home = await make_org()
    await make_user("admin", "admin", organisation_id=home)
    await login(client, "admin")
    await post_form(client, "/admin/users/new", _invitation(email="typo@exmaple.org", organisation_id=home))
    invitee = await _user("nova.svetovalka")
    old_link = link_in(mailbox[0], "/invitation/")
    data = {"display_name": "Nova Svetovalka", "email": "nova@example.org", "role": "counsellor"}
    saved = await post_form(client, f"/admin/users/{invitee['id']}/edit", {**data, "organisation_id": home})
    assert saved.headers["location"].endswith("?notice=saved")
    assert (await client.get(old_link)).status_code == 410
    assert "send the invitation again" in (await client.get(f"/admin/users/{invitee['id']}")).text
    update = [e for e in await _audit(invitee["id"]) if e["action"] == "update"][0]
    assert update["detail"] == "e-mail changed; 1 unused mailed links withdrawn"
    await post_form(client, f"/admin/users/{invitee['id']}/invitation", {})
    assert mailbox[-1]["To"] == "nova@example.org"
    assert (await client.get(link_in(mailbox[-1], "/invitation/"))).status_code == 200


async def test_a_coordinator_cannot_redirect_an_active_users_mail(client, make_user, make_org):
    """Reset links go to the account's address: changing it is for admins once the account is in use."""
    from portal.db.tables import PortalUser

    office = await make_org(name="Centre", kind="social_work_centre", country="SI")
    await make_user("coord", "coordinator", organisation_id=office)
    target = await make_user("ana", "counsellor", organisation_id=office, email="ana@centre.example")
    await login(client, "coord")
    page = await client.get(f"/admin/users/{target}")
    assert page.status_code == 200
    response = await post_form(
        client,
        f"/admin/users/{target}/edit",
        {"display_name": "Ana", "email": "coord@elsewhere.example", "role": "counsellor", "organisation_id": office},
    )
    assert response.status_code == 422 and "Only an administrator" in response.text
    row = await PortalUser.select(PortalUser.email).where(PortalUser.id == target).first()
    assert row["email"] == "ana@centre.example"
