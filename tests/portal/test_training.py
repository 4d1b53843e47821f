"""Training and events: forms, registration, waiting list, public form, materials, attendance, calendars, access."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest

from portal.auth.roles import ROLES
from portal.db.tables import PortalUser
from tests.access_rules import TRAINING_RULES
from tests.fixtures import csrf_token, login, post_form

PUBLIC = frozenset({"anonymous", *ROLES})
LOGGED_IN = frozenset(ROLES)
MANAGERS = frozenset({"admin", "coordinator"})
WHO = ["anonymous", *ROLES]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _later(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


async def make_event(organiser_id: int, **overrides: Any) -> int:
    from portal.db.tables import TrainingEvent, TrainingEventOrganiser

    now = dt.datetime.now(dt.UTC)
    values = {
        "kind": "module",
        "module_number": 2,
        "title": "Vloga mentorja v socialni aktivaciji",
        "description": "",
        "topics": "mentorstvo, socialna aktivacija",
        "language": "sl",
        "starts_at": _later(10),
        "ends_at": _later(10.3),
        "online": False,
        "online_url": "",
        "place_name": "Dvorana",
        "municipality": "Čakovec",
        "country": "HR",
        "region": "Međimurska županija",
        "latitude": 46.384,
        "longitude": 16.434,
        "capacity": 20,
        "places_taken": 0,
        "registration_deadline": None,
        "status": "published",
        "created_at": now,
        "updated_at": now,
        **overrides,
    }
    event_id = (await TrainingEvent.insert(TrainingEvent(**values)))[0]["id"]
    await TrainingEventOrganiser.insert(TrainingEventOrganiser(event=event_id, organisation=organiser_id))
    return event_id


def local(moment: dt.datetime) -> str:
    from portal.training.validation import local_input

    return local_input(moment)


def event_form(organisation_id: int | str, **overrides: Any) -> dict[str, Any]:
    return {
        "title": "Modul 5: socialno podjetništvo",
        "kind": "module",
        "module_number": "5",
        "status": "published",
        "language": "sl",
        "description": "Praktični modul.",
        "topics": "socialno podjetništvo; praktični modul",
        "starts_at": local(_later(30)),
        "ends_at": local(_later(30.25)),
        "registration_deadline": "",
        "capacity": "25",
        "place_name": "Ljudska univerza",
        "country": "SI",
        "municipality": "Ormož",
        "latitude": "",
        "longitude": "",
        "online_url": "",
        "organisation_id": str(organisation_id),
        **overrides,
    }


async def _event(event_id: int) -> dict[str, Any]:
    from portal.db.tables import TrainingEvent

    return await TrainingEvent.select().where(TrainingEvent.id == event_id).first()


async def _registrations(event_id: int) -> list[dict[str, Any]]:
    from portal.db.tables import TrainingRegistration

    return (
        await TrainingRegistration.select()
        .where(TrainingRegistration.event == event_id)
        .order_by(TrainingRegistration.id)
    )


# --- the event form ----------------------------------------------------------------------------


async def test_coordinator_creates_an_event_and_bad_input_changes_nothing(client, make_org, make_user):
    from portal.db.tables import TrainingEvent, TrainingEventOrganiser

    org = await make_org(name="Ljudska univerza Ormož", municipality="Ormož")
    await make_user("coord", "coordinator")
    await login(client, "coord")
    bad = event_form(
        org,
        title="",
        kind="party",
        capacity="0",
        municipality="Atlantis",
        ends_at=local(_later(29)),
        registration_deadline=local(_later(31)),
        module_number="",
    )
    response = await post_form(client, "/training/events/new", bad)
    assert response.status_code == 422
    for field in ("title", "kind", "capacity", "municipality", "ends_at", "registration_deadline"):
        assert f'id="{field}-error"' in response.text, field
    assert 'value="Ljudska univerza"' in response.text  # what was typed is kept
    assert await TrainingEvent.count() == 0
    # A module needs its number; an online event its link; an organiser is required.
    response = await post_form(
        client, "/training/events/new", event_form("", module_number="", online="on", online_url="ftp://x")
    )
    assert response.status_code == 422
    for field in ("module_number", "online_url", "organisation_id"):
        assert f'id="{field}-error"' in response.text, field

    response = await post_form(client, "/training/events/new", event_form(org))
    assert response.status_code == 303, response.text[:2000]
    event = await TrainingEvent.select().order_by(TrainingEvent.id).first()
    assert response.headers["location"].startswith(f"/training/events/{event['id']}")
    assert event["region"] == "Podravska" and event["municipality"] == "Ormož"
    assert round(event["latitude"], 3) == 46.409  # the municipality's coordinates
    assert event["topics"] == "socialno podjetništvo, praktični modul"
    assert await TrainingEventOrganiser.count().where(TrainingEventOrganiser.organisation == org) == 1
    page = await client.get(f"/training/events/{event['id']}")
    assert "Modul 5: socialno podjetništvo" in page.text and "Ljudska univerza Ormož" in page.text


async def test_edit_keeps_capacity_above_places_taken_and_a_larger_one_moves_the_list_up(client, make_org, make_user):
    from portal.db.tables import Notification
    from portal.training import registration

    org = await make_org(name="Organiser")
    event_id = await make_event(org, capacity=1)
    first = await registration.staff_person(await make_user("first", "counsellor"))
    second = await registration.staff_person(await make_user("second", "counsellor"))
    await registration.register(event_id, first)
    waiting = await registration.register(event_id, second)
    assert waiting.status == "waitlisted" and waiting.position == 1
    await make_user("coord", "coordinator")
    await login(client, "coord")
    stored = await _event(event_id)
    form = event_form(org, title=stored["title"], kind="module", module_number="2", capacity="0")
    form["keep_organiser"] = str(org)
    form["organisation_id"] = ""
    response = await post_form(client, f"/training/events/{event_id}/edit", form)
    assert response.status_code == 422 and 'id="capacity-error"' in response.text
    assert (await _event(event_id))["capacity"] == 1
    response = await post_form(client, f"/training/events/{event_id}/edit", {**form, "capacity": "2"})
    assert response.status_code == 303
    event = await _event(event_id)
    assert event["capacity"] == 2 and event["places_taken"] == 2
    assert [r["status"] for r in await _registrations(event_id)] == ["registered", "registered"]
    assert await Notification.count().where(
        (Notification.user == second["user"]) & (Notification.key == "training.promoted")
    )


async def test_programme_create_edit_and_its_page(client, make_org, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await post_form(client, "/training/programmes/new", {"title": "", "description": "x"})
    assert response.status_code == 422 and 'id="title-error"' in response.text
    response = await post_form(client, "/training/programmes/new", {"title": "Usposabljanje mentorjev"})
    assert response.status_code == 303
    path = response.headers["location"]
    programme_id = int(path.rsplit("/", 1)[1])
    org = await make_org(name="Organiser")
    await make_event(org, programme=programme_id, module_number=2)
    page = await client.get(path)
    assert "Usposabljanje mentorjev" in page.text and "Vloga mentorja" in page.text
    response = await post_form(client, f"{path}/edit", {"title": "Programme, renamed"})
    assert response.status_code == 303
    assert "Programme, renamed" in (await client.get(path)).text


# --- registration and the waiting list ----------------------------------------------------------


async def test_register_waitlist_cancel_promotes_the_first_waiting(client, make_org, make_user):
    from portal.db.tables import Notification

    org = await make_org(name="Organiser")
    event_id = await make_event(org, capacity=2)
    for name in ("ana", "bor", "cvet", "dan"):
        await make_user(name, "counsellor")
    statuses = {}
    for name in ("ana", "bor", "cvet", "dan"):
        await login(client, name)
        response = await post_form(client, f"/training/events/{event_id}/register", {})
        assert response.status_code == 303
        statuses[name] = response.headers["location"].split("notice=")[1].split("#")[0]
    assert statuses == {"ana": "registered", "bor": "registered", "cvet": "waitlisted", "dan": "waitlisted"}
    page = await client.get(f"/training/events/{event_id}")
    assert "waiting list, number 2" in page.text  # dan
    # A second registration of the same person is refused.
    response = await post_form(client, f"/training/events/{event_id}/register", {})
    assert "notice=duplicate" in response.headers["location"]
    rows = await _registrations(event_id)
    assert (await _event(event_id))["places_taken"] == 2
    ana = rows[0]
    await login(client, "ana")
    response = await post_form(client, f"/training/registrations/{ana['id']}/cancel", {})
    assert response.status_code == 303
    rows = await _registrations(event_id)
    assert [r["status"] for r in rows] == ["cancelled", "registered", "registered", "waitlisted"]
    assert (await _event(event_id))["places_taken"] == 2
    cvet = rows[2]
    assert await Notification.count().where(
        (Notification.user == cvet["user"]) & (Notification.key == "training.promoted")
    )
    # Someone else's registration cannot be cancelled by a colleague who does not organise the event.
    response = await post_form(client, f"/training/registrations/{cvet['id']}/cancel", {})
    assert response.status_code == 403
    # Cancelling twice is harmless; registering again after cancelling uses the same row.
    response = await post_form(client, f"/training/registrations/{ana['id']}/cancel", {})
    assert "notice=not_found" in response.headers["location"]
    response = await post_form(client, f"/training/events/{event_id}/register", {})
    assert "notice=waitlisted" in response.headers["location"]
    assert len(await _registrations(event_id)) == 4


async def test_htmx_registration_answers_with_the_block(client, make_org, make_user):
    org = await make_org(name="Organiser")
    event_id = await make_event(org, capacity=3)
    await make_user("ana", "counsellor")
    await login(client, "ana")
    token = await csrf_token(client, "/")
    response = await client.post(
        f"/training/events/{event_id}/register", data={"_csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="registration"' in response.text and "<html" not in response.text
    assert "Cancel my registration" in response.text


async def test_registration_closes_at_the_deadline_and_for_drafts(client, make_org, make_user):
    org = await make_org(name="Organiser")
    past_deadline = await make_event(org, registration_deadline=_later(-1))
    draft = await make_event(org, status="draft")
    started = await make_event(org, starts_at=_later(-0.1), ends_at=_later(0.2))
    await make_user("ana", "counsellor")
    await login(client, "ana")
    response = await post_form(client, f"/training/events/{past_deadline}/register", {})
    assert "notice=closed" in response.headers["location"]
    assert "Registration for this event is closed." in (await client.get(response.headers["location"])).text
    response = await post_form(client, f"/training/events/{started}/register", {})
    assert "notice=closed" in response.headers["location"]
    # A draft is not there for someone who does not organise it.
    assert (await client.get(f"/training/events/{draft}")).status_code == 404
    assert (await post_form(client, f"/training/events/{draft}/register", {})).status_code == 404
    assert await _registrations(past_deadline) == [] and await _registrations(started) == []


async def test_coordinator_registers_a_staff_member(client, make_org, make_user):
    org = await make_org(name="Organiser")
    event_id = await make_event(org)
    staff = await make_user("mentor.ana", "counsellor")
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await post_form(client, f"/training/events/{event_id}/register-staff", {"username": "nobody"})
    assert response.status_code == 422 and 'id="username-error"' in response.text
    response = await post_form(client, f"/training/events/{event_id}/register-staff", {"username": "mentor.ana"})
    assert "notice=staff_registered" in response.headers["location"]
    rows = await _registrations(event_id)
    coord = await _user_id("coord")
    assert rows[0]["user"] == staff and rows[0]["registered_by"] == coord and rows[0]["organisation"]
    page = await client.get(f"/training/events/{event_id}")
    assert "Registrations" in page.text and ">Registered<" in page.text


async def _user_id(username: str) -> int:
    from portal.db.tables import PortalUser

    return (await PortalUser.select(PortalUser.id).where(PortalUser.username == username).first())["id"]


# --- the public form ---------------------------------------------------------------------------


async def test_external_people_register_with_consent_and_are_throttled(client, make_org):
    org = await make_org(name="Organiser")
    event_id = await make_event(org, capacity=1)
    path = f"/training/public/events/{event_id}/register"
    page = await client.get(path)
    assert page.status_code == 200 and "I agree to this use of my details" in page.text
    person = {"name": "Mira Horvat", "organisation_name": "Crveni križ Čakovec", "email": "mira@example.org"}
    response = await post_form(client, path, person)
    assert response.status_code == 422 and 'id="consent-error"' in response.text
    response = await post_form(client, path, {**person, "email": "not-an-address", "consent": "on"})
    assert response.status_code == 422 and 'id="email-error"' in response.text
    assert await _registrations(event_id) == []
    response = await post_form(client, path, {**person, "consent": "on"})
    assert response.status_code == 200 and "you are registered" in response.text
    response = await post_form(client, path, {**person, "consent": "on"})
    assert response.status_code == 409 and "Already registered" in response.text
    other = {"name": "Ivo", "organisation_name": "Udruga", "email": "ivo@example.org", "consent": "on"}
    response = await post_form(client, path, other)
    assert "waiting list, number 1" in response.text
    rows = await _registrations(event_id)
    assert [(r["user"], r["status"], r["email"]) for r in rows] == [
        (None, "registered", "mira@example.org"),
        (None, "waitlisted", "ivo@example.org"),
    ]
    assert rows[0]["consent_at"] is not None and rows[0]["organisation_name"] == "Crveni križ Čakovec"
    # Five uses so far from this address; the limit is ten an hour.
    for n in range(5):
        response = await post_form(client, path, {**person, "email": f"p{n}@example.org"})
        assert response.status_code == 422
    response = await post_form(client, path, {**person, "email": "late@example.org", "consent": "on"})
    assert response.status_code == 429 and "Too many registrations" in response.text
    assert len(await _registrations(event_id)) == 2
    # Drafts have no public form.
    draft = await make_event(org, status="draft")
    assert (await client.get(f"/training/public/events/{draft}/register")).status_code == 404


async def test_public_list_shows_published_events_without_people(client, make_org, make_user):
    from portal.training import registration

    org = await make_org(name="Organiser")
    published = await make_event(org, title="Strokovni seminar Celje")
    await make_event(org, title="Secret draft", status="draft")
    staff = await registration.staff_person(await make_user("ana", "counsellor", display_name="Ana Novak"))
    await registration.register(published, staff)
    page = await client.get("/training/public")
    assert page.status_code == 200
    assert "Strokovni seminar Celje" in page.text and "Secret draft" not in page.text
    assert "Ana Novak" not in page.text
    filtered = await client.get("/training/public?kind=seminar")
    assert "Strokovni seminar Celje" not in filtered.text
    # A coordinator sees drafts in the list; a counsellor does not.
    await make_user("coord", "coordinator")
    await login(client, "coord")
    assert "Secret draft" in (await client.get("/training/")).text
    await login(client, "ana")
    assert "Secret draft" not in (await client.get("/training/")).text


async def test_list_pages_and_orders_upcoming_first(client, make_org, make_user):
    from portal.training.services import PER_PAGE

    org = await make_org(name="Organiser")
    for n in range(PER_PAGE + 3):
        await make_event(org, title=f"Event {n:02d}", starts_at=_later(5 + n), ends_at=_later(5.2 + n))
    await make_event(org, title="Long past", starts_at=_later(-30), ends_at=_later(-29.8))
    await make_user("ana", "counsellor")
    await login(client, "ana")
    first = (await client.get("/training/")).text
    assert first.index("Event 00") < first.index("Event 01") and "Event 22" not in first and "Long past" not in first
    second = (await client.get("/training/?page=2")).text
    assert "Event 22" in second and "Event 00" not in second
    assert "Long past" in (await client.get("/training/?when=past")).text


async def test_organisation_page_lists_its_upcoming_events(client, make_org):
    org = await make_org(name="Ljudska univerza Ormož")
    await make_event(org, title="Modul 5 v Ormožu")
    await make_event(org, title="Draft module", status="draft")
    await make_event(org, title="Old module", starts_at=_later(-40), ends_at=_later(-39.9))
    page = await client.get(f"/organisations/{org}")
    assert "Upcoming training and events" in page.text and "Modul 5 v Ormožu" in page.text
    assert "Draft module" not in page.text and "Old module" not in page.text


# --- materials ---------------------------------------------------------------------------------


def _office(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<doc/>")
    return buffer.getvalue()


async def _upload(client, event_id: int, name: str, data: bytes, content_type: str = "application/pdf"):
    token = await csrf_token(client, "/")
    return await client.post(
        f"/training/events/{event_id}/materials",
        data={"_csrf_token": token, "material_title": "Gradivo"},
        files={"file": (name, data, content_type)},
    )


async def test_materials_are_checked_by_size_and_content(client, make_org, make_user):
    from portal.db.tables import TrainingMaterial
    from portal.training import materials

    org = await make_org(name="Organiser")
    event_id = await make_event(org)
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await _upload(client, event_id, "program.pdf", PDF + bytes(range(256)))
    assert response.status_code == 303, response.text[:500]
    for name, data in (
        ("virus.pdf", b"MZ\x90\x00" + bytes(100)),  # an executable named .pdf
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
        ("archive.docx", _office("other/")),  # a ZIP, but no Office document
        ("big.pdf", PDF + bytes(materials.MAX_FILE_BYTES)),
        ("empty.pdf", b""),
    ):
        response = await _upload(client, event_id, name, data)
        assert response.status_code == 422, name
        assert 'id="file-error"' in response.text, name
    response = await _upload(client, event_id, "../../slides.pptx", _office("ppt/"), "application/octet-stream")
    assert response.status_code == 303
    rows = await TrainingMaterial.select().order_by(TrainingMaterial.id)
    assert [(r["file_name"], r["content_type"]) for r in rows] == [
        ("program.pdf", "application/pdf"),
        ("slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ]
    # A link is a material too; a bad address is refused with the field named.
    token = await csrf_token(client, "/")
    link = {"_csrf_token": token, "material_title": "Smernice", "url": "javascript:alert(1)"}
    response = await client.post(f"/training/events/{event_id}/materials", data=link)
    assert response.status_code == 422 and 'id="url-error"' in response.text
    response = await client.post(
        f"/training/events/{event_id}/materials", data={**link, "url": "https://www.bistra.si/2sokrog"}
    )
    assert response.status_code == 303
    link_id = (
        await TrainingMaterial.select(TrainingMaterial.id)
        .where(TrainingMaterial.url != "")
        .order_by(TrainingMaterial.id)
        .first()
    )["id"]
    assert "https://www.bistra.si/2sokrog" in (await client.get(f"/training/events/{event_id}")).text
    assert (await client.get(f"/training/materials/{link_id}")).status_code == 404  # never a redirect elsewhere
    # Any logged-in user downloads; the file comes back as stored, as an attachment.
    await make_user("ana", "counsellor")
    await login(client, "ana")
    download = await client.get(f"/training/materials/{rows[0]['id']}")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment")
    # A counsellor outside the organisers may neither add nor remove materials.
    assert (await _upload(client, event_id, "x.pdf", PDF)).status_code == 403
    assert (await post_form(client, f"/training/materials/{rows[0]['id']}/delete", {})).status_code == 403


async def test_binary_parts_pass_the_input_guard_only_on_the_upload_route(client, make_org, make_user):
    org = await make_org(name="Organiser")
    event_id = await make_event(org)
    await make_user("coord", "coordinator")
    await login(client, "coord")
    token = await csrf_token(client, "/")
    binary = b"\x89PNG\r\n\x1a\n" + bytes([0, 1, 2, 255, 254]) * 50
    response = await client.post(
        f"/training/events/{event_id}/materials",
        data={"_csrf_token": token, "material_title": "Slika"},
        files={"file": ("photo.png", binary, "image/png")},
    )
    assert response.status_code == 303
    # The text fields of the upload form are still checked.
    response = await client.post(
        f"/training/events/{event_id}/materials",
        data={"_csrf_token": token, "material_title": "Bad\x00title"},
        files={"file": ("photo.png", binary, "image/png")},
    )
    assert response.status_code == 400
    # Elsewhere a binary part is refused as before.
    response = await client.post(
        f"/training/events/{event_id}/register",
        data={"_csrf_token": token},
        files={"file": ("photo.png", binary, "image/png")},
    )
    assert response.status_code == 400


# --- attendance and the sign-in sheet -------------------------------------------------------------


async def test_a_member_of_the_organiser_records_attendance(client, make_org, make_user):
    from portal.training import registration

    organiser = await make_org(name="Center za socialno delo Celje")
    event_id = await make_event(organiser)
    people = {}
    for name, display in (("ana", "Ana Novak"), ("bor", "Bor Kranjc"), ("cvet", "Cvetka Zupan")):
        people[name] = await registration.staff_person(await make_user(name, "counsellor", display_name=display))
        await registration.register(event_id, people[name])
    await make_user("host", "counsellor", organisation_id=organiser)
    await login(client, "ana")
    assert (await client.get(f"/training/events/{event_id}/attendance")).status_code == 403
    assert (await client.get(f"/training/events/{event_id}/sign-in-sheet")).status_code == 403
    await login(client, "host")
    page = await client.get(f"/training/events/{event_id}/attendance")
    assert page.status_code == 200 and "Ana Novak" in page.text and "Cvetka Zupan" in page.text
    rows = await _registrations(event_id)
    token = await csrf_token(client, "/")
    response = await client.post(
        f"/training/events/{event_id}/attendance",
        data={"_csrf_token": token, "present": [str(rows[0]["id"]), str(rows[2]["id"]), "999999"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Attendance saved." in response.text and "<html" not in response.text
    rows = await _registrations(event_id)
    assert [r["attended"] for r in rows] == [True, False, True]
    assert all(r["attendance_recorded_at"] is not None for r in rows)
    sheet = await client.get(f"/training/events/{event_id}/sign-in-sheet")
    assert sheet.status_code == 200 and "Signature" in sheet.text and "/static/css/training.css" in sheet.text
    assert sheet.text.index("Ana Novak") < sheet.text.index("Bor Kranjc") < sheet.text.index("Cvetka Zupan")


# --- calendars ---------------------------------------------------------------------------------


def parse_ical(body: bytes) -> list[dict[str, str]]:
    """Unfold and split an iCalendar document, checking its line rules on the way."""
    text = body.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    raw_lines = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in raw_lines)
    lines: list[str] = []
    for line in raw_lines:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return events


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append("\n" if value[i + 1] in "nN" else value[i + 1])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


async def test_user_calendar_feed_lists_own_events_behind_a_secret(client, make_org, make_user):
    from portal.training import feeds, registration

    org = await make_org(name="Organiser")
    title = "Modul 2; vloga mentorja, Čakovec \\ " + "dolg naslov " * 8
    mine = await make_event(org, title=title, description="Prva vrstica\nDruga vrstica")
    await make_event(org, title="Not mine")
    ana = await make_user("ana", "counsellor")
    await registration.register(mine, await registration.staff_person(ana))
    await login(client, "ana")
    assert feeds.user_feed_path(ana) in (await client.get("/training/")).text
    await client.post("/logout", data={"_csrf_token": await csrf_token(client, "/")})
    response = await client.get(feeds.user_feed_path(ana))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    events = parse_ical(response.content)
    assert len(events) == 1
    event = events[0]
    assert unescape(event["SUMMARY"]) == title
    assert unescape(event["DESCRIPTION"]) == "Prva vrstica\nDruga vrstica"
    assert event["UID"].startswith(f"training-event-{mine}@")
    stored = await _event(mine)
    from portal.db.engine import as_utc

    assert event["DTSTART"] == as_utc(stored["starts_at"]).strftime("%Y%m%dT%H%M%SZ")
    assert event["DTEND"].endswith("Z") and event["DTSTAMP"].endswith("Z")
    assert event["GEO"] == "46.38400;16.43400"
    # A wrong or someone else's token opens nothing.
    bor = await make_user("bor", "counsellor")
    forged = f"/training/calendar/{ana}-{feeds.user_token(bor)}.ics"
    assert (await client.get(forged)).status_code == 404
    assert (await client.get(f"/training/calendar/{ana}.ics")).status_code == 404


async def test_region_feed_lists_published_events_of_the_region(client, make_org):
    from portal.training import feeds

    org = await make_org(name="Organiser")
    await make_event(org, title="Seminar v Čakovcu")
    await make_event(org, title="Draft in Čakovec", status="draft")
    await make_event(org, title="Seminar v Celju", municipality="Celje", country="SI", region="Savinjska")
    response = await client.get(feeds.region_feed_path("Međimurska županija"))
    assert response.status_code == 200
    summaries = [unescape(e["SUMMARY"]) for e in parse_ical(response.content)]
    assert summaries == ["Seminar v Čakovcu"]
    assert (await client.get("/training/calendar/region/Savinjska")).status_code == 404  # no .ics


def test_ical_folding_never_splits_a_character_and_escapes_text():
    from portal.training import ical

    line = "SUMMARY:" + "čž" * 60
    folded = ical.fold(line)
    pieces = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert "".join(p[1:] if i else p for i, p in enumerate(pieces)) == line
    assert ical.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


# --- who may use each route ----------------------------------------------------------------------


# The modules of this area's routes (certificates and competence records live in other modules and tests).
_MODULES = ("portal.training.pages", "portal.training.registration_pages", "portal.training.feed_pages")


def test_every_training_route_has_a_rule(app):
    routes = {
        (method, route.path)
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        for method in handler.http_methods
        if method not in {"OPTIONS", "HEAD"} and handler.fn.__module__ in _MODULES
    }
    assert routes == set(TRAINING_RULES), "add the new route to TRAINING_RULES with who may use it"


class _Upload:
    """What Litestar hands a handler for a file part, as far as materials.add_file reads it."""

    def __init__(self, filename: str, data: bytes) -> None:
        self.filename, self._data = filename, data

    async def read(self, size: int = -1) -> bytes:
        return self._data if size < 0 else self._data[:size]


def _concrete(path: str, ids: dict[str, Any]) -> str:
    return (
        path.replace("{event_id:int}", str(ids["event"]))
        .replace("{registration_id:int}", str(ids["registration"]))
        .replace("{material_id:int}", str(ids["material"]))
        .replace("{programme_id:int}", str(ids["programme"]))
        .replace("{feed:str}", ids["feed"])
        .replace("{region:str}", "Podravska.ics")
    )


@pytest.mark.parametrize("who", WHO)
async def test_roles_outside_a_training_rule_are_refused(client, make_org, make_user, who):
    from portal.training import feeds, materials, registration, services

    home = await make_org(name="Home of the test user")
    organiser = await make_org(name="Somebody else")
    programme = await services.save_programme({"title": "P", "description": ""})
    event_id = await make_event(organiser, capacity=50)
    other = await make_user("someone-else", "counsellor", organisation_id=organiser)
    taken = await registration.register(event_id, await registration.staff_person(other))
    material = await materials.add_file(event_id, "Programme", _Upload("programme.pdf", PDF))
    ids = {
        "event": event_id,
        "registration": taken.id,
        "material": material,
        "programme": programme,
        "feed": feeds.user_feed_path(other).rsplit("/", 1)[1],
    }
    if who != "anonymous":
        await make_user(who, who, organisation_id=home)
        await login(client, who)
    token = await csrf_token(client, "/")
    for (method, route), allowed in TRAINING_RULES.items():
        path = _concrete(route, ids)
        data = {"_csrf_token": token} if method == "POST" else None
        response = await client.request(method, path, data=data)
        refused = response.status_code in (401, 403) or (
            response.status_code == 303 and response.headers["location"].startswith("/login")
        )
        assert refused == (who not in allowed), f"{who} {method} {path} -> {response.status_code}"
        assert response.status_code < 500, f"{who} {method} {path} -> {response.status_code}"


# --- demo data -----------------------------------------------------------------------------------


async def test_demo_loads_the_real_event_series_once(db, make_org):
    from portal.db.tables import Organisation, TrainingEvent, TrainingRegistration
    from portal.demo.training import load_training
    from portal.training.kinds import LOCAL_ZONE

    for slug in ("zrs-bistra-ptuj", "redea-cakovec", "lu-ormoz", "rasr-celje"):
        org = await make_org(name=f"Org {slug}", kind="social_work_centre", region="Podravska")
        await Organisation.update({Organisation.slug: slug}).where(Organisation.id == org)
    assert await load_training() == 12
    assert await load_training() == 0  # loaded once
    events = {
        (e["title"][:40], e["starts_at"].astimezone(LOCAL_ZONE).date().isoformat(), e["municipality"]): e
        for e in await TrainingEvent.select()
    }
    places = {(date, town) for _, date, town in events}
    for real in (
        ("2018-12-06", "Ormož"),
        ("2019-02-12", "Čakovec"),
        ("2019-06-13", "Celje"),
        ("2019-09-18", "Čakovec"),
        ("2019-11-06", "Čakovec"),
        ("2020-02-13", "Ormož"),
    ):
        assert real in places, real
    module_2 = next(e for e in events.values() if e["module_number"] == 2)
    assert module_2["title"] == "Uloga mentora u provedbi socijalne aktivacije"
    peer_reviews = [e["id"] for e in events.values() if e["kind"] == "peer_review"]
    attendees = await TrainingRegistration.count().where(TrainingRegistration.event.is_in(peer_reviews))
    assert attendees == 157
    for event in events.values():
        taken = await TrainingRegistration.count().where(
            (TrainingRegistration.event == event["id"]) & (TrainingRegistration.status == "registered")
        )
        assert taken == event["places_taken"] <= event["capacity"]
    assert await TrainingRegistration.count().where(TrainingRegistration.attended.eq(True)) > 100


async def test_htmx_list_filters_answer_with_the_results(client, make_org, make_user):
    org = await make_org(name="Organiser")
    await make_event(org, title="Long past", starts_at=_later(-30), ends_at=_later(-29.8))
    await make_user("ana", "counsellor")
    await login(client, "ana")
    response = await client.get("/training/?when=past", headers={"HX-Request": "true"})
    assert response.status_code == 200, response.text[:3000]
    assert "Long past" in response.text and "<html" not in response.text


async def test_the_calendar_feed_of_a_deactivated_account_opens_nothing(client, make_org, make_user):
    from portal.training import feeds, registration

    org = await make_org(name="Organiser")
    event = await make_event(org, title="Modul 1", online=True, online_url="https://meet.example/secret-room")
    ana = await make_user("ana", "counsellor")
    await registration.register(event, await registration.staff_person(ana))
    assert (await client.get(feeds.user_feed_path(ana))).status_code == 200
    # Ana left: her link (kept in a calendar app, perhaps on a phone she no longer has) shows nothing more,
    # not the events nor their online rooms.
    await PortalUser.update({PortalUser.is_active: False}).where(PortalUser.id == ana)
    response = await client.get(feeds.user_feed_path(ana))
    assert response.status_code == 404 and b"secret-room" not in response.content


async def test_a_registration_cannot_be_cancelled_once_the_event_has_begun(client, make_org, make_user):
    from portal.db.tables import TrainingEvent, TrainingRegistration
    from portal.training import registration

    org = await make_org(name="Organiser")
    event = await make_event(org, capacity=1)
    ana = await make_user("ana", "counsellor")
    mojca = await make_user("mojca", "counsellor")
    mine = await registration.register(event, await registration.staff_person(ana))
    await registration.register(event, await registration.staff_person(mojca))  # waiting
    begun = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    await TrainingEvent.update({TrainingEvent.starts_at: begun}).where(TrainingEvent.id == event)
    await login(client, "ana")
    response = await post_form(client, f"/training/registrations/{mine.id}/cancel", {})
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "can no longer be cancelled" in page.text
    # The place stays taken and nobody moves up from the waiting list after the event began.
    statuses = await TrainingRegistration.select(TrainingRegistration.status).order_by(TrainingRegistration.id)
    assert [r["status"] for r in statuses] == ["registered", "waitlisted"]
