"""Each opportunity page's data in one call: the list, the detail (with the host's mentor figures), the forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.geo import REGIONS
from portal.i18n import gettext as _
from portal.opportunities import services
from portal.opportunities.validation import PLACE_FIELDS, clean_opportunity
from portal.organisations import services as organisation_services
from portal.organisations.kinds import COUNTRIES, SPOKEN_LANGUAGES
from portal.organisations.params import is_record_id
from portal.outcomes import PageOutcome
from portal.placements import mentor_figures
from portal.service_errors import Forbidden
from portal.skills.entries import skills_text
from portal.vocab import OPPORTUNITY_KINDS, OPPORTUNITY_STATUSES, SECTORS, SUPPORT


@dataclass(frozen=True)
class OpportunityView:
    """What the opportunity page shows ``user``; ``mentor_figures`` only when it says it offers a mentor."""

    opp: dict[str, Any]
    can_edit: bool
    can_see_candidates: bool
    mentor_figures: dict[str, int | None] | None

    def template_context(self) -> dict[str, Any]:
        """The names ``opportunities/detail.html`` reads (besides the vocabularies)."""
        return {
            "opp": self.opp,
            "can_edit": self.can_edit,
            "can_see_candidates": self.can_see_candidates,
            "mentor_figures": self.mentor_figures,
        }


async def opportunity_view(user: CurrentUser | None, opp_id: int) -> OpportunityView:
    """The opportunity as ``user`` (None for a visitor) may see it; raises ``services.NotFound``."""
    opportunity = await services.get_opportunity(opp_id, user)
    offers = mentor_figures.offers_mentor(opportunity["support_offered"])
    return OpportunityView(
        opp=opportunity,
        can_edit=services.can_edit(user, opportunity),
        can_see_candidates=services.can_see_candidates(user, opportunity),
        mentor_figures=await mentor_figures.figures(opportunity["organisation_id"]) if offers else None,
    )


# --- The list and the form pages: one call each, taking plain values (parsed form, user, language).


def choices() -> dict[str, Any]:
    """The code → name lists the opportunity pages show."""
    return {
        "kinds": OPPORTUNITY_KINDS,
        "sectors": SECTORS,
        "statuses": OPPORTUNITY_STATUSES,
        "support": SUPPORT,
        "countries": COUNTRIES,
        "spoken_languages": SPOKEN_LANGUAGES,
        "known_regions": REGIONS,
    }


@dataclass(frozen=True)
class OpportunityList:
    """The public list: one page of results, and the filter lists unless only the results are asked for."""

    filters: services.OpportunityFilters
    results: Any
    options: dict[str, Any]

    def template_context(self) -> dict[str, Any]:
        return {"filters": self.filters, "results": self.results, "options": self.options, **choices()}


async def list_view(filters: services.OpportunityFilters, page: int, *, results_only: bool) -> OpportunityList:
    """``filters``' results; the fragment carries results only, so it skips the queries of the filter lists."""
    results = await services.search_opportunities(filters, page=page)
    options = {} if results_only else await services.filter_options()
    return OpportunityList(filters=filters, results=results, options=options)


async def _organisation(organisation_id: int) -> dict[str, Any] | None:
    try:
        return await organisation_services.get_organisation(organisation_id, None)
    except organisation_services.NotFound:
        return None


async def _editable(user: CurrentUser, opp_id: int) -> dict[str, Any]:
    """The opportunity if ``user`` may edit it: ``services.NotFound`` when they may not even see it, else Forbidden."""
    opportunity = await services.get_opportunity(opp_id, user)
    if not services.can_edit(user, opportunity):
        raise Forbidden("you may not edit this opportunity")
    return opportunity


def _moved_with_old_coordinates(data: Mapping[str, Any], stored: dict[str, Any]) -> bool:
    """The place changed but the coordinates shown are still the old place's."""
    moved = any(str(data.get(f) or "").strip() != str(stored[f] or "") for f in PLACE_FIELDS)
    same = all(
        str(data.get(f) or "").strip() == ("" if stored[f] is None else str(stored[f]))
        for f in ("latitude", "longitude")
    )
    return moved and same


