"""Case files: opening, reading (audited), sharing by consent, profiling, plan and notes."""

from __future__ import annotations

import datetime as dt

from portal.db.tables import AuditEvent, CaseTeamMember, Consent, Participant, ProfilingAssessment, StageChange
from tests.fixtures import login, post_form
from tests.flows import ANSWERS, CASE, as_user, open_case


async def test_counsellor_opens_a_case_at_intake_with_a_pseudonymous_code(client, make_user):
    await as_user(client, make_user, "ana", "counsellor")
    participant_id = await open_case(client)
    row = await Participant.select().where(Participant.id == participant_id).first()
    assert row["code"].startswith("P-") and len(row["code"]) == 8 and row["stage"] == "intake"
    assert row["latitude"] is not None  # placed at its municipality
    assert await StageChange.count().where(StageChange.participant == participant_id) == 1
    page = await client.get(f"/cases/{participant_id}")
    assert page.status_code == 200 and "Mojca Testna" in page.text and row["code"] in page.text
    listing = await client.get("/cases/")
    assert row["code"] in listing.text and "Mojca" not in listing.text  # the caseload shows codes only


async def test_bad_input_is_reported_per_field_and_nothing_is_saved(client, make_user):
    await as_user(client, make_user, "ana", "counsellor")
    response = await post_form(
        client,
        "/cases/new",
        {**CASE, "first_name": "", "birth_year": "1850", "region": "Atlantis", "interests": ["astrology"]},
    )
    assert response.status_code == 422
    assert "This is required." in response.text and "Enter a year between" in response.text
    assert "Choose from the list." in response.text
    assert await Participant.count() == 0


async def test_possible_duplicate_is_flagged_and_needs_confirmation(client, make_user):
    await as_user(client, make_user, "ana", "counsellor")
    await open_case(client)
    again = await post_form(client, "/cases/new", {**CASE, "first_name": "Maja", "last_name": "Tomažič"})
    assert again.status_code == 422 and "Possible duplicates" in again.text
    assert await Participant.count() == 1
    await open_case(client, first_name="Maja", last_name="Tomažič", confirm_duplicate="yes")
    assert await Participant.count() == 2
    # Showing that a case exists is itself a read of that person's record.
    assert await AuditEvent.count().where(AuditEvent.detail == "shown as a possible duplicate") == 1


async def test_every_read_and_change_is_audited_with_who_and_where(client, make_user):
    await as_user(client, make_user, "ana", "counsellor")
    participant_id = await open_case(client)
    await client.get(f"/cases/{participant_id}")
    events = await AuditEvent.select().where(AuditEvent.record_id == participant_id).order_by(AuditEvent.id)
    assert [e["action"] for e in events] == ["create", "read"]
    assert all(
        e["username"] == "ana" and e["address"] == "127.0.0.1" and e["record_type"] == "participant" for e in events
    )


async def test_outsiders_get_404_and_nothing_is_read(client, make_user, make_org):
    await as_user(client, make_user, "ana", "counsellor")
    participant_id = await open_case(client)
    for role in ("counsellor", "enterprise", "employer", "coordinator", "admin"):
        await as_user(client, make_user, f"other-{role}", role)
        for path in (f"/cases/{participant_id}", f"/cases/{participant_id}/edit", f"/cases/{participant_id}/profiling"):
            assert (await client.get(path)).status_code in (403, 404), (role, path)
        assert "Mojca" not in (await client.get(f"/cases/{participant_id}")).text
    assert await AuditEvent.count().where(AuditEvent.action == "read") == 0


