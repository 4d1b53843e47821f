"""Every reader of a stored code list reads it as ``portal.vocab.split_codes`` does: spaces stripped, empty parts
dropped, so a list typed or imported as "sl, hr," means what "sl,hr" means (issue #17)."""

from __future__ import annotations

from portal.cases import view as case_views
from portal.db.tables import Participant
from portal.matching_service import fairness, records
from portal.placements.mentor_figures import offers_mentor
from portal.privacy import export
from tests.factories import current_user, make_participant

ADDRESS = "203.0.113.9"


def test_a_matching_record_and_offers_a_mentor_read_codes_with_spaces():
    row = {"id": 1, "skills": "[]", "interests": ",reuse_repair", "languages": "sl, hr,", "support_needs": " mentor"}
    person = records.person(row)
    assert (person.languages, person.interests, person.support_needs) == (
        frozenset({"sl", "hr"}),
        frozenset({"reuse_repair"}),
        frozenset({"mentor"}),
    )
    assert offers_mentor("flexible_hours, mentor") and offers_mentor(["mentor"]) and not offers_mentor("")


async def test_the_case_form_the_export_and_the_fairness_groups_read_codes_with_spaces(make_user, make_org):
    centre = await make_org(name="Centre", kind="social_work_centre")
    lead = current_user(await make_user("ana", "counsellor", organisation_id=centre), "ana", "counsellor", centre)
    spaced = await make_participant(lead, stage="activation")
    blank = await make_participant(lead, stage="activation", first_name="Nina")
    await Participant.update(
        {Participant.languages: " hr, sl,", Participant.support_needs: "mentor, transport", Participant.interests: ""}
    ).where(Participant.id == spaced)
    await Participant.update({Participant.languages: ",sl"}).where(Participant.id == blank)

    # The form's checkboxes are ticked for every stored code, and an empty list is no code at all.
    form = (await case_views.profile_form_view(lead, ADDRESS, spaced)).form
    assert (form["languages"], form["support_needs"], form["interests"]) == (["hr", "sl"], ["mentor", "transport"], [])
    exported = (await export.gather(spaced))["participant"]
    assert (exported["languages"], exported["support_needs"], exported["interests"]) == (
        ["hr", "sl"],
        ["mentor", "transport"],
        [],
    )
    # Grouped by their first language: the one they listed first, not its spaces nor an empty first part.
    groups = (await fairness.gather([])).groups["language"]
    assert (groups[spaced], groups[blank]) == ("hr", "sl")
