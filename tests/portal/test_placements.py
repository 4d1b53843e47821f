"""Placements under way: the host's weekly attendance, absence alerts to the case team, graduated responses, mentors."""

from __future__ import annotations

import asyncio
import datetime as dt

from portal.db.tables import (
    AbsenceAlert,
    AttendanceResponse,
    AttendanceWeek,
    Notification,
    Participant,
    PlacementMentor,
)
from portal.placements.attendance import monday
from portal.referrals.steps import today
from tests.fixtures import post_form
from tests.flows import refer, setting, step, switch

HX = {"HX-Request": "true"}


async def started_placement(client, make_user, make_org, days_ago: int = 14):
    """A referral the host accepted and started ``days_ago`` days back; the host is signed in."""
    participant, opportunity, host = await setting(client, make_user, make_org)
    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    await step(client, referral, "accepted")
    started_on = (today() - dt.timedelta(days=days_ago)).isoformat()
    started = await post_form(client, f"/referrals/{referral}/step", {"to": "started", "started_on": started_on})
    assert started.status_code == 303
    return participant, referral, host


def weeks_back(n: int) -> str:
    return (monday(today()) - dt.timedelta(weeks=n)).isoformat()


async def record(client, referral, week, status, note="", headers=None):
    data = {"week": week, "status": status, "note": note}
    return await post_form(client, f"/referrals/{referral}/attendance", data, headers=headers or {})


async def test_the_host_records_a_week_per_placement_and_can_correct_it(client, make_user, make_org):
    participant, referral, _ = await started_placement(client, make_user, make_org)
    page = await client.get("/attendance")
    assert page.status_code == 200 and f'id="placement-{referral}"' in page.text and 'value="absent"' in page.text

    saved = await record(client, referral, weeks_back(0), "present", note="On time every day")
    assert saved.status_code == 303 and saved.headers["location"].startswith("/attendance?week=")
    again = await record(client, referral, weeks_back(0), "excused")  # the same week: replaced, not added
    assert again.status_code == 303
    rows = await AttendanceWeek.select().where(AttendanceWeek.referral == referral)
    assert [(r["status"], r["week_start"]) for r in rows] == [("excused", monday(today()))]

    # With htmx only that placement's row comes back, with the confirmation.
    row = await record(client, referral, weeks_back(1), "present", headers=HX)
    assert row.status_code == 200 and "<html" not in row.text and f'id="placement-{referral}"' in row.text
    assert "Saved: Present" in row.text

    # The referral page shows the weeks to both sides.
    assert "On time every day" not in (await client.get(f"/referrals/{referral}")).text  # replaced by the second save
    await switch(client, "ana")
    assert "Excused" in (await client.get(f"/referrals/{referral}")).text
    assert "Excused" in (await client.get(f"/cases/{participant}")).text


async def test_bad_attendance_is_re_rendered_and_changes_nothing(client, make_user, make_org):
    _, referral, _ = await started_placement(client, make_user, make_org)
    for week, status, note in (
        (weeks_back(0), "late", ""),  # no such status
        (weeks_back(-1), "present", ""),  # next week
        (weeks_back(3), "present", ""),  # before the start
        ("someday", "present", ""),
        (weeks_back(0), "absent", "x" * 501),
    ):
        answer = await record(client, referral, week, status, note=note)
        assert answer.status_code == 422 and 'class="field-error"' in answer.text, (week, status)
    htmx = await record(client, referral, weeks_back(0), "", headers=HX)
    assert htmx.status_code == 422 and "Choose present, absent or excused." in htmx.text and "<html" not in htmx.text
    assert await AttendanceWeek.count() == 0


async def test_only_the_host_records_attendance(client, make_user, make_org):
    participant, referral, _ = await started_placement(client, make_user, make_org)
    await switch(client, "ana")  # the lead counsellor: sees the placement, records nothing
    assert (await record(client, referral, weeks_back(0), "absent")).status_code == 403
    assert (await client.get("/attendance")).status_code == 403
    other_host = await make_org(name="Other enterprise")
    await make_user("stranger", "enterprise", organisation_id=other_host)
    await switch(client, "stranger")
    assert (await record(client, referral, weeks_back(0), "absent")).status_code == 404
    assert f"placement-{referral}" not in (await client.get("/attendance")).text
    # Only the case team sees attendance on the case.
    assert (await client.get(f"/cases/{participant}")).status_code == 404
    assert await AttendanceWeek.count() == 0


