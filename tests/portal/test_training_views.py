"""The training views called without a request: who may see what, what is audited, and the typed answers."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import current_user, make_training_event, make_training_registration

PAST = dt.datetime(2026, 3, 4, 8, 0, tzinfo=dt.UTC)
ADDRESS = "192.0.2.7"


async def _world(make_org, make_user) -> dict:
    organiser_org = await make_org(name="CZSS Čakovec", country="HR", region="Međimurska županija")
    home = await make_org(name="CSD Ptuj")
    ids = {
        "organiser_org": organiser_org,
        "home": home,
        "ana": await make_user("ana", "counsellor", home, display_name="Ana Žužek"),
        "orga": await make_user("orga", "enterprise", organiser_org),
        "koord": await make_user("koord", "coordinator", home),
    }
    ids["past"] = await make_training_event([organiser_org], starts_at=PAST, title="Past module")
    ids["draft"] = await make_training_event([organiser_org], title="Draft", status="draft")
    ids["reg"] = await make_training_registration(ids["past"], ids["ana"], home, attended=True)
    ids["users"] = {
        "ana": current_user(ids["ana"], "ana", "counsellor", home),
        "orga": current_user(ids["orga"], "orga", "enterprise", organiser_org),
        "koord": current_user(ids["koord"], "koord", "coordinator", home),
    }
    return ids


async def _audited(record_type: str, record_id: int) -> list[str]:
    from portal.db.tables import AuditEvent

    rows = await AuditEvent.select(AuditEvent.detail).where(
        (AuditEvent.record_type == record_type) & (AuditEvent.record_id == record_id)
    )
    return [row["detail"] for row in rows]


async def test_an_event_page_shows_drafts_only_to_organisers_and_audits_their_read_of_registrations(
    make_org, make_user
):
    from portal.training import view

    ids = await _world(make_org, make_user)
    users = ids["users"]
    with pytest.raises(view.NotFound):
        await view.event_view(users["ana"], ADDRESS, ids["draft"])
    with pytest.raises(view.NotFound):
        await view.event_view(None, ADDRESS, 999_999)
    attendee = await view.event_view(users["ana"], ADDRESS, ids["past"], notice="registered")
    assert attendee.registrations is None and not attendee.can_organise
    assert attendee.mine is not None and attendee.notice == "You are registered."
    assert attendee.status_code == 200
    assert await _audited("training_event", ids["past"]) == []  # one's own place is not someone else's record
    organiser = await view.event_view(users["orga"], ADDRESS, ids["past"], errors={"url": "bad"})
    assert organiser.can_organise and organiser.registrations is not None
    assert [r["id"] for r in organiser.registrations.items] == [ids["reg"]]
    assert organiser.status_code == 422 and organiser.template_context()["max_file_mb"] > 0
    assert await _audited("training_event", ids["past"]) == ["registrations"]
    draft = await view.event_view(users["orga"], ADDRESS, ids["draft"])
    assert draft.registrations is not None and draft.registrations.items == []
    assert await _audited("training_event", ids["draft"]) == []  # nobody listed, nothing read


async def test_attendance_and_sign_in_sheet_are_for_organisers_and_audited(make_org, make_user):
    from portal.training import registration_view, view

    ids = await _world(make_org, make_user)
    users = ids["users"]
    with pytest.raises(view.NotAllowed):
        await registration_view.attendance_view(users["ana"], ADDRESS, ids["past"])
    with pytest.raises(view.NotFound):
        await registration_view.sign_in_view(users["ana"], ADDRESS, ids["draft"])
    sheet = await registration_view.sign_in_view(users["orga"], ADDRESS, ids["past"])
    assert [p["id"] for p in sheet.people] == [ids["reg"]]
    listed = await registration_view.attendance_view(users["koord"], ADDRESS, ids["past"], notice="attendance")
    assert listed.notice == "Attendance saved."
    saved = await registration_view.save_attendance(users["orga"], ADDRESS, ids["past"], set(), show=True)
    assert saved is not None and saved.people[0]["attended"] is False
    assert (
        await registration_view.save_attendance(users["orga"], ADDRESS, ids["past"], {ids["reg"]}, show=False) is None
    )
    assert await _audited("training_event", ids["past"]) == [
        "sign-in sheet",
        "attendance list",
        "attendance",
        "attendance",
    ]


async def test_competence_records_and_trained_staff_audit_reads_of_others(make_org, make_user):
    from portal.training import competence, indicators, record_view, view

    ids = await _world(make_org, make_user)
    users = ids["users"]
    own = await record_view.own_record(users["ana"])
    assert isinstance(own.person, competence.StaffMember) and own.person.display_name == "Ana Žužek"
    assert [m["registration_id"] for m in own.record.modules] == [ids["reg"]] and not own.record.capped
    assert await _audited("user", ids["ana"]) == []
    other = await record_view.staff_record(users["koord"], ADDRESS, ids["ana"])
    assert not other.own and other.template_context()["record"] is other.record
    with pytest.raises(view.NotFound):
        await record_view.staff_record(users["koord"], ADDRESS, 999_999)
    staff = await record_view.trained_staff_view(users["koord"], ADDRESS, 1)
    assert [row["id"] for row in staff.result.items] == [ids["ana"]]
    assert await _audited("user", ids["ana"]) == ["competence record", "trained staff list"]
    trained = await record_view.trained_view(1)
    # One person trained: shown as "fewer than 5" (None), and the share of the target worked out from that.
    assert trained.total is None and isinstance(trained.target, indicators.Target) and trained.progress == 0
    assert [row["people"] for row in trained.regions] == [None] and trained.institutions.items[0]["people"] is None
    assert {None} <= {month["trained"] for month in trained.months} <= {0, None}


async def test_a_certificate_is_for_its_attendee_and_organisers(make_org, make_user):
    from portal.training import record_view, view

    ids = await _world(make_org, make_user)
    users = ids["users"]
    mine = await record_view.certificate_file(users["ana"], ADDRESS, ids["reg"])
    assert mine.body.startswith(b"%PDF") and mine.file_name == f"certificate-TR-{ids['past']}-{ids['reg']}.pdf"
    assert await _audited("training_registration", ids["reg"]) == []
    await record_view.certificate_file(users["orga"], ADDRESS, ids["reg"])
    assert await _audited("training_registration", ids["reg"]) == ["certificate"]
    stranger = current_user(await make_user("tuji", "counsellor"), "tuji", "counsellor", ids["home"])
    with pytest.raises(view.NotAllowed):
        await record_view.certificate_file(stranger, ADDRESS, ids["reg"])
    with pytest.raises(view.NotFound):
        await record_view.certificate_file(users["ana"], ADDRESS, 999_999)


async def test_the_event_form_comes_back_with_errors_and_saves_nothing(make_org, make_user):
    from portal.db.tables import TrainingEvent
    from portal.training import event_form

    ids = await _world(make_org, make_user)
    before = await TrainingEvent.count()
    refused = await event_form.save_event(ids["users"]["koord"], None, {"title": "", "organisation_id": "x"}, None)
    assert isinstance(refused, event_form.EventForm) and refused.status_code == 422
    assert {"title", "organisation_id"} <= set(refused.errors)
    assert await TrainingEvent.count() == before
    edit = await event_form.edit_event_form(ids["users"]["koord"], ids["past"])
    assert edit.stored is not None and edit.event["title"] == "Past module"
    assert [o["id"] for o in edit.organisers] == [ids["organiser_org"]]


async def test_the_public_form_is_only_for_published_events(make_org, make_user):
    from portal.training import registration_view, view

    ids = await _world(make_org, make_user)
    with pytest.raises(view.NotFound):
        await registration_view.public_form(ids["draft"])
    past = await registration_view.public_form(ids["past"])
    assert past.template_context()["open"] is False  # it has begun
    closed = await registration_view.public_register(
        ADDRESS, ids["past"], {"name": "Eva", "organisation_name": "Zavod", "email": "eva@example.org", "consent": "on"}
    )
    assert isinstance(closed, registration_view.PublicForm) and closed.status_code == 409
    assert closed.errors == {"form": "Registration for this event is closed."}


async def test_registering_and_cancelling_answer_with_the_event_page_when_asked(make_org, make_user):
    from portal.training import registration_view, view

    ids = await _world(make_org, make_user)
    users = ids["users"]
    upcoming = await make_training_event([ids["organiser_org"]], title="Upcoming")
    with pytest.raises(view.NotFound):
        await registration_view.register_self(users["ana"], ADDRESS, ids["draft"])
    done = await registration_view.register_self(users["ana"], ADDRESS, upcoming, show=True)
    assert done.notice == "registered" and done.page is not None and done.page.mine is not None
    again = await registration_view.register_self(users["ana"], ADDRESS, upcoming)
    assert again.notice == "duplicate" and again.page is None
    place = done.page.mine["id"]
    stranger = current_user(await make_user("tuji", "counsellor", ids["home"]), "tuji", "counsellor", ids["home"])
    with pytest.raises(view.NotAllowed):
        await registration_view.cancel(stranger, ADDRESS, place)
    cancelled = await registration_view.cancel(users["orga"], ADDRESS, place, show=True)
    assert cancelled.notice == "cancelled" and cancelled.page is not None and cancelled.page.notice
    assert "registration cancelled" in await _audited("training_event", upcoming)
    assert (await registration_view.cancel(users["ana"], ADDRESS, place, show=True)).page is None  # already
