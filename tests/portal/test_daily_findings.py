"""Issue #12's daily findings: search by name, notifications read on open and in the reader's language,
the readable audit log, the favicon and the new-opportunity form's defaults."""

from __future__ import annotations

import datetime as dt
import json
import re

from portal.cases import services as case_services
from portal.db.tables import AuditEvent, Notification, Opportunity, Participant, PortalUser
from portal.notifications.messages import MESSAGES
from portal.notifications.services import notify
from portal.privacy import erasure
from tests.fixtures import login, post_form
from tests.flows import OPPORTUNITY_FORM, open_case


async def _as(client, username: str) -> None:
    client.cookies.clear()
    await login(client, username)


async def _code(participant_id: int) -> str:
    return (await Participant.select(Participant.code).where(Participant.id == participant_id).first())["code"]


async def _search_events() -> list[dict]:
    return await AuditEvent.select().where(AuditEvent.detail == "caseload search").order_by(AuditEvent.id)


# --- 1. search by name ------------------------------------------------------------------------------


async def test_search_by_name_ignores_diacritics_case_and_order_within_own_caseload(client, make_user, make_org):
    org = await make_org()
    await make_user("ana", "counsellor", organisation_id=org)
    await make_user("bojan", "counsellor", organisation_id=org)
    await _as(client, "bojan")
    others = await open_case(client, first_name="Marko", last_name="Petrović", birth_year="1984")
    await _as(client, "ana")
    mine = await open_case(client, first_name="Jelena", last_name="Petrović", birth_year="1984")
    also_mine = await open_case(client, first_name="Špela", last_name="Novak", birth_year="1990")
    mine_code, others_code, novak_code = await _code(mine), await _code(others), await _code(also_mine)

    for q in ("petrovic", "PETROVIĆ", "jelena petrovic", "petrovic jelena", "Petrović 1984"):
        page = await client.get("/cases/", params={"q": q})
        assert page.status_code == 200
        assert mine_code in page.text and "Jelena Petrović" in page.text, q
        assert others_code not in page.text and "Marko" not in page.text, q  # bojan's case stays his
        assert novak_code not in page.text, q
    assert novak_code in (await client.get("/cases/", params={"q": "spela"})).text
    by_year = (await client.get("/cases/", params={"q": "1990"})).text
    assert novak_code in by_year and mine_code not in by_year
    assert mine_code not in (await client.get("/cases/", params={"q": "1985"})).text
    assert mine_code not in (await client.get("/cases/", params={"q": "jelena novak"})).text
    # One letter matches codes only: typing the first letter of a name shows (and logs) no names.
    one_letter = (await client.get("/cases/", params={"q": "o"})).text  # no code has an O; "Petrović" does
    assert "Jelena" not in one_letter and mine_code not in one_letter
    # LIKE's wildcards are dropped from the words, not read as "anything".
    assert mine_code not in (await client.get("/cases/", params={"q": "jel_na"})).text

    # Each search by name is audited, one read per person shown; a code or year search shows no
    # names and is not.
    events = await _search_events()
    assert {e["record_id"] for e in events} == {mine, also_mine}
    assert all(e["action"] == "read" and e["record_type"] == "participant" and e["username"] == "ana" for e in events)
    assert len(events) == 6  # five searches finding Jelena, one finding Špela
    code_search = await client.get("/cases/", params={"q": mine_code})
    assert mine_code in code_search.text and "Jelena" not in code_search.text
    assert len(await _search_events()) == 6


async def test_name_search_follows_name_changes_and_forgets_a_pseudonymised_case(client, make_user):
    await make_user("ana", "counsellor")
    await _as(client, "ana")
    pid = await open_case(client, first_name="Mojca", last_name="Žagar")
    assert (await Participant.select(Participant.name_search).where(Participant.id == pid).first()) == {
        "name_search": "mojca zagar"
    }
    await case_services.update_profile(pid, {"last_name": "Čeh"})
    code = await _code(pid)
    assert code in (await client.get("/cases/", params={"q": "ceh"})).text
    assert code not in (await client.get("/cases/", params={"q": "zagar"})).text

    ana = await PortalUser.select(PortalUser.id).where(PortalUser.username == "ana").first()
    await erasure.pseudonymise(pid, "request", erasure.Actor(ana["id"], "ana", "127.0.0.1"))
    row = await Participant.select(Participant.name_search).where(Participant.id == pid).first()
    assert row["name_search"] == ""
    assert code not in (await client.get("/cases/", params={"q": "mojca ceh"})).text
    assert code in (await client.get("/cases/")).text  # still on the caseload, by code


