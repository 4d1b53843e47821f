"""The notifications area: the list and marking all read, and who hears of each referral step with which link."""

from __future__ import annotations

from portal.db.tables import Notification, Participant, PortalUser
from portal.notifications.services import notify
from tests.fixtures import csrf_token, login, post_form
from tests.flows import open_case, refer, setting, step, switch


async def _user_id(username: str) -> int:
    return (await PortalUser.select(PortalUser.id).where(PortalUser.username == username).first())["id"]


async def _code(participant_id: int) -> str:
    return (await Participant.select(Participant.code).where(Participant.id == participant_id).first())["code"]


async def _notes(user_id: int) -> list[dict]:
    return (
        await Notification.select(Notification.key, Notification.params, Notification.link)
        .where(Notification.user == user_id)
        .order_by(Notification.id)
    )


async def test_the_list_shows_a_users_own_and_marks_them_all_read(client, make_user):
    ana = await make_user("ana", "counsellor")
    eve = await make_user("eve", "counsellor")
    await notify({"id": ana}, "referral.new", {"code": "P-AAAAAA"}, "/referrals/inbox")
    await notify({"id": ana}, "training.promoted", {"title": "Interview skills"}, "/training/events/1")
    await notify({"id": eve}, "referral.new", {"code": "P-EEEEEE"}, "/referrals/inbox")
    await login(client, "ana")
    listing = await client.get("/notifications/")
    assert listing.status_code == 200
    assert "New referral P-AAAAAA in your inbox" in listing.text and "Interview skills" in listing.text
    assert "P-EEEEEE" not in listing.text and listing.text.count("<strong>new</strong>") == 2
    assert 'action="/notifications/read"' in listing.text

    marked = await post_form(client, "/notifications/read", {})
    assert marked.status_code == 303 and marked.headers["location"] == "/notifications/"
    assert await Notification.count().where((Notification.user == ana) & Notification.read.eq(False)) == 0
    assert "<strong>new</strong>" not in (await client.get("/notifications/")).text
    # Someone else's stay unread.
    assert await Notification.count().where((Notification.user == eve) & Notification.read.eq(False)) == 1


async def test_the_anonymous_are_refused_and_change_nothing(client, make_user):
    ana = await make_user("ana", "counsellor")
    await notify({"id": ana}, "referral.new", {"code": "P-AAAAAA"}, "/referrals/inbox")
    listing = await client.get("/notifications/")
    assert listing.status_code == 303 and listing.headers["location"].startswith("/login")
    token = await csrf_token(client)
    marked = await client.post("/notifications/read", data={"_csrf_token": token})
    assert marked.status_code == 401 or marked.headers.get("location", "").startswith("/login")
    assert await Notification.count().where(Notification.read.eq(False)) == 1


async def test_each_referral_step_is_told_to_the_other_side_with_its_link(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    ana, host = await _user_id("ana"), await _user_id("host")
    code = await _code(participant)
    referral = await refer(client, participant, opportunity)
    assert [(n["key"], n["link"]) for n in await _notes(host)] == [("referral.new", f"/referrals/{referral}")]
    assert f'"code": "{code}"' in (await _notes(host))[0]["params"]

    await switch(client, "host")
    assert (await step(client, referral, "accepted")).status_code == 303
    undone = await post_form(client, f"/referrals/{referral}/undo", {})
    assert undone.status_code == 303
    told = await _notes(ana)
    assert [(n["key"], n["link"]) for n in told] == [
        ("referral.status", f"/cases/{participant}#referrals"),
        ("referral.undone", f"/cases/{participant}#referrals"),
    ]
    assert all('"status": "accepted"' in n["params"] and f'"code": "{code}"' in n["params"] for n in told)

    # The counsellor takes back a send the host has not opened: the host hears of it, pointed at the inbox.
    await switch(client, "ana")
    other = await open_case(client, birth_year="1992", first_name="Eva", last_name="Novak")
    second = await refer(client, other, opportunity)
    assert (await post_form(client, f"/referrals/{second}/undo", {})).status_code == 303
    last = (await _notes(host))[-1]
    assert (last["key"], last["link"]) == ("referral.withdrawn", "/referrals/inbox")
    assert f'"code": "{await _code(other)}"' in last["params"]


async def test_a_link_leading_off_the_site_is_refused_and_a_stored_one_opens_the_list(client, make_user):
    """Browsers drop tabs and newlines from a URL and read a backslash as a slash, so "/\\t/evil.example"
    would lead to //evil.example: only a path with one leading "/" and no control character is a link."""
    ana = await make_user("ana", "counsellor")
    bad = ["/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/cases/\x00", "/x\x7f", "/x\x85",
           "//evil.example", "/\\evil.example", "https://evil.example/", "cases/1", ""]  # fmt: skip
    for link in bad:
        try:
            await notify({"id": ana}, "referral.new", {"code": "P-AAAAAA"}, link)
        except ValueError:
            continue
        raise AssertionError(f"accepted {link!r}")
    assert await Notification.count() == 0
    await notify({"id": ana}, "referral.new", {"code": "P-AAAAAA"}, "/referrals/inbox?page=2#list")

    # Rows stored before the check (or written around it) still never lead off the site.
    now = (await Notification.select(Notification.created_at).first())["created_at"]
    for link in (link for link in bad if "\x00" not in link):  # PostgreSQL's text cannot hold a NUL at all
        await Notification.insert(
            Notification(user=ana, message="", key="referral.new", params="{}", link=link, read=False, created_at=now)
        )
    await login(client, "ana")
    rows = await Notification.select(Notification.id, Notification.link).order_by(Notification.id)
    for row in rows:
        opened = await client.get(f"/notifications/{row['id']}/open")
        assert opened.status_code == 303, row
        expected = "/referrals/inbox?page=2#list" if row["link"].startswith("/referrals/") else "/notifications/"
        assert opened.headers["location"] == expected, row