async def test_two_unexcused_absences_in_a_row_reach_the_counsellor_until_a_response(client, make_user, make_org):
    participant, referral, _ = await started_placement(client, make_user, make_org)
    await record(client, referral, weeks_back(2), "absent")
    await record(client, referral, weeks_back(1), "excused")
    await record(client, referral, weeks_back(0), "absent")
    assert await AbsenceAlert.count() == 0  # an excused week breaks the run
    await record(client, referral, weeks_back(1), "absent")  # corrected: now three in a row
    assert await AbsenceAlert.count() == 1
    notice = (
        await Notification.select().where(Notification.key == "attendance.absent").order_by(Notification.id).first()
    )
    assert notice is not None and notice["link"] == f"/cases/{participant}#attendance"
    await record(client, referral, weeks_back(0), "absent")  # one open alert per placement
    assert await AbsenceAlert.count() == 1

    await switch(client, "ana")
    day = (await client.get("/")).text
    assert 'id="absences"' in day and "unexcused weeks in a row" in day and f"/cases/{participant}#attendance" in day
    case = (await client.get(f"/cases/{participant}")).text
    assert "Repeated absence" in case and "Record a response step" in case
    notifications = (await client.get("/notifications/")).text
    assert "Repeated absence on the placement of" in notifications

    # Bad input: the case page again with the messages, nothing kept.
    bad = await post_form(client, f"/cases/{participant}/responses", {"response_step": "fine", "response_note": ""})
    assert bad.status_code == 422 and "Choose a step." in bad.text and "Write the reason" in bad.text
    future = (today() + dt.timedelta(days=1)).isoformat()
    late = await post_form(
        client,
        f"/cases/{participant}/responses",
        {"response_step": "contact", "response_note": "Called", "decided_on": future},
    )
    assert late.status_code == 422 and await AttendanceResponse.count() == 0

    done = await post_form(
        client,
        f"/cases/{participant}/responses",
        {
            "response_step": "contact",
            "response_note": "Called her: childcare fell through; agreed on later hours.",
            "response_referral": str(referral),
        },
    )
    assert done.status_code == 303
    assert await AbsenceAlert.count().where(AbsenceAlert.closed_at.is_null()) == 0
    case = (await client.get(f"/cases/{participant}")).text
    assert "childcare fell through" in case and "Contact the person" in case and "unexcused absence 2 weeks" not in case
    assert 'id="absences"' in (day := (await client.get("/")).text) and "No placement has repeated absence." in day

    # Someone outside the case team cannot record a step.
    centre = await make_org(name="Elsewhere", kind="social_work_centre")
    await make_user("bojan", "counsellor", organisation_id=centre)
    await switch(client, "bojan")
    refused = await post_form(
        client, f"/cases/{participant}/responses", {"response_step": "warning", "response_note": "No"}
    )
    assert refused.status_code == 404 and await AttendanceResponse.count() == 1
    await switch(client, "host")
    assert (
        await post_form(client, f"/cases/{participant}/responses", {"response_step": "end", "response_note": "No"})
    ).status_code == 404


async def test_the_host_names_a_mentor_the_counsellor_sees(client, make_user, make_org):
    participant, referral, host = await started_placement(client, make_user, make_org)
    colleague = await make_user("mentor-marta", "enterprise", organisation_id=host, display_name="Marta Mentor")
    page = (await client.get(f"/referrals/{referral}")).text
    assert "Name a mentor" in page and "Marta Mentor" in page

    bad = await post_form(client, f"/referrals/{referral}/mentor", {"mentor_name": "", "mentor_contact": ""})
    assert bad.status_code == 422 and "write the mentor&#39;s name" in bad.text
    stranger = await post_form(client, f"/referrals/{referral}/mentor", {"mentor_user": "999999"})
    assert stranger.status_code == 422 and await PlacementMentor.count() == 0

    named = await post_form(client, f"/referrals/{referral}/mentor", {"mentor_user": str(colleague)})
    assert named.status_code == 303
    typed = await post_form(
        client, f"/referrals/{referral}/mentor", {"mentor_name": "Janez Novak", "mentor_contact": "+386 40 123 456"}
    )
    assert typed.status_code == 303

    await switch(client, "ana")
    assert "Janez Novak" in (await client.get(f"/referrals/{referral}")).text
    case = (await client.get(f"/cases/{participant}")).text
    assert "Janez Novak · +386 40 123 456" in case
    # The counsellor does not name the host's mentor.
    assert (
        await post_form(client, f"/referrals/{referral}/mentor", {"mentor_name": "X", "mentor_contact": "Y"})
    ).status_code == 403


async def test_the_export_holds_the_placement_records_and_erasure_empties_their_notes(client, make_user, make_org):
    participant, referral, _ = await started_placement(client, make_user, make_org)
    await record(client, referral, weeks_back(1), "absent")
    await record(client, referral, weeks_back(0), "absent", note="Said she was ill")
    await switch(client, "ana")
    await post_form(
        client,
        f"/cases/{participant}/responses",
        {"response_step": "contact", "response_note": "Phoned; feels better"},
    )
    document = (await client.get(f"/cases/{participant}/export.json")).json()
    assert [w["note"] for w in document["placements"]["attendance"]] == ["", "Said she was ill"]
    assert [r["step"] for r in document["placements"]["responses"]] == ["contact"]
    # The alert the two absences raised is the person's data too, closed by the response.
    [alert] = document["placements"]["absence_alerts"]
    assert alert["weeks"] == 2 and alert["referral"] == referral and alert["closed_at"]
    assert "Phoned; feels better" in (await client.get(f"/cases/{participant}/export")).text
    code = (await Participant.select(Participant.code).where(Participant.id == participant).first())["code"]
    erased = await post_form(client, f"/cases/{participant}/erase", {"reason": "request", "confirm_code": code})
    assert erased.status_code == 303
    assert [w["note"] for w in await AttendanceWeek.select(AttendanceWeek.note)] == ["", ""]
    assert [r["note"] for r in await AttendanceResponse.select(AttendanceResponse.note)] == [""]


async def test_saves_of_one_week_at_once_keep_one_row_and_one_alert(client, make_user, make_org):
    _, referral, _ = await started_placement(client, make_user, make_org)
    await record(client, referral, weeks_back(1), "absent")
    # A double click (and a second tab) saving the same week at once: one row, one open alert, no error.
    answers = await asyncio.gather(*[record(client, referral, weeks_back(0), "absent") for _ in range(6)])
    assert {answer.status_code for answer in answers} == {303}
    assert await AttendanceWeek.count().where(AttendanceWeek.referral == referral) == 2
    assert await AbsenceAlert.count() == 1
    assert await Notification.count().where(Notification.key == "attendance.absent") == 1
