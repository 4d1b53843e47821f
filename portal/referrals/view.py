"""The referral pages' data in one call each, and who may see a referral (its host or the case team) or make one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.auth.roles import EMPLOYER, ENTERPRISE
from portal.cases import services as cases
from portal.organisations.kinds import SPOKEN_LANGUAGES
from portal.outcomes import FormErrors
from portal.placements import case_view as placement_view
from portal.referrals import flow, guidance, services, steps, undo
from portal.referrals.notices import confirmation, refusal_messages
from portal.service_errors import NotFound
from portal.vocab import SUPPORT

HOST_ROLES = (ENTERPRISE, EMPLOYER)


async def side_of(user: CurrentUser, referral: dict[str, Any]) -> str | None:
    """'host' for the receiving organisation's users, 'counsellor' for the case team, else None."""
    if user.role in HOST_ROLES and user.organisation_id == referral["host_id"] and referral["status"] != "proposed":
        return "host"
    if await cases.access_for(user, referral["participant"]) is not None:
        return "counsellor"
    return None


async def referral_for(user: CurrentUser, referral_id: int) -> tuple[dict[str, Any], str] | None:
    """The referral and the user's side of it, or None when it does not exist or is not theirs to see."""
    try:
        referral = await services.get_referral(referral_id)
    except services.NotFound:
        return None
    side = await side_of(user, referral)
    return None if side is None else (referral, side)


@dataclass(frozen=True)
class ReferralView(FormErrors):
    """Everything the referral page shows one side: the referral, its next steps and the placement part."""

    referral: dict[str, Any]  # for the host, ``code`` is the name the host may see
    side: str
    next_steps: list[str]
    notice: str
    confirmation: str
    undo_until: dt.datetime | None
    # The placement part (portal.placements.case_view.referral_context): weeks, mentor, choices.
    placement: placement_view.ReferralPlacement
    errors: dict[str, str] = field(default_factory=dict)
    open_step: str = ""
    form: steps.StepInput | None = None  # the step form that was refused
    mentor_form: dict[str, Any] = field(default_factory=dict)  # the mentor form that was refused

    def template_context(self) -> dict[str, Any]:
        """The names ``referrals/detail.html`` reads."""
        return {
            "referral": self.referral,
            "side": self.side,
            "steps": self.next_steps,
            "statuses": flow.STATUSES,
            "actions": flow.ACTION_LABELS,
            "needs_reason": flow.NEEDS_REASON,
            "support": SUPPORT,
            "spoken_languages": SPOKEN_LANGUAGES,
            "notice": self.notice,
            "confirmation": self.confirmation,
            "undo_until": self.undo_until,
            "errors": self.errors,
            "open_step": self.open_step,
            "form": self.form,
            "today": steps.today(),
            "date_fields": {to: steps.date_field(to) for to in self.next_steps},
            "date_hints": {to: steps.date_hint(to, self.referral["started_on"]) for to in self.next_steps},
            "min_start": steps.today() - dt.timedelta(days=steps.START_BACKDATE_DAYS),
            "constraint_texts": guidance.constraint_texts(),
            **self.placement.template_context(),
            "mentor_form": self.mentor_form,
        }


async def referral_view(
    user: CurrentUser,
    address: str,
    referral: dict[str, Any],
    side: str,
    notice: str = "",
    errors: dict[str, str] | None = None,
    open_step: str = "",
    form: steps.StepInput | None = None,
    mentor_form: dict[str, Any] | None = None,
) -> ReferralView:
    """The page of a referral already read (``referral_for``) for ``side``; the read of the person is audited."""
    if side == "host":
        referral["code"] = await services.name_for_host(
            user.role, user.organisation_id, referral["participant"], referral["code"]
        )
    # The host sees a part of the person's record: code, skills, languages, support needed.
    await audit.record(
        user, address, "read", "participant", referral["participant"], f"referral {referral['id']} as {side}"
    )
    return ReferralView(
        referral=referral,
        side=side,
        next_steps=flow.next_steps(referral["status"], side),
        notice=refusal_messages().get(notice, ""),
        confirmation=confirmation(notice, referral),
        undo_until=await undo.offer(referral, side),
        placement=await placement_view.referral_context(referral, side),
        errors=errors or {},
        open_step=open_step,
        form=form,
        mentor_form=mentor_form or {},
    )