async def test_case_team_in_another_organisation_sees_the_case_only_with_consent(client, make_user, make_org):
    centre = await make_org(name="Social work centre")
    office = await make_org(name="Employment office")
    await make_user("lead", "counsellor", organisation_id=centre)
    adviser_id = await make_user("adviser", "counsellor", organisation_id=office)
    await login(client, "lead")
    participant_id = await open_case(client)
    added = await post_form(
        client, f"/cases/{participant_id}/team", {"user_id": str(adviser_id), "role": "employment adviser"}
    )
    assert added.status_code == 303 and await CaseTeamMember.count() == 1
    client.cookies.clear()
    await login(client, "adviser")
    assert (await client.get(f"/cases/{participant_id}")).status_code == 404  # no consent yet
    client.cookies.clear()
    await login(client, "lead")
    await post_form(client, f"/cases/{participant_id}/consents", {"scope": "case_team", "decision": "give"})
    client.cookies.clear()
    await login(client, "adviser")
    assert (await client.get(f"/cases/{participant_id}")).status_code == 200
    # The adviser may work on the case but not change who sees it.
    refused = await post_form(client, f"/cases/{participant_id}/consents", {"scope": "case_team", "decision": "give"})
    assert refused.status_code == 403
    client.cookies.clear()
    await login(client, "lead")
    await post_form(
        client,
        f"/cases/{participant_id}/consents",
        {"scope": "case_team", "decision": "withdraw", "consent_note": "asked by the person"},
    )
    client.cookies.clear()
    await login(client, "adviser")
    assert (await client.get(f"/cases/{participant_id}")).status_code == 404  # withdrawal works at once
    code = (await Participant.select(Participant.code).order_by(Participant.id).first())["code"]
    caseload = await client.get("/cases/")
    assert code not in caseload.text and "Ptuj" not in caseload.text  # gone from the list, details and all
    history = await Consent.select(Consent.given).where(Consent.participant == participant_id).order_by(Consent.id)
    assert [h["given"] for h in history] == [True, False]


async def test_same_organisation_team_member_needs_no_consent(client, make_user, make_org):
    centre = await make_org(name="Social work centre")
    await make_user("lead", "counsellor", organisation_id=centre)
    colleague = await make_user("colleague", "counsellor", organisation_id=centre)
    await login(client, "lead")
    participant_id = await open_case(client)
    await post_form(client, f"/cases/{participant_id}/team", {"user_id": str(colleague), "role": "deputy"})
    client.cookies.clear()
    await login(client, "colleague")
    assert (await client.get(f"/cases/{participant_id}")).status_code == 200


async def test_the_caseload_lists_team_cases_by_the_newest_team_consent_and_colleagues_cases_always(
    client, make_user, make_org
):
    centre = await make_org(name="Social work centre")
    office = await make_org(name="Employment office")
    await make_user("lead", "counsellor", organisation_id=centre)
    adviser = await make_user("adviser", "counsellor", organisation_id=office)
    colleague = await make_user("colleague", "counsellor", organisation_id=centre)
    await login(client, "lead")
    shared = await open_case(client)
    own = await open_case(client, first_name="Druga")
    for member in (adviser, colleague):
        await post_form(client, f"/cases/{shared}/team", {"user_id": str(member), "role": "adviser"})
    codes = {
        pid: (await Participant.select(Participant.code).where(Participant.id == pid).first())["code"]
        for pid in (shared, own)
    }

    async def listed(username: str) -> set[int]:
        client.cookies.clear()
        await login(client, username)
        text = (await client.get("/cases/")).text
        return {pid for pid, code in codes.items() if code in text}

    assert await listed("adviser") == set() and await listed("colleague") == {shared}
    for decision, expected in (("give", {shared}), ("withdraw", set()), ("give", {shared})):
        client.cookies.clear()
        await login(client, "lead")
        await post_form(client, f"/cases/{shared}/consents", {"scope": "case_team", "decision": decision})
        assert await listed("adviser") == expected, decision
    client.cookies.clear()
    await login(client, "lead")
    await post_form(client, f"/cases/{shared}/consents", {"scope": "employer_profile", "decision": "withdraw"})
    assert await listed("adviser") == {shared}  # another scope's decision changes nothing
    assert await listed("lead") == {shared, own}


