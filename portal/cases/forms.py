"""The case page's small forms (stage, consent, team, plan, notes) as one call each: access, check, write, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.cases import services
from portal.cases.services import CaseAccess, changeable_case
from portal.cases.view import CaseView, case_view
from portal.i18n import gettext as _
from portal.organisations.params import is_record_id
from portal.service_errors import NotFound
from portal.vocab import CONSENT_SCOPES, STAGES

RECORD = "participant"
P = TypeVar("P")


@dataclass(frozen=True)
class Outcome(Generic[P]):
    """What a form gives: where to go after the write (``redirect``), or the page again with what was wrong."""

    redirect: str = ""
    page: P | None = None


async def case_page_again(
    user: CurrentUser,
    address: str,
    participant_id: int,
    access: CaseAccess,
    errors: dict[str, str],
    form: Mapping[str, Any] | None = None,
) -> Outcome[CaseView]:
    """The case page again after a refused form on it (access already checked; the read is audited there)."""
    view = await case_view(
        user, address, participant_id, access=access, errors=errors, form=dict(form) if form is not None else None
    )
    if view is None:
        raise NotFound()
    return Outcome(page=view)


async def change_stage(
    user: CurrentUser, address: str, participant_id: int, form: Mapping[str, Any]
) -> Outcome[CaseView]:
    """Move the case to another stage; raises as :func:`changeable_case`."""
    access = await changeable_case(user, participant_id)
    stage, note = str(form.get("stage") or ""), str(form.get("stage_note") or "").strip()[:1000]
    if stage not in STAGES:
        return await case_page_again(user, address, participant_id, access, {"stage": _("Choose a stage.")})
    await services.change_stage(participant_id, stage, note, user)
    await audit.record(user, address, "update", RECORD, participant_id, f"stage {stage}")
    return Outcome(f"/cases/{participant_id}#stage-section")


async def record_consent(
    user: CurrentUser, address: str, participant_id: int, form: Mapping[str, Any]
) -> Outcome[CaseView]:
    """Record the person's consent given or withdrawn; the lead's only (raises as :func:`changeable_case`)."""
    access = await changeable_case(user, participant_id, lead_only=True)
    scope, decision = str(form.get("scope") or ""), str(form.get("decision") or "")
    note = str(form.get("consent_note") or "").strip()[:500]
    if scope not in CONSENT_SCOPES or decision not in ("give", "withdraw"):
        errors = {"consent": _("Choose what and a decision.")}
        return await case_page_again(user, address, participant_id, access, errors)
    await services.record_consent(participant_id, scope, decision == "give", note, user)
    await audit.record(user, address, "update", RECORD, participant_id, f"consent {scope} {decision}")
    return Outcome(f"/cases/{participant_id}?notice=consent_{decision}#consents")


async def add_member(
    user: CurrentUser, address: str, participant_id: int, form: Mapping[str, Any]
) -> Outcome[CaseView]:
    """Add someone to the case team; the lead's only (raises as :func:`changeable_case`)."""
    access = await changeable_case(user, participant_id, lead_only=True)
    user_id, role = str(form.get("user_id") or ""), str(form.get("role") or "").strip()[:100]
    errors = {}
    if not role:
        errors["role"] = _("Say what this person does in the case, e.g. mentor.")
    if not is_record_id(user_id):
        errors["user_id"] = _("Choose a person from the list.")
    if not errors and not await services.add_team_member(participant_id, int(user_id), role, user):
        errors["user_id"] = _("Choose a person from the list.")
    if errors:
        return await case_page_again(user, address, participant_id, access, errors, form)
    await audit.record(user, address, "share", RECORD, participant_id, f"team + user {user_id} as {role}")
    return Outcome(f"/cases/{participant_id}#team")


async def remove_member(user: CurrentUser, address: str, participant_id: int, member_id: int) -> Outcome[CaseView]:
    """Take someone off the case team; the lead's only; ``NotFound`` for no such member of this case."""
    await changeable_case(user, participant_id, lead_only=True)
    if not await services.remove_team_member(participant_id, member_id):
        raise NotFound()
    await audit.record(user, address, "share", RECORD, participant_id, f"team - member {member_id}")
    return Outcome(f"/cases/{participant_id}#team")


async def add_step(user: CurrentUser, address: str, participant_id: int, form: Mapping[str, Any]) -> Outcome[CaseView]:
    """Add a step to the person's plan; raises as :func:`changeable_case`."""
    access = await changeable_case(user, participant_id)
    goal, step = str(form.get("goal") or "").strip()[:200], str(form.get("step") or "").strip()[:300]
    errors: dict[str, str] = {}
    due_on = None
    try:
        due_on = dt.date.fromisoformat(str(form.get("due_on"))) if form.get("due_on") else None
    except ValueError:
        errors["due_on"] = _("Enter a date as YYYY-MM-DD.")
    if not goal:
        errors["goal"] = _("This is required.")
    if not step:
        errors["step"] = _("This is required.")
    if errors:
        return await case_page_again(user, address, participant_id, access, errors, form)
    await services.add_plan_step(participant_id, goal, step, due_on, user)
    await audit.record(user, address, "update", RECORD, participant_id, "plan step added")
    return Outcome(f"/cases/{participant_id}#plan")


async def step_done(user: CurrentUser, address: str, participant_id: int, step_id: int) -> Outcome[CaseView]:
    """Mark a plan step done; raises as :func:`changeable_case`, ``NotFound`` for no such step of this case."""
    await changeable_case(user, participant_id)
    if not await services.mark_step_done(participant_id, step_id):
        raise NotFound()
    await audit.record(user, address, "update", RECORD, participant_id, f"plan step {step_id} done")
    return Outcome(f"/cases/{participant_id}#plan")


async def add_note(user: CurrentUser, address: str, participant_id: int, form: Mapping[str, Any]) -> Outcome[CaseView]:
    """Add a note to the case file; raises as :func:`changeable_case`."""
    access = await changeable_case(user, participant_id)
    text = str(form.get("text") or "").strip()
    if not text or len(text) > 5000:
        errors = {"text": _("Write a note of at most 5,000 characters.")}
        return await case_page_again(user, address, participant_id, access, errors, form)
    await services.add_note(participant_id, text, user)
    await audit.record(user, address, "update", RECORD, participant_id, "note added")
    return Outcome(f"/cases/{participant_id}#notes")
