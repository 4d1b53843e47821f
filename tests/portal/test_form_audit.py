"""The audit record each case, referral and placement form writes, and who is refused (portal.*.forms)."""

from __future__ import annotations

import datetime as dt

from portal.db.tables import AuditEvent, CaseTeamMember, PlanStep, StageChange
from portal.referrals.steps import today
from tests.fixtures import login, post_form
from tests.flows import ANSWERS, CASE, open_case, refer, setting, step, switch


async def _changes(record_id: int) -> list[tuple[str, str]]:
    """The non-read audit rows of a person's record, oldest first: (action, detail)."""
    rows = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.detail)
        .where((AuditEvent.record_id == record_id) & (AuditEvent.action != "read"))
        .order_by(AuditEvent.id)
    )
    return [(r["action"], r["detail"]) for r in rows]


async def test_each_case_form_writes_its_audit_row(client, make_user, make_org):
    centre = await make_org(name="Social work centre", kind="social_work_centre")
    await make_user("lead", "counsellor", organisation_id=centre)
    colleague = await make_user("colleague", "counsellor", organisation_id=centre)
    await login(client, "lead")
    participant = await open_case(client)
    posts = [
        (f"/cases/{participant}/edit", {**CASE, "first_name": "Mojca"}),
        (f"/cases/{participant}/stage", {"stage": "activation", "stage_note": "plan agreed"}),
        (f"/cases/{participant}/consents", {"scope": "case_team", "decision": "give"}),
        (f"/cases/{participant}/team", {"user_id": str(colleague), "role": "mentor"}),
        (f"/cases/{participant}/plan", {"goal": "Routine", "step": "Visit the workshop", "due_on": ""}),
        (f"/cases/{participant}/notes", {"text": "Came on time."}),
        (f"/cases/{participant}/profiling", ANSWERS),
    ]
    for path, data in posts:
        answer = await post_form(client, path, data)
        assert answer.status_code == 303, (path, answer.text[:500])
    step_id = (await PlanStep.select(PlanStep.id).first())["id"]
    assert (await post_form(client, f"/cases/{participant}/plan/{step_id}/done", {})).status_code == 303
    member = (await CaseTeamMember.select(CaseTeamMember.id).first())["id"]
    assert (await post_form(client, f"/cases/{participant}/team/{member}/remove", {})).status_code == 303
    changes = await _changes(participant)
    assert changes[:7] == [
        ("create", ""),
        ("update", "profile"),
        ("update", "stage activation"),
        ("update", "consent case_team give"),
        ("share", f"team + user {colleague} as mentor"),
        ("update", "plan step added"),
        ("update", "note added"),
    ]
    assert changes[7][0] == "update" and changes[7][1].startswith("profiling ")
    assert changes[8:] == [("update", f"plan step {step_id} done"), ("share", f"team - member {member}")]
    # A step or member of no such id is not found, and writes nothing.
    assert (await post_form(client, f"/cases/{participant}/plan/999999/done", {})).status_code == 404
    assert (await post_form(client, f"/cases/{participant}/team/999999/remove", {})).status_code == 404
    assert len(await _changes(participant)) == 10


async def test_a_refused_case_form_writes_nothing_and_shows_the_page_again(client, make_user):
    await make_user("lead", "counsellor")
    await login(client, "lead")
    participant = await open_case(client)
    stages = await StageChange.count()
    bad = await post_form(client, f"/cases/{participant}/stage", {"stage": "nowhere"})
    assert bad.status_code == 422 and "Choose a stage." in bad.text
    bad_note = await post_form(client, f"/cases/{participant}/notes", {"text": "  "})
    assert bad_note.status_code == 422 and "Write a note of at most 5,000 characters." in bad_note.text
    assert await StageChange.count() == stages and await _changes(participant) == [("create", "")]


async def test_only_the_lead_changes_the_team_and_consent_and_strangers_find_nothing(client, make_user, make_org):
    centre = await make_org(name="Social work centre", kind="social_work_centre")
    await make_user("lead", "counsellor", organisation_id=centre)
    member = await make_user("member", "counsellor", organisation_id=centre)
    other = await make_user("other", "counsellor", organisation_id=centre)
    await make_user("stranger", "counsellor", organisation_id=centre)
    await login(client, "lead")
    participant = await open_case(client)
    added = await post_form(client, f"/cases/{participant}/team", {"user_id": str(member), "role": "mentor"})
    assert added.status_code == 303
    row = (await CaseTeamMember.select(CaseTeamMember.id).first())["id"]
    await switch(client, "member")
    team = await post_form(client, f"/cases/{participant}/team", {"user_id": str(other), "role": "mentor"})
    assert team.status_code == 403
    assert (await post_form(client, f"/cases/{participant}/team/{row}/remove", {})).status_code == 403
    consent = await post_form(client, f"/cases/{participant}/consents", {"scope": "case_team", "decision": "give"})
    assert consent.status_code == 403
    # A team member may work on the case.
    assert (await post_form(client, f"/cases/{participant}/notes", {"text": "Seen today."})).status_code == 303
    await switch(client, "stranger")
    for path, data in [
        (f"/cases/{participant}/notes", {"text": "x"}),
        (f"/cases/{participant}/stage", {"stage": "activation"}),
        (f"/cases/{participant}/edit", CASE),
        (f"/cases/{participant}/referrals", {"opportunity_id": "1"}),
        (f"/cases/{participant}/responses", {"response_step": "contact"}),
    ]:
        assert (await post_form(client, path, data)).status_code == 404, path
    assert await CaseTeamMember.count() == 1
    assert [c for c in await _changes(participant) if c[0] == "share"] == [("share", f"team + user {member} as mentor")]


async def test_referral_and_placement_forms_write_their_audit_rows(client, make_user, make_org):
    participant, opportunity, host = await setting(client, make_user, make_org)
    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    assert (await step(client, referral, "accepted")).status_code == 303
    started_on = (today() - dt.timedelta(days=14)).isoformat()
    started = await post_form(client, f"/referrals/{referral}/step", {"to": "started", "started_on": started_on})
    assert started.status_code == 303
    week = (today() - dt.timedelta(days=today().weekday())).isoformat()
    recorded = await post_form(client, f"/referrals/{referral}/attendance", {"week": week, "status": "present"})
    assert recorded.status_code == 303
    named = await post_form(
        client, f"/referrals/{referral}/mentor", {"mentor_name": "Janez", "mentor_contact": "x@y.si"}
    )
    assert named.status_code == 303
    await switch(client, "ana")
    team_named = await post_form(client, f"/referrals/{referral}/team-mentor", {"team_mentor_user": "999999"})
    assert team_named.status_code == 422
    response = await post_form(
        client, f"/cases/{participant}/responses", {"response_step": "contact", "response_note": "Called her."}
    )
    assert response.status_code == 303, response.text[:500]
    changes = [c for c in await _changes(participant) if c[0] in ("refer", "update")]
    assert changes[-6:] == [
        ("refer", f"referral {referral}"),
        ("update", f"referral {referral} sent -> accepted"),
        ("update", f"referral {referral} accepted -> started on {started_on}"),
        ("update", f"attendance referral {referral} week {week} present"),
        ("update", f"referral {referral} mentor"),
        ("update", "response step contact"),
    ]