async def test_profiling_gives_points_with_reasons_and_keeps_an_override(client, make_user):
    await as_user(client, make_user, "ana", "counsellor")
    participant_id = await open_case(client)
    missing = await post_form(client, f"/cases/{participant_id}/profiling", {"health": "some"})
    assert missing.status_code == 422 and "Choose an answer." in missing.text
    no_reason = await post_form(client, f"/cases/{participant_id}/profiling", {**ANSWERS, "override_level": "low"})
    assert no_reason.status_code == 422 and "Write why you override" in no_reason.text
    assert await ProfilingAssessment.count() == 0
    ok = await post_form(
        client,
        f"/cases/{participant_id}/profiling",
        {**ANSWERS, "override_level": "high", "override_reason": "Recent eviction notice"},
    )
    assert ok.status_code == 303
    saved = await ProfilingAssessment.select().order_by(ProfilingAssessment.id).first()
    # 3 + 2 + 1 + 2 + 0 + 1 + 0 + 1 = 10 points: high already; override to high is no override.
    assert (saved["points"], saved["computed_level"], saved["override_level"]) == (10, "high", "")
    lower = dict(ANSWERS, months_out_of_work="lt6", months_social_assistance="none", education="secondary")
    await post_form(
        client,
        f"/cases/{participant_id}/profiling",
        {**lower, "override_level": "high", "override_reason": "Recent eviction notice"},
    )
    latest = await ProfilingAssessment.select().order_by(ProfilingAssessment.id, ascending=False).first()
    assert (latest["points"], latest["computed_level"], latest["override_level"]) == (3, "low", "high")
    row = await Participant.select(Participant.support_level).order_by(Participant.id).first()
    assert row["support_level"] == "high"
    page = await client.get(f"/cases/{participant_id}")
    assert "Recent eviction notice" in page.text


async def test_plan_steps_notes_stage_and_the_overdue_filter(client, make_user):
    await as_user(client, make_user, "ana", "counsellor")
    late = await open_case(client)
    on_time = await open_case(client, first_name="Zala", birth_year="1991")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    assert (
        await post_form(
            client, f"/cases/{late}/plan", {"goal": "Routine", "step": "Visit the workshop", "due_on": yesterday}
        )
    ).status_code == 303
    bad = await post_form(client, f"/cases/{on_time}/plan", {"goal": "", "step": "x", "due_on": "tomorrow"})
    assert bad.status_code == 422 and "Enter a date as YYYY-MM-DD." in bad.text
    overdue = await client.get("/cases/", params={"overdue": "true"})
    codes = {row["id"]: row["code"] for row in await Participant.select(Participant.id, Participant.code)}
    assert codes[late] in overdue.text and codes[on_time] not in overdue.text
    assert (
        await post_form(client, f"/cases/{late}/notes", {"text": "Came on time, keen to start."})
    ).status_code == 303
    assert (
        await post_form(client, f"/cases/{late}/stage", {"stage": "activation", "stage_note": "plan agreed"})
    ).status_code == 303
    assert (await post_form(client, f"/cases/{late}/stage", {"stage": "flying"})).status_code == 422
    page = await client.get(f"/cases/{late}")
    assert "Came on time, keen to start." in page.text and "plan agreed" in page.text
    by_stage = await client.get("/cases/", params={"stage": "activation"})
    assert codes[late] in by_stage.text and codes[on_time] not in by_stage.text


async def test_editing_the_profile_is_audited_and_checked(client, make_user):
    await as_user(client, make_user, "ana", "counsellor")
    participant_id = await open_case(client)
    bad = await post_form(client, f"/cases/{participant_id}/edit", {**CASE, "hours_per_week": "100"})
    assert bad.status_code == 422 and "Enter a number of hours from 1 to 60." in bad.text
    ok = await post_form(
        client, f"/cases/{participant_id}/edit", {**CASE, "hours_per_week": "30", "phone": "+386 40 000 000"}
    )
    assert ok.status_code == 303
    row = await Participant.select(Participant.hours_per_week, Participant.phone).order_by(Participant.id).first()
    assert (row["hours_per_week"], row["phone"]) == (30, "+386 40 000 000")
    assert await AuditEvent.count().where(AuditEvent.action == "update") == 1


async def test_audit_log_is_for_admins_and_filters(client, make_user):
    await as_user(client, make_user, "ana", "counsellor")
    participant_id = await open_case(client)
    await client.get(f"/cases/{participant_id}")
    assert (await client.get("/audit/")).status_code == 403
    await as_user(client, make_user, "root", "admin")
    page = await client.get("/audit/", params={"username": "ana", "action": "read"})
    assert page.status_code == 200 and "1 event" in page.text and "case file" in page.text
    assert (await client.get("/audit/", params={"record_id": str(participant_id)})).text.count("<tr>") == 3


