"""The case pages' data in one call each: the caseload, the case file (referrals, placements, team), the forms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.cases import services
from portal.cases.profiling import CRITERIA, SUPPORT_LEVELS, Assessment
from portal.cases.services import CaseAccess, changeable_case
from portal.employers import introductions
from portal.geo import REGIONS
from portal.i18n import gettext as _
from portal.organisations.kinds import SPOKEN_LANGUAGES
from portal.outcomes import FormErrors
from portal.pagination import Page
from portal.placements import case_view as placement_view
from portal.privacy.erasure import reason_label
from portal.referrals import services as referrals
from portal.referrals.flow import STATUSES
from portal.referrals.notices import confirmation, refusal_messages
from portal.referrals.undo import offer as undo_offer
from portal.referrals.view import ChoiceView, choice_view
from portal.skills.entries import loads, skills_text
from portal.vocab import CONSENT_SCOPES, EDUCATION_LEVELS, SECTORS, STAGES, SUPPORT, split_codes

RECORD = "participant"


def vocabularies() -> dict[str, Any]:
    """The code → name lists the case templates (page, form, profiling, caseload) show."""
    return {
        "stages": STAGES,
        "education_levels": EDUCATION_LEVELS,
        "sectors": SECTORS,
        "support": SUPPORT,
        "spoken_languages": SPOKEN_LANGUAGES,
        "consent_scopes": CONSENT_SCOPES,
        "support_levels": SUPPORT_LEVELS,
        "criteria": CRITERIA,
        "known_regions": REGIONS,
    }


def consent_confirmation(notice: str) -> str:
    """The message after recording a consent (the scope is not echoed: the table below shows it)."""
    return {
        "consent_give": _("Consent recorded as given."),
        "consent_withdraw": _("Withdrawal of consent recorded."),
    }.get(notice, "")


def _notice(notice: str) -> str:
    return {
        **refusal_messages(),
        "choose_opportunity": _("Choose an opportunity."),
        "proposal_saved": _("Saved as a proposal: the organisation sees it once you send it."),
    }.get(notice, "")


@dataclass(frozen=True)
class ReferralDone:
    """A referral just sent or withdrawn from the case page: its row, the message and, while open, its undo."""

    referral: dict[str, Any]
    confirmation: str
    undo_until: dt.datetime | None


@dataclass(frozen=True)
class TeamChoices:
    """People who could join the case team for the lead's search, and whether more could than are listed."""

    candidates: list[dict[str, Any]]
    more: bool


@dataclass(frozen=True)
class CaseView(FormErrors):
    """Everything the case page shows; a pseudonymised case has only ``case``, ``access`` and ``referrals``."""

    case: dict[str, Any]
    access: CaseAccess
    referrals: list[dict[str, Any]]
    notice: str = ""
    consent_notice: str = ""
    opportunity_q: str = ""
    team_q: str = ""
    referral_done: ReferralDone | None = None
    # The placement section (portal.placements.case_view.case_context); None when pseudonymised.
    placements: placement_view.CasePlacements | None = None
    team: TeamChoices | None = None  # the lead's only
    introductions: list[dict[str, Any]] = field(default_factory=list)  # the lead's only
    errors: dict[str, str] = field(default_factory=dict)  # a form on the page that was refused
    form: dict[str, Any] = field(default_factory=dict)  # what that form held

    @property
    def pseudonymised(self) -> bool:
        return bool(self.case["pseudonymised_at"])

    def template_context(self) -> dict[str, Any]:
        """The names ``cases/detail.html`` (or ``privacy/pseudonymised_case.html``) reads."""
        if self.pseudonymised:
            return {
                "case": self.case,
                "access": self.access,
                "stages": STAGES,
                "support_levels": SUPPORT_LEVELS,
                "referrals": self.referrals,
                "referral_statuses": STATUSES,
                "reason_label": reason_label,
            }
        context: dict[str, Any] = {
            "case": self.case,
            "access": self.access,
            **vocabularies(),
            "referrals": self.referrals,
            "opportunity_q": self.opportunity_q,
            "team_q": self.team_q,
            "referral_statuses": STATUSES,
            "notice": self.notice,
            "consent_notice": self.consent_notice,
            "referral_done": self.referral_done.referral if self.referral_done else None,
            **(self.placements.template_context() if self.placements else {}),
            "errors": self.errors,
            "form": self.form,
        }
        if self.referral_done:
            context["referral_confirmation"] = self.referral_done.confirmation
            context["undo_until"] = self.referral_done.undo_until
        if self.team is not None:
            context["candidates"], context["more_candidates"] = self.team.candidates, self.team.more
            context["introductions"] = self.introductions
            context["introduction_statuses"] = introductions.STATUSES
        return context


async def _referral_done(rows: list[dict[str, Any]], notice: str, referral: str) -> ReferralDone | None:
    row = next((r for r in rows if str(r["id"]) == referral), None)
    if row is None or notice not in ("done_sent", "undone"):
        return None
    return ReferralDone(row, confirmation(notice, row), await undo_offer(row, "counsellor"))