async def opened_referral_view(
    user: CurrentUser, address: str, referral_id: int, notice: str = ""
) -> ReferralView | None:
    """The referral page as ``user`` opens it (a host's first opening is noted), or None when not theirs."""
    found = await referral_for(user, referral_id)
    if found is None:
        return None
    referral, side = found
    if side == "host" and referral["host_opened_at"] is None:
        await services.mark_opened(referral_id)
        referral["host_opened_at"] = True
    return await referral_view(user, address, referral, side, notice=notice)


async def referral_view_by_id(
    user: CurrentUser,
    address: str,
    referral_id: int,
    side: str,
    notice: str = "",
    errors: dict[str, str] | None = None,
    mentor_form: dict[str, Any] | None = None,
) -> ReferralView:
    """The page again for a side already decided: after an htmx step, or a refused mentor form."""
    referral = await services.get_referral(referral_id)
    return await referral_view(user, address, referral, side, notice=notice, errors=errors, mentor_form=mentor_form)


async def referable_case(user: CurrentUser, participant_id: int) -> None:
    """Raise ``NotFound`` unless ``user`` is on the case, ``Refused("pseudonymised")`` once it was pseudonymised:
    who may refer a case is who may change it (portal.cases.services.changeable_case)."""
    await cases.changeable_case(user, participant_id)


@dataclass(frozen=True)
class ChoiceView:
    """Places to refer a case to for a search, ranked by fit (portal.referrals.guidance.search)."""

    participant_id: int
    code: str
    opportunity_q: str
    region: str
    search: guidance.Search

    def template_context(self) -> dict[str, Any]:
        """The names the ``opportunity_choices`` block of ``referrals/choose.html`` reads."""
        return {
            "participant_id": self.participant_id,
            "code": self.code,
            "region": self.region,
            "opportunity_q": self.opportunity_q,
            "search": self.search,
            "constraint_texts": guidance.constraint_texts(),
        }


async def choice_view(user: CurrentUser, address: str, participant_id: int, q: str, region: str) -> ChoiceView:
    """The places for a case the caller may see; ranking reads the person's profile, so each search is audited."""
    search = await guidance.search(participant_id, q, region)
    await audit.record(user, address, "read", "participant", participant_id, "referral search")
    return ChoiceView(participant_id, await guidance.case_code(participant_id), q, region, search)


@dataclass(frozen=True)
class ConfirmView(FormErrors):
    """One chosen place for a case: its fit, the hard constraints it breaks, and the form to refer."""

    participant_id: int
    code: str
    place: guidance.Place
    errors: dict[str, str] = field(default_factory=dict)
    form: dict[str, Any] = field(default_factory=dict)

    def template_context(self) -> dict[str, Any]:
        """The names ``referrals/new.html`` reads."""
        return {
            "participant_id": self.participant_id,
            "code": self.code,
            "place": self.place,
            "constraint_texts": guidance.constraint_texts(),
            "errors": self.errors,
            "form": self.form,
        }


async def confirm_view(user: CurrentUser, address: str, participant_id: int, opportunity_id: int | None) -> ConfirmView:
    """The confirmation for a place; raises as :func:`referable_case`, and ``NotFound`` for no such place."""
    await referable_case(user, participant_id)
    place = await guidance.check(participant_id, opportunity_id) if opportunity_id is not None else None
    if place is None:
        raise NotFound()
    # The check reads the person's languages, place, radius and support needs.
    await audit.record(user, address, "read", "participant", participant_id, f"referral check {place.id}")
    return ConfirmView(participant_id, await guidance.case_code(participant_id), place)


async def confirm_again_view(
    user: CurrentUser,
    address: str,
    participant_id: int,
    place: guidance.Place,
    errors: dict[str, str],
    form: dict[str, Any],
) -> ConfirmView:
    """The confirmation again with what was wrong on the form (the place was just checked afresh)."""
    await audit.record(user, address, "read", "participant", participant_id, "referral check again")
    return ConfirmView(participant_id, await guidance.case_code(participant_id), place, errors, form)