async def test_skills_the_vocabulary_knows_get_their_esco_address(client, make_user):
    import json

    from portal.skills.importer import load_shipped

    await load_shipped()
    await as_user(client, make_user, "ana", "counsellor")
    participant_id = await open_case(client, skills="Teamwork Principles\njuggling five balls at once")
    row = await Participant.select(Participant.skills).where(Participant.id == participant_id).first()
    skills = json.loads(row["skills"])
    assert skills[0]["uri"].startswith("http://data.europa.eu/esco/skill/")
    assert skills[1] == {"uri": "", "label": "juggling five balls at once"}
    edit = await client.get(f"/cases/{participant_id}/edit")
    assert "Teamwork Principles &lt;http://data.europa.eu/esco/skill/" in edit.text


async def test_a_caseload_of_cases_stamped_alike_pages_each_case_once(client, make_user):
    await as_user(client, make_user, "ana", "counsellor")
    first = await open_case(client)
    for _ in range(59):
        await open_case(client, first_name="Druga", last_name=f"Oseba{_}", confirm_duplicate="yes")
    same = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)  # as an import or the demo loader stamps them
    await Participant.update({Participant.updated_at: same}, force=True)
    codes = [row["code"] for row in await Participant.select(Participant.code)]
    seen = []
    for page in (1, 2, 3):
        text = (await client.get("/cases/", params={"page": page})).text
        seen += [code for code in codes if f">{code}<" in text]
    assert sorted(seen) == sorted(codes) and first


async def test_the_team_form_lists_colleagues_and_finds_people_elsewhere(client, make_user, make_org):
    centre = await make_org(name="CSD Ptuj", kind="social_work_centre")
    await as_user(client, make_user, "ana", "counsellor", organisation_id=centre)
    for number in range(22):
        await make_user(
            f"colleague{number:02}", "counsellor", organisation_id=centre, display_name=f"Kolega {number:02}"
        )
    adviser = await make_user(
        "adviser", "enterprise", organisation_id=await make_org(name="Zavod Zagreb"), display_name="Ivana Savjetnica"
    )
    participant_id = await open_case(client)

    page = (await client.get(f"/cases/{participant_id}")).text
    assert page.count("Kolega ") == 20 and "Ivana" not in page and "narrow the list" in page

    found = (await client.get(f"/cases/{participant_id}", params={"team_q": "zagreb"})).text  # without JavaScript
    assert f'<option value="{adviser}">Ivana Savjetnica (Zavod Zagreb)' in found and "Kolega" not in found

    fragment = await client.get(
        f"/cases/{participant_id}/team-choices", params={"team_q": "savjet"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text and "Ivana Savjetnica" in fragment.text

    added = await post_form(client, f"/cases/{participant_id}/team", {"user_id": str(adviser), "role": "adviser"})
    assert added.status_code == 303
    again = await post_form(client, f"/cases/{participant_id}/team", {"user_id": str(adviser), "role": "adviser"})
    assert again.status_code == 422  # already on the team: no second row
    assert await CaseTeamMember.count().where(CaseTeamMember.participant == participant_id) == 1
    gone = await client.get(
        f"/cases/{participant_id}/team-choices", params={"team_q": "savjet"}, headers={"HX-Request": "true"}
    )
    assert "Ivana" not in gone.text


async def test_the_case_file_holds_the_newest_decision_per_scope_as_consents_in_force_does(client, make_user):
    from portal.cases import services

    await as_user(client, make_user, "ana", "counsellor")
    participant_id = await open_case(client)
    for scope, decision in [("case_team", "give"), ("employer_profile", "give"), ("case_team", "withdraw")]:
        await post_form(client, f"/cases/{participant_id}/consents", {"scope": scope, "decision": decision})
    case = await services.get_case(participant_id)
    assert case["consents"] == await services.consents_in_force(participant_id)
    assert {scope: row["given"] for scope, row in case["consents"].items()} == {
        "case_team": False,
        "employer_profile": True,
    }
    assert len(case["consent_history"]) == 3
