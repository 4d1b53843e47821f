"""Naming a placement's mentor in one call: by its host (a colleague) or by the case team (one of its own)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.cases.forms import Outcome
from portal.placements import mentors, team_mentors
from portal.placements.access import host_placement, team_placement
from portal.referrals import view as referral_view


async def name_mentor(
    user: CurrentUser, address: str, referral_id: int, form: Mapping[str, Any]
) -> Outcome[referral_view.ReferralView]:
    """The host names a colleague as the mentor; raises as :func:`portal.placements.access.host_placement`."""
    row = await host_placement(user, referral_id, mentors.NAMED_WHILE)
    choices = await mentors.colleagues(user.organisation_id)
    values, errors = mentors.clean(form, choices)
    if errors:
        page = await referral_view.referral_view_by_id(
            user, address, referral_id, "host", errors=errors, mentor_form=dict(form)
        )
        return Outcome(page=page)
    await mentors.name(referral_id, values, user)
    await audit.record(user, address, "update", "participant", row["participant"], f"referral {referral_id} mentor")
    return Outcome(f"/referrals/{referral_id}?notice=mentor_named#mentor")


async def name_team_mentor(
    user: CurrentUser, address: str, referral_id: int, form: Mapping[str, Any]
) -> Outcome[referral_view.ReferralView]:
    """The case team names one of its own; raises as :func:`portal.placements.access.team_placement`."""
    row = await team_placement(user, referral_id)
    values, errors = team_mentors.clean(form, await team_mentors.team(row["participant"]))
    if errors:
        page = await referral_view.referral_view_by_id(
            user, address, referral_id, "counsellor", errors=errors, mentor_form=dict(form)
        )
        return Outcome(page=page)
    await mentors.name(referral_id, values, user)
    detail = f"referral {referral_id} case-team mentor"
    await audit.record(user, address, "update", "participant", row["participant"], detail)
    return Outcome(f"/referrals/{referral_id}?notice=mentor_named#mentor")