async def test_the_backfill_migration_folds_existing_names(client, make_user):
    from portal.db.migrations import portal_2026_12_02t10_00_01_000000 as backfill

    await make_user("ana", "counsellor")
    await _as(client, "ana")
    pid = await open_case(client, first_name="Đurđa", last_name="Šoštarić")
    await Participant.update({Participant.name_search: ""}).where(Participant.id == pid)  # as before the column
    manager = await backfill.forwards()
    for step in manager.raw:
        await step()
    row = await Participant.select(Participant.name_search).where(Participant.id == pid).first()
    assert row["name_search"] == "durda sostaric"  # as portal.text.fold folds đ


# --- 3. notifications ---------------------------------------------------------------------------------


async def _user(username: str) -> dict:
    return await PortalUser.select(PortalUser.id, PortalUser.language).where(PortalUser.username == username).first()


async def test_opening_a_notification_marks_it_read_and_goes_to_its_local_link(client, make_user):
    await make_user("ana", "counsellor")
    await make_user("eve", "counsellor")
    ana, eve = await _user("ana"), await _user("eve")
    await notify(ana, "referral.status", {"code": "P-AAAAAA", "status": "accepted"}, "/cases/?q=x#referrals")
    await notify(eve, "referral.new", {"code": "P-BBBBBB"}, "/referrals/inbox")
    anas = await Notification.select().where(Notification.user == ana["id"]).order_by(Notification.id).first()
    eves = await Notification.select().where(Notification.user == eve["id"]).order_by(Notification.id).first()
    await _as(client, "ana")
    listing = await client.get("/notifications/")
    assert f'href="/notifications/{anas["id"]}/open"' in listing.text
    assert '<span class="badge">1' in listing.text

    opened = await client.get(f"/notifications/{anas['id']}/open")
    assert opened.status_code == 303 and opened.headers["location"] == "/cases/?q=x#referrals"
    assert (await Notification.select(Notification.read).where(Notification.id == anas["id"]).first())["read"]
    assert 'class="badge"' not in (await client.get("/notifications/")).text

    # Someone else's: nothing revealed, nothing changed.
    theirs = await client.get(f"/notifications/{eves['id']}/open")
    assert theirs.status_code == 303 and theirs.headers["location"] == "/notifications/"
    assert not (await Notification.select(Notification.read).where(Notification.id == eves["id"]).first())["read"]
    missing = await client.get("/notifications/999999/open")
    assert missing.status_code == 303 and missing.headers["location"] == "/notifications/"
    assert (await client.get("/notifications/0/open")).status_code == 400


async def test_a_stored_link_that_leaves_the_portal_is_never_followed(client, make_user):
    await make_user("ana", "counsellor")
    ana = await _user("ana")
    now = dt.datetime.now(dt.UTC)
    for link in ("https://evil.example.com/", "//evil.example.com/x", "/\\evil.example.com"):
        await Notification.insert(
            Notification(user=ana["id"], message="old", key="", params="", link=link, read=False, created_at=now)
        )
    await _as(client, "ana")
    for row in await Notification.select(Notification.id).where(Notification.user == ana["id"]):
        response = await client.get(f"/notifications/{row['id']}/open")
        assert response.status_code == 303 and response.headers["location"] == "/notifications/"
    # notify() itself refuses a link that is not a local path.
    for link in ("https://evil.example.com/", "//evil.example.com"):
        try:
            await notify(ana, "referral.new", {"code": "P-X"}, link)
        except ValueError:
            continue
        raise AssertionError(f"notify accepted {link}")


async def test_a_notification_is_shown_in_the_readers_language_of_the_moment(client, make_user):
    await make_user("ana", "counsellor", language="sl")
    ana = await _user("ana")
    assert ana["language"] == "sl"
    await notify(ana, "referral.status", {"code": "P-KLMNPQ", "status": "accepted"}, "/cases/")
    stored = await Notification.select().where(Notification.user == ana["id"]).order_by(Notification.id).first()
    assert stored["key"] == "referral.status" and json.loads(stored["params"]) == {
        "code": "P-KLMNPQ",
        "status": "accepted",
    }
    assert stored["message"] == ""  # nothing written out in the language in force when it was made
    await _as(client, "ana")
    in_slovenian = (await client.get("/notifications/")).text
    assert "Napotitev primera P-KLMNPQ: Sprejeta" in in_slovenian

    switched = await post_form(client, "/language", {"language": "en", "next": "/notifications/"})
    assert switched.status_code == 303
    in_english = (await client.get("/notifications/")).text
    assert "Referral of P-KLMNPQ: Accepted" in in_english and "Napotitev" not in in_english


async def test_old_notifications_without_a_key_show_their_stored_message(client, make_user):
    await make_user("ana", "counsellor")
    ana = await _user("ana")
    now = dt.datetime.now(dt.UTC)
    await Notification.insert(
        Notification(user=ana["id"], message="Stara novica", key="", params="", link="/", read=False, created_at=now)
    )
    await _as(client, "ana")
    assert "Stara novica" in (await client.get("/notifications/")).text