async def case_view(
    user: CurrentUser,
    address: str,
    participant_id: int,
    access: CaseAccess | None = None,
    notice: str = "",
    opportunity_q: str = "",
    team_q: str = "",
    referral: str = "",
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> CaseView | None:
    """The case page for ``user`` (reading from ``address``), or None when they may not see the case.

    ``access`` skips the access check when the caller has just made it; the read is audited.
    """
    if access is None:
        access = await services.access_for(user, participant_id)
        if access is None:
            return None
    case = await services.get_case(participant_id)
    await audit.record(user, address, "read", RECORD, participant_id, "case file")
    referral_rows = await referrals.referrals_of(participant_id)
    if case["pseudonymised_at"]:
        return CaseView(case, access, referral_rows)
    referral_done = await _referral_done(referral_rows, notice, referral)
    placements = await placement_view.case_context(participant_id, referral_rows)
    team, lead_introductions = None, []
    if access.is_lead:
        candidates, more = await services.team_candidates(participant_id, team_q)
        team = TeamChoices(candidates, more)
        lead_introductions = await introductions.list_for_counsellor(user, participant_id)
    return CaseView(
        case,
        access,
        referral_rows,
        notice=_notice(notice),
        consent_notice=consent_confirmation(notice),
        opportunity_q=opportunity_q,
        team_q=team_q,
        referral_done=referral_done,
        placements=placements,
        team=team,
        introductions=lead_introductions,
        errors=errors or {},
        form=form or {},
    )


async def caseload_view(user: CurrentUser, address: str, filters: services.CaseloadFilters, page: int) -> Page:
    """One page of ``user``'s caseload; a search by name shows names, so each person shown is audited."""
    result = await services.caseload(user, filters, page)
    if filters.reveals_names:
        await audit.record_many(user, address, "read", RECORD, [c["id"] for c in result.items], "caseload search")
    return result


@dataclass(frozen=True)
class TeamChoicesView:
    """The team form's list of people for the lead's search (the ``team_choices`` block of the case page)."""

    team_q: str
    choices: TeamChoices

    def template_context(self) -> dict[str, Any]:
        return {
            "team_q": self.team_q,
            "candidates": self.choices.candidates,
            "more_candidates": self.choices.more,
            "errors": {},
        }


async def team_choices_view(user: CurrentUser, participant_id: int, team_q: str) -> TeamChoicesView:
    """People who could join the team for a search; the lead's only (raises as :func:`changeable_case`).

    It lists portal users, nothing of the person, so it is not audited."""
    await changeable_case(user, participant_id, lead_only=True)
    candidates, more = await services.team_candidates(participant_id, team_q)
    return TeamChoicesView(team_q, TeamChoices(candidates, more))


async def opportunity_choice_view(
    user: CurrentUser, address: str, participant_id: int, opportunity_q: str, region: str
) -> ChoiceView:
    """Places to refer a case to (portal.referrals.view.choice_view, audited there) for someone who may change
    the case; raises as :func:`changeable_case`."""
    await changeable_case(user, participant_id)
    return await choice_view(user, address, participant_id, opportunity_q, region)


@dataclass(frozen=True)
class ProfileFormView(FormErrors):
    """The case's profile form (``cases/form.html``): the case, what the form holds, and what was wrong."""

    case: dict[str, Any]
    form: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    def template_context(self) -> dict[str, Any]:
        return {"form": self.form, "case": self.case, "errors": self.errors, "duplicates": [], **vocabularies()}


async def profile_form_view(user: CurrentUser, address: str, participant_id: int) -> ProfileFormView:
    """The profile form filled from the case; raises as :func:`changeable_case`; the read is audited."""
    await changeable_case(user, participant_id)
    case = await services.get_case(participant_id)
    await audit.record(user, address, "read", RECORD, participant_id, "edit form")
    form = {
        **case,
        "skills": skills_text(loads(case["skills"])),
        **{k: split_codes(case[k]) for k in ("languages", "interests", "support_needs")},
    }
    return ProfileFormView(case, form)


async def profile_form_again_view(
    user: CurrentUser, address: str, case: dict[str, Any], form: dict[str, Any], errors: dict[str, str]
) -> ProfileFormView:
    """The profile form again with what was submitted and what was wrong (the case was just read); audited."""
    await audit.record(user, address, "read", RECORD, case["id"], "edit form again")
    return ProfileFormView(case, form, errors)


@dataclass(frozen=True)
class ProfilingView(FormErrors):
    """The profiling form (``cases/profiling.html``): the case with its assessments, the answers, the result."""

    case: dict[str, Any]
    form: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    result: Assessment | None = None

    def template_context(self) -> dict[str, Any]:
        return {"case": self.case, "form": self.form, "errors": self.errors, "result": self.result, **vocabularies()}


async def profiling_view(user: CurrentUser, address: str, participant_id: int) -> ProfilingView:
    """The profiling form with the latest assessment's answers; raises as :func:`changeable_case`; audited."""
    await changeable_case(user, participant_id)
    case = await services.get_case(participant_id)
    await audit.record(user, address, "read", RECORD, participant_id, "profiling form")
    latest = case["assessments"][0] if case["assessments"] else None
    return ProfilingView(case, {**(latest["answers"] if latest else {})})


async def profiling_again_view(
    user: CurrentUser,
    address: str,
    participant_id: int,
    form: dict[str, Any],
    errors: dict[str, str],
    result: Assessment | None,
) -> ProfilingView:
    """The profiling form again with the answers given and what was wrong; the case is read and audited."""
    case = await services.get_case(participant_id)
    await audit.record(user, address, "read", RECORD, participant_id, "profiling form again")
    return ProfilingView(case, form, errors, result)