def _as_form(opportunity: dict[str, Any]) -> dict[str, Any]:
    """A stored opportunity as the form shows it: skills one per line."""
    return {
        **opportunity,
        "required_skills": skills_text(opportunity["required_skills"]),
        "optional_skills": skills_text(opportunity["optional_skills"]),
    }


async def _form_context(
    user: CurrentUser, opp: dict[str, Any], errors: dict[str, str], org_q: str = "", **extra: Any
) -> dict[str, Any]:
    # Network managers pick the organisation of a new opportunity; everyone else posts for their own.
    picks = user.manages_network and "stored" not in extra
    chosen = str(opp.get("organisation_id") or "")
    organisations, more = (
        await organisation_services.organisation_choices(org_q, int(chosen) if is_record_id(chosen) else None)
        if picks
        else ([], False)
    )
    return {
        "opp": opp,
        "errors": errors,
        "picks_organisation": picks,
        "organisations": organisations,
        "more_organisations": more,
        "org_q": org_q,
        **extra,
        **choices(),
    }


async def new_form(user: CurrentUser, org_q: str = "") -> PageOutcome:
    """The empty form to post an opportunity."""
    organisation = await _organisation(user.organisation_id) if not user.manages_network else None
    # The country only: region and municipality stay empty, which means "at the organisation's
    # address" (the form's hint), so a place is never put in Ljubljana by a pre-filled default.
    place = {"country": organisation["country"] if organisation else "SI"}
    opp: dict[str, Any] = {
        "status": "draft",
        "hours_per_week": 20,
        "capacity": 1,
        "support_offered": [],
        "languages": [],
        **place,
    }
    return PageOutcome.show(await _form_context(user, opp, {}, org_q=org_q))


async def edit_form(user: CurrentUser, opp_id: int) -> PageOutcome:
    """The form to edit an opportunity; raises ``services.NotFound`` or Forbidden."""
    stored = await _editable(user, opp_id)
    return PageOutcome.show(await _form_context(user, _as_form(stored), {}, stored=stored))


async def create(user: CurrentUser, data: dict[str, Any], language: str) -> PageOutcome:
    """Post an opportunity from the form's ``data``; Forbidden when it names another organisation than the user's."""
    requested = str(data.get("organisation_id") or "").strip()
    org_errors: dict[str, str] = {}
    organisation = None
    if user.manages_network:
        if is_record_id(requested):
            organisation = await _organisation(int(requested))
        if organisation is None:
            org_errors["organisation_id"] = _("Choose an organisation from the list.")
    else:
        if requested and requested != str(user.organisation_id):
            raise Forbidden("you may only post opportunities of your own organisation")
        organisation = await _organisation(user.organisation_id)
    values, errors = clean_opportunity(data, organisation=organisation)
    errors = {**org_errors, **errors}
    if errors or organisation is None:  # a manager's missing organisation has an error above
        return PageOutcome.refuse(await _form_context(user, data, errors))
    opp_id = await services.create_opportunity(values, organisation["id"], user, language)
    return PageOutcome.go(f"/opportunities/{opp_id}")


async def update(user: CurrentUser, opp_id: int, data: dict[str, Any], language: str) -> PageOutcome:
    """Change an opportunity from the form's ``data``; raises ``services.NotFound`` or Forbidden."""
    stored = await _editable(user, opp_id)
    if _moved_with_old_coordinates(data, stored):
        data = {**data, "latitude": "", "longitude": ""}
    organisation = await _organisation(stored["organisation_id"])
    values, errors = clean_opportunity(data, organisation=organisation, places_taken=stored["places_taken"])
    if not errors:
        try:
            await services.update_opportunity(opp_id, values, language)
        except services.Conflict as conflict:
            errors[conflict.field] = conflict.message
    if errors:
        context = await _form_context(user, {**data, "places_taken": stored["places_taken"]}, errors, stored=stored)
        return PageOutcome.refuse(context)
    return PageOutcome.go(f"/opportunities/{opp_id}")