def test_every_notification_call_uses_a_registered_key():
    """Grep the portal: each notify(...) passes a string key that the registry knows."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "portal"
    calls = []
    for path in root.rglob("*.py"):
        text = path.read_text()
        calls += [(path.name, m.group(1)) for m in re.finditer(r"\bnotify\(\s*\w+,\s*([^,]+),", text)]
    assert calls, "no notify() calls found"
    for name, key in calls:
        assert key.startswith('"') and key.strip('"') in MESSAGES, f"{name}: notify() with {key}"


# --- 6. audit log ---------------------------------------------------------------------------------------


async def test_audit_log_shows_case_codes_and_translated_words_and_filters(client, make_user):
    await make_user("ana", "counsellor")
    await make_user("root", "admin")
    await _as(client, "ana")
    pid = await open_case(client)
    await client.get(f"/cases/{pid}")  # an audited read
    code = await _code(pid)
    await _as(client, "root")
    page = (await client.get("/audit/")).text
    assert code in page and f"participant {pid}" not in page
    assert re.search(
        r"<td>Read</td><td>Case <a href=\"/audit/\?record_type=participant&amp;record_id=\d+\">" + code, page
    )
    assert "<td>Created</td>" in page

    reads = (await client.get("/audit/", params={"action": "read", "record_type": "participant"})).text
    assert "<td>Read</td>" in reads and "<td>Created</td>" not in reads
    assert '<option value="read" selected>Read</option>' in reads
    assert '<option value="participant" selected>Case</option>' in reads
    one = (await client.get("/audit/", params={"record_id": str(pid), "record_type": "participant"})).text
    assert code in one


def test_every_fixed_audit_detail_the_portal_writes_has_a_label():
    """The details are stored in English; each literal one written by an audit call is in DETAILS."""
    import ast
    from pathlib import Path

    from portal.audit.labels import DETAILS, detail_label

    literals = set()
    for path in (Path(__file__).resolve().parents[2] / "portal").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("record", "record_many")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
                and len(node.args) >= 6
                and isinstance(node.args[5], ast.Constant)
            ):
                literals.add(node.args[5].value)
    assert "case file" in literals and "caseload search" in literals
    assert literals <= set(DETAILS), literals - set(DETAILS)
    assert detail_label("referral 12") == "referral 12" and detail_label("reason: request") == "reason: request"


async def test_audit_log_page_reads_codes_in_one_query(client, make_user, monkeypatch):
    from portal.audit import services as audit_services

    await make_user("ana", "counsellor")
    await _as(client, "ana")
    pids = [await open_case(client, first_name=name) for name in ("Ana", "Bojana", "Cvetka")]
    calls = []
    original = Participant.select

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(Participant, "select", counting)
    result = await audit_services.search(audit_services.AuditFilters(record_type="participant"))
    monkeypatch.setattr(Participant, "select", original)
    assert len(calls) == 1  # one lookup for the page, whatever its length
    assert {e["code"] for e in result.items} == {await _code(p) for p in pids}


# --- 9. small -----------------------------------------------------------------------------------------------


async def test_favicon_is_linked_and_favicon_ico_answers(client):
    home = await client.get("/")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in home.text
    ico = await client.get("/favicon.ico")
    assert ico.status_code == 301 and ico.headers["location"] == "/static/favicon.svg"
    svg = await client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")


async def test_new_opportunity_form_leaves_the_place_empty_and_says_it_starts_as_draft(client, make_user, make_org):
    org = await make_org(region="Osrednjeslovenska", municipality="Ljubljana")
    await make_user("ent", "enterprise", organisation_id=org)
    await _as(client, "ent")
    form = (await client.get("/opportunities/new")).text
    assert "Ljubljana" not in form and "Osrednjeslovenska" not in re.sub(
        r"<datalist.*?</datalist>", "", form, flags=re.S
    )
    assert re.search(r'<input id="municipality" name="municipality" type="text" value=""(?! required)', form)
    assert "A new opportunity starts as a draft" in form
    assert re.search(r'<select id="status" name="status" required aria-describedby="status-hint"', form)
    assert '<option value="draft" selected>' in form

    # Left empty, the place is the organisation's; the status left at its default is Draft.
    data = {**OPPORTUNITY_FORM, "region": "", "municipality": ""}
    data.pop("status")
    data["status"] = "draft"
    response = await post_form(client, "/opportunities/new", data)
    assert response.status_code == 303, response.text[:500]
    opp_id = int(response.headers["location"].rsplit("/", 1)[1])
    row = (
        await Opportunity.select(Opportunity.municipality, Opportunity.region, Opportunity.status)
        .where(Opportunity.id == opp_id)
        .first()
    )
    assert row == {"municipality": "Ljubljana", "region": "Osrednjeslovenska", "status": "draft"}
