"""One step of the graduated response to absence in one call: access, check, the write and its audit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.cases import services as cases
from portal.cases.forms import Outcome, case_page_again
from portal.cases.view import CaseView
from portal.placements import responses


async def record_response(
    user: CurrentUser, address: str, participant_id: int, form: Mapping[str, Any]
) -> Outcome[CaseView]:
    """A step decided by someone on the case team; ``NotFound`` for anyone else, ``Refused("pseudonymised")``
    once the case was pseudonymised; a refused form gives the case page again (its read audited)."""
    access = await cases.changeable_case(user, participant_id)
    values, errors = responses.clean(form, await responses.placements_of(participant_id))
    if errors:
        return await case_page_again(user, address, participant_id, access, errors, form)
    await responses.record(participant_id, values, user)
    await audit.record(user, address, "update", "participant", participant_id, f"response step {values['step']}")
    return Outcome(f"/cases/{participant_id}#attendance")
