"""The suggestion and allocation round pages' data in one call each: placements for a case, candidates for an
opportunity, the list of rounds, one round with its proposals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.cases import services as cases
from portal.employers import profiles
from portal.geo import REGIONS
from portal.i18n import gettext as _
from portal.jobs.queue import pending
from portal.matching_service import round_runs, rounds, services
from portal.matching_service.labels import component_labels, note_texts
from portal.opportunities import services as opportunities
from portal.organisations.kinds import COUNTRIES
from portal.organisations.params import is_record_id
from portal.outcomes import FormErrors, PageOutcome
from portal.pagination import Page
from portal.referrals import flow
from portal.referrals.notices import refusal_messages
from portal.service_errors import NotFound
from portal.vocab import OPPORTUNITY_KINDS, STAGES, SUPPORT


def _labels() -> dict[str, Any]:
    """What the reasons macro (``matching/_reasons.html``) needs to explain a suggestion."""
    return {"notes": note_texts(), "components": component_labels(), "support": SUPPORT}


@dataclass(frozen=True)
class PlacementsView:
    """Suggested placements for a case, and the places set apart by earlier referrals."""

    participant_id: int
    code: str
    placements: list[dict[str, Any]]
    preparing: bool  # the live index is still being read after a start: the page asks again
    set_apart: list[dict[str, Any]]

    def template_context(self) -> dict[str, Any]:
        """The names ``matching/placements.html`` reads."""
        return {
            **_labels(),
            "participant_id": self.participant_id,
            "code": self.code,
            "placements": self.placements,
            "preparing": self.preparing,
            "set_apart": self.set_apart,
            "statuses": flow.STATUSES,
        }


async def placements_view(user: CurrentUser, address: str, participant_id: int) -> PlacementsView:
    """Placements for a case on ``user``'s case team; raises ``NotFound`` otherwise. Ranking reads the
    person's profile, so the read is audited."""
    # The lead and the case team only, as for the rest of the case; not found hides that the case exists.
    row = await services.person_row(participant_id)
    if row is None or await cases.access_for(user, participant_id, case=row) is None:
        raise NotFound()
    set_apart = await services.set_apart_for(participant_id)
    found = await services.placements_for(participant_id, exclude={r["opportunity_id"] for r in set_apart}, row=row)
    await audit.record(user, address, "read", "participant", participant_id, "placement suggestions")
    return PlacementsView(participant_id, row["code"], found or [], found is None, set_apart)


@dataclass(frozen=True)
class CandidatesView:
    """Suitable candidates for an opportunity, best fit first."""

    opportunity: dict[str, Any]
    candidates: list[dict[str, Any]]

    def template_context(self) -> dict[str, Any]:
        """The names ``matching/candidates.html`` reads."""
        return {**_labels(), "opp": self.opportunity, "candidates": self.candidates}


async def candidates_view(user: CurrentUser, address: str, opp_id: int) -> CandidatesView:
    """Candidates for an opportunity ``user`` may see candidates of; raises ``NotFound`` otherwise. Each
    person listed is audited as read."""
    opportunity = await opportunities.get_opportunity(opp_id, user)
    if not opportunities.can_see_candidates(user, opportunity):
        raise NotFound()
    if user.role == "employer":
        # Employers see their own pool under their own pseudonyms, scored without distance.
        found = await profiles.best_for(user.organisation_id, opp_id)
    else:
        found = await services.candidates_for(opp_id)
    await audit.record_many(
        user,
        address,
        "read",
        "participant",
        [c["participant_id"] for c in found],
        f"candidate list for opportunity {opp_id}",
    )
    return CandidatesView(opportunity, found)


def refusals() -> dict[str, str]:
    """Why a round adjustment or a send was refused (``rounds.Refused.code``), in the reader's language."""
    return {
        "not_ready": _("This round can no longer be changed: it has been sent, or it is not ready for review."),
        "full": _(
            "That opportunity has no place left in this round: its places left are already proposed to "
            "other people. Free one of them first."
        ),
        "not_an_option": _("Choose one of this person's opportunities in the round."),
        "not_open": _("That opportunity is no longer open."),
        "no_longer_fits": _(
            "That opportunity no longer fits this person's language, travel radius, dates or support needs."
        ),
    }


def _unplaced_texts() -> dict[str, str]:
    return {
        "empty_profile": note_texts()["empty_profile"],
        "no_fit": _("No opportunity in the round fits this person's language, travel radius, dates and support needs."),
        "taken": _("The places that fit this person went to people who fit them better."),
        "adjusted": _("Set to no placement by a coordinator."),
    }


