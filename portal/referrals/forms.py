"""The referral forms as one call each (refer a case, take a step, undo it): access, checks, the write, its audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.organisations.params import is_record_id
from portal.referrals import guidance, services, steps, undo, view
from portal.referrals.notices import confirmation
from portal.service_errors import NotFound


@dataclass(frozen=True)
class Sent:
    """A referral just sent from a suggestion, for the confirmation and its undo in place of the small form."""

    referral: dict[str, Any]
    confirmation: str
    undo_until: dt.datetime | None

    def template_context(self) -> dict[str, Any]:
        """The names the ``sent`` block of ``referrals/sent.html`` reads."""
        return {"referral": self.referral, "confirmation": self.confirmation, "undo_until": self.undo_until}


@dataclass(frozen=True)
class Created:
    """After the referral form: what happened (``notice``, the referral made if any), the confirmation form
    again when its reason was missing (``confirm``), or, for htmx, the referral just sent (``sent``)."""

    notice: str
    referral_id: int | None = None
    confirm: view.ConfirmView | None = None
    sent: Sent | None = None


async def create(
    user: CurrentUser, address: str, participant_id: int, form: Mapping[str, Any], in_place: bool
) -> Created:
    """Refer a case to an opportunity (saved as a proposal, or sent); raises as
    :func:`portal.referrals.view.referable_case`. ``in_place``: htmx wants the sent referral back."""
    await view.referable_case(user, participant_id)
    opportunity_id = str(form.get("opportunity_id") or "")
    message = str(form.get("message") or "").strip()[:2000]
    send = form.get("send") == "now"
    if not is_record_id(opportunity_id):
        return Created("choose_opportunity")
    # The hard constraints are checked again here, fresh: the place or the profile may have changed.
    place = await guidance.check(participant_id, int(opportunity_id))
    if place is None:
        return Created("not_open")
    if place.blocked:
        return Created(place.blocked)
    reason, errors = guidance.clean_reason(form, place)
    if errors:
        page = await view.confirm_again_view(user, address, participant_id, place, errors, dict(form))
        return Created("", confirm=page)
    try:
        referral_id = await services.create_referral(
            participant_id, place.id, message, send, user, override_reason=reason, broken=place.broken
        )
    except services.StepRefused as refused:
        return Created(refused.code)
    detail = f"referral {referral_id}" + (f" despite {', '.join(place.broken)}" if place.broken else "")
    await audit.record(user, address, "refer", "participant", participant_id, detail)
    if not send:
        return Created("proposal_saved", referral_id)
    if not in_place:
        return Created("done_sent", referral_id)
    referral = await services.get_referral(referral_id)
    sent = Sent(referral, confirmation("done_sent", referral), await undo.offer(referral, "counsellor"))
    return Created("done_sent", referral_id, sent=sent)


@dataclass(frozen=True)
class Answer:
    """After a step or an undo: where a plain form goes (``redirect``), or the referral's page (``page``):
    for htmx with the message, or with the refused step form (422)."""

    redirect: str = ""
    page: view.ReferralView | None = None


async def _referral_for(user: CurrentUser, referral_id: int) -> tuple[dict[str, Any], str]:
    found = await view.referral_for(user, referral_id)
    if found is None:
        raise NotFound()
    return found


async def _answer(
    user: CurrentUser,
    address: str,
    referral: dict[str, Any],
    side: str,
    notice: str,
    in_place: bool,
    back_to_case: bool = False,
) -> Answer:
    """htmx gets the referral's block with the message (its read audited); a plain form a redirect."""
    referral_id = referral["id"]
    if back_to_case:
        participant_id = await services.participant_of(referral_id)
        query = urlencode({"notice": notice, "referral": referral_id})
        return Answer(f"/cases/{participant_id}?{query}#referrals")
    if not in_place:
        return Answer(f"/referrals/{referral_id}?notice={notice}")
    return Answer(page=await view.referral_view_by_id(user, address, referral_id, side, notice))


async def step(user: CurrentUser, address: str, referral_id: int, form: Mapping[str, Any], in_place: bool) -> Answer:
    """One step with its small form (a note, a reason or a date) by the caller's side; ``NotFound`` when the
    referral is not theirs. Bad input gives the form again with field messages and changes nothing."""
    referral, side = await _referral_for(user, referral_id)
    values, errors = steps.clean_step(form, referral["started_on"])
    if errors:
        page = await view.referral_view(user, address, referral, side, errors=errors, open_step=values.to, form=values)
        return Answer(page=page)
    try:
        await services.move(
            referral_id, values.to, values.reason, user, side, note=values.note, happened_on=values.happened_on
        )
    except services.StepRefused as refused:
        # A full opportunity is an everyday outcome, not an error: the page says what happened.
        return await _answer(user, address, referral, side, refused.code, in_place)
    detail = f"referral {referral_id} {referral['status']} -> {values.to}"
    if values.happened_on:
        detail += f" on {values.happened_on.isoformat()}"
    await audit.record(user, address, "update", "participant", referral["participant"], detail)
    return await _answer(user, address, referral, side, f"done_{values.to}", in_place)


async def take_back(
    user: CurrentUser, address: str, referral_id: int, form: Mapping[str, Any], in_place: bool
) -> Answer:
    """Take back the side's last step while the window is open and the other side has not acted;
    ``NotFound`` when the referral is not theirs."""
    referral, side = await _referral_for(user, referral_id)
    back_to_case = side == "counsellor" and form.get("next") == "case"
    try:
        back_to = await undo.undo(referral_id, user, side)
    except services.StepRefused as refused:
        return await _answer(user, address, referral, side, refused.code, in_place, back_to_case)
    detail = f"referral {referral_id} undone {referral['status']} -> {back_to}"
    await audit.record(user, address, "update", "participant", referral["participant"], detail)
    return await _answer(user, address, referral, side, "undone", in_place, back_to_case)
