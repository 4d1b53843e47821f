"""The person's profile and profiling forms as one call each: access, validation, the write and its audit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.cases import services
from portal.cases.forms import Outcome
from portal.cases.profiling import CRITERIA, SUPPORT_LEVELS, assess
from portal.cases.services import changeable_case
from portal.cases.validation import clean_participant
from portal.cases.view import (
    ProfileFormView,
    ProfilingView,
    profile_form_again_view,
    profiling_again_view,
    vocabularies,
)
from portal.i18n import current_language
from portal.i18n import gettext as _
from portal.skills.entries import dumps
from portal.skills.services import recognise

RECORD = "participant"


@dataclass(frozen=True)
class NewCaseForm:
    """The new-case form again (``cases/form.html``): what was submitted, what was wrong, possible duplicates."""

    form: dict[str, Any]
    errors: dict[str, str]
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    status_code: int = 422

    def template_context(self) -> dict[str, Any]:
        return {"form": self.form, "errors": self.errors, "duplicates": self.duplicates, **vocabularies()}


async def create(user: CurrentUser, address: str, data: Mapping[str, Any]) -> Outcome[NewCaseForm]:
    """Open a case from the new-case form; a possible duplicate stops the first submission until confirmed."""
    values, errors = clean_participant(data, await services.organisation_country(user.organisation_id))
    duplicates = [] if errors else await services.possible_duplicates(values)
    # A possible duplicate stops the first submission; the counsellor confirms to go on.
    if duplicates and data.get("confirm_duplicate") != "yes":
        errors["duplicate"] = _(
            "A case with the same birth year, initials and municipality exists. "
            "Check it is not the same person, then confirm."
        )
    if errors:
        for duplicate in duplicates:
            # Showing that a case exists elsewhere reveals something about a person: keep a record.
            await audit.record(user, address, "read", RECORD, duplicate["id"], "shown as a possible duplicate")
        return Outcome(page=NewCaseForm(dict(data), errors, duplicates))
    values["skills"] = dumps(await recognise(values["skills"], current_language()))
    participant_id = await services.create_case(user, values)
    await audit.record(
        user, address, "create", RECORD, participant_id, "possible duplicate confirmed" if duplicates else ""
    )
    return Outcome(f"/cases/{participant_id}")


async def update(
    user: CurrentUser, address: str, participant_id: int, data: Mapping[str, Any]
) -> Outcome[ProfileFormView]:
    """Save the person's profile; raises as :func:`changeable_case`; a refused form comes back (audited)."""
    await changeable_case(user, participant_id)
    case = await services.get_case(participant_id)
    values, errors = clean_participant(data, case["country"])
    if errors:
        return Outcome(page=await profile_form_again_view(user, address, case, dict(data), errors))
    values["skills"] = dumps(await recognise(values["skills"], current_language()))
    await services.update_profile(participant_id, values)
    await audit.record(user, address, "update", RECORD, participant_id, "profile")
    return Outcome(f"/cases/{participant_id}")


async def save_profiling(
    user: CurrentUser, address: str, participant_id: int, data: Mapping[str, Any]
) -> Outcome[ProfilingView]:
    """Save a profiling assessment (and an override with its reason); raises as :func:`changeable_case`."""
    await changeable_case(user, participant_id)
    form = dict(data)
    answers = {criterion.code: str(form.get(criterion.code) or "") for criterion in CRITERIA}
    result, errors = assess(answers)
    override = str(form.get("override_level") or "")
    reason = str(form.get("override_reason") or "").strip()[:2000]
    if override and override not in SUPPORT_LEVELS:
        errors["override_level"] = _("Choose a support level.")
    if override and not reason:
        errors["override_reason"] = _("Write why you override the computed level.")
    if result and override == result.level:
        override, reason = "", ""  # agreeing with the computation is not an override
    if errors:
        return Outcome(page=await profiling_again_view(user, address, participant_id, form, errors, result))
    assert result is not None  # assess() gives a result whenever it finds no error
    await services.save_assessment(participant_id, result, answers, override, reason, user)
    await audit.record(
        user, address, "update", RECORD, participant_id, f"profiling {result.points} points, {override or result.level}"
    )
    return Outcome(f"/cases/{participant_id}#profiling")