def _form_choices() -> dict[str, Any]:
    return {
        "methods": rounds.METHODS,
        "stages": STAGES,
        "regions": REGIONS,
        "countries": COUNTRIES,
        "kinds": OPPORTUNITY_KINDS,
    }


@dataclass(frozen=True)
class RoundsView(FormErrors):
    """One page of allocation rounds, newest first, with the form to start one (and what was wrong in it)."""

    result: Page
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    def template_context(self) -> dict[str, Any]:
        """The names ``matching/rounds.html`` reads."""
        return {
            "result": self.result,
            "values": self.values,
            "errors": self.errors,
            "statuses": rounds.STATUSES,
            **_form_choices(),
        }


async def rounds_view(
    page: int, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> RoundsView:
    """The rounds list; ``values`` and ``errors`` are a refused form to show again."""
    return RoundsView(
        await rounds.list_rounds(page), values or {"method": "stable", "stage": "activation"}, errors or {}
    )


@dataclass(frozen=True)
class RoundView(FormErrors):
    """One allocation round: its criteria, progress and report, and once ready a page of its proposals."""

    round: dict[str, Any]
    proposals: Page | None  # None until the round is ready
    delivering: bool = False  # while sending: whether the delivery job is queued or running
    errors: dict[int, str] = field(default_factory=dict)  # by proposal id: why an adjustment was refused
    notice: str = ""

    def template_context(self) -> dict[str, Any]:
        """The names ``matching/round.html`` reads."""
        return {
            "round": self.round,
            "polling": False,  # the status bar polls from its own route
            "errors": self.errors,
            "notice": self.notice,
            "statuses": rounds.STATUSES,
            "methods": rounds.METHODS,
            "stages": STAGES,
            "kinds": OPPORTUNITY_KINDS,
            **_labels(),
            "unplaced_texts": _unplaced_texts(),
            "referral_refusals": {
                **refusal_messages(),
                "stage_changed": _("The person is no longer at the round's stage."),
                "no_employer_consent": _(
                    "An employer offers this place, and the person has not agreed to be shown to employers."
                ),
            },
            "referral_statuses": flow.STATUSES,
            "proposals": self.proposals,
            "delivering": self.delivering,
        }


async def round_view(
    user: CurrentUser,
    address: str,
    round_id: int,
    page: int = 1,
    *,
    errors: dict[int, str] | None = None,
    notice: str = "",
) -> RoundView:
    """The round page (``NotFound`` for no such round); ``notice`` is a refusal code (``refusals()``).
    Every participant shown is audited as read."""
    found = await rounds.get_round(round_id)
    delivering = found["status"] == rounds.SENDING and await pending("round_deliver", round_id=round_id)
    proposals = None
    if found["status"] in ("ready", rounds.SENDING, "sent"):
        proposals = await rounds.proposals_page(round_id, page)
        await audit.record_many(
            user,
            address,
            "read",
            "participant",
            [p["participant"] for p in proposals.items],
            f"allocation round {round_id}",
        )
    return RoundView(found, proposals, delivering, errors or {}, refusals().get(notice, ""))


async def start_round(values: dict[str, Any], user: CurrentUser) -> PageOutcome:
    """Start a round from the form's ``values``, or the rounds page again with what is wrong (nothing started)."""
    criteria, errors = rounds.clean_criteria(values)
    if criteria is not None:
        errors = await round_runs.size_errors(criteria)
    if criteria is None or errors:
        page = await rounds_view(1, values, errors)
        return PageOutcome.show(page.template_context(), page.status_code)
    round_id = await round_runs.start_round(criteria, user)
    return PageOutcome.go(f"/matching/rounds/{round_id}")


async def adjust_proposal(
    user: CurrentUser, address: str, round_id: int, proposal_id: int, raw: str, page: int, *, fragment: bool
) -> PageOutcome:
    """Move a proposal to the place ``raw`` names (none when empty); the proposals again when refused or
    for a ``fragment``, else back to the proposal. Raises ``rounds.NotFound``."""
    code = ""
    if raw and not is_record_id(raw):
        code = "not_an_option"
    else:
        try:
            await rounds.adjust(round_id, proposal_id, int(raw) if raw else None, user)
        except rounds.Refused as refused:
            code = refused.code
    if code:
        shown = await round_view(user, address, round_id, page, errors={proposal_id: refusals()[code]})
        return PageOutcome.show(shown.template_context(), shown.status_code)
    if fragment:
        return PageOutcome.show((await round_view(user, address, round_id, page)).template_context())
    return PageOutcome.go(f"/matching/rounds/{round_id}?page={page}#proposal-{proposal_id}")
