"""HTML pages of opportunities: the public list and detail, posting and editing, and "ours"."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.auth.current_user import CurrentUser
from portal.auth.guards import current_user, login_required, roles_allowed, signed_in_user
from portal.auth.roles import ADMIN, COORDINATOR, EMPLOYER, ENTERPRISE
from portal.geo import REGIONS
from portal.i18n import current_language
from portal.i18n import gettext as _
from portal.opportunities import services
from portal.opportunities.validation import PLACE_FIELDS, clean_opportunity
from portal.opportunities.view import opportunity_view
from portal.organisations import services as organisation_services
from portal.organisations.kinds import COUNTRIES, SPOKEN_LANGUAGES
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.skills.entries import skills_text
from portal.vocab import OPPORTUNITY_KINDS, OPPORTUNITY_STATUSES, SECTORS, SUPPORT
from portal.web.templating import is_partial_request, render

poster = roles_allowed(ADMIN, COORDINATOR, ENTERPRISE, EMPLOYER)
own_organisation_poster = roles_allowed(ENTERPRISE, EMPLOYER)
_LISTS = ("support_offered", "languages")


def _choices() -> dict[str, Any]:
    return {
        "kinds": OPPORTUNITY_KINDS,
        "sectors": SECTORS,
        "statuses": OPPORTUNITY_STATUSES,
        "support": SUPPORT,
        "countries": COUNTRIES,
        "spoken_languages": SPOKEN_LANGUAGES,
        "known_regions": REGIONS,
    }


async def _form_data(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {key: form.get(key) for key in form.keys()}
    for name in _LISTS:
        data[name] = form.getall(name) if name in form else []
    return data


async def _organisation(organisation_id: int) -> dict[str, Any] | None:
    try:
        return await organisation_services.get_organisation(organisation_id, None)
    except organisation_services.NotFound:
        return None


async def _visible(opp_id: int, request: Request) -> dict[str, Any]:
    try:
        return await services.get_opportunity(opp_id, current_user(request))
    except services.NotFound as exc:
        raise NotFoundException() from exc


async def _editable(opp_id: int, request: Request) -> dict[str, Any]:
    """The opportunity if this user may edit it: 404 when they may not even see it, else 403."""
    opportunity = await _visible(opp_id, request)
    if not services.can_edit(current_user(request), opportunity):
        raise PermissionDeniedException("you may not edit this opportunity")
    return opportunity


def _moved_with_old_coordinates(data: dict[str, Any], stored: dict[str, Any]) -> bool:
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
    request: Request, opp: dict[str, Any], errors: dict[str, str], org_q: str = "", **extra: Any
) -> dict[str, Any]:
    user = signed_in_user(request)
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
        **_choices(),
    }


async def _new_form_defaults(user: CurrentUser) -> dict[str, Any]:
    organisation = await _organisation(user.organisation_id) if not user.manages_network else None
    # The country only: region and municipality stay empty, which means "at the organisation's
    # address" (the form's hint), so a place is never put in Ljubljana by a pre-filled default.
    place = {"country": organisation["country"] if organisation else "SI"}
    return {"status": "draft", "hours_per_week": 20, "capacity": 1, "support_offered": [], "languages": [], **place}


class OpportunityPages(Controller):
    path = "/opportunities"
    include_in_schema = False

    @get("/", name="opportunities:list", opt={"access": "public"})
    async def opportunities(
        self,
        request: Request,
        q: Filter = "",
        kind: Filter = "",
        sector: Filter = "",
        country: Filter = "",
        region: Filter = "",
        page: PageNumber = 1,
    ) -> Template:
        filters = services.OpportunityFilters(q=q.strip(), kind=kind, sector=sector, country=country, region=region)
        results = await services.search_opportunities(filters, page=page)
        options = {} if is_partial_request(request) else await services.filter_options()
        return render(
            request,
            "opportunities/list.html",
            {"filters": filters, "results": results, "options": options, **_choices()},
            block="results",
        )

    @get("/mine", name="opportunities:mine", guards=[own_organisation_poster])
    async def mine(self, request: Request, page: PageNumber = 1) -> Template:
        """The user's organisation's opportunities in every status."""
        user = signed_in_user(request)
        filters = services.OpportunityFilters(organisation_id=user.organisation_id, statuses=services.EVERY_STATUS)
        results = await services.search_opportunities(filters, page=page)
        return render(request, "opportunities/mine.html", {"results": results, **_choices()})

    @get("/new", name="opportunities:new", guards=[poster])
    async def new_form(self, request: Request, org_q: Filter = "") -> Template:
        opp = await _new_form_defaults(signed_in_user(request))
        return render(request, "opportunities/form.html", await _form_context(request, opp, {}, org_q=org_q))

    @post("/new", guards=[poster], status_code=303)
    async def create(self, request: Request) -> Redirect | Template:
        user = signed_in_user(request)
        data = await _form_data(request)
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
                raise PermissionDeniedException("you may only post opportunities of your own organisation")
            organisation = await _organisation(user.organisation_id)
        values, errors = clean_opportunity(data, organisation=organisation)
        errors = {**org_errors, **errors}
        if errors or organisation is None:  # a manager's missing organisation has an error above
            context = await _form_context(request, data, errors)
            return render(request, "opportunities/form.html", context, status_code=422)
        opp_id = await services.create_opportunity(values, organisation["id"], user, current_language())
        return Redirect(path=f"/opportunities/{opp_id}", status_code=303)

    @get("/{opp_id:int}", name="opportunities:detail", opt={"access": "public"})
    async def detail(self, request: Request, opp_id: RecordId) -> Template:
        try:
            view = await opportunity_view(current_user(request), opp_id)
        except services.NotFound as exc:
            raise NotFoundException() from exc
        return render(request, "opportunities/detail.html", {**view.template_context(), **_choices()})

    @get("/{opp_id:int}/edit", name="opportunities:edit", guards=[login_required])
    async def edit_form(self, request: Request, opp_id: RecordId) -> Template:
        stored = await _editable(opp_id, request)
        return render(
            request, "opportunities/form.html", await _form_context(request, _as_form(stored), {}, stored=stored)
        )

    @post("/{opp_id:int}/edit", guards=[login_required], status_code=303)
    async def update(self, request: Request, opp_id: RecordId) -> Redirect | Template:
        stored = await _editable(opp_id, request)
        data = await _form_data(request)
        if _moved_with_old_coordinates(data, stored):
            data.update(latitude="", longitude="")
        organisation = await _organisation(stored["organisation_id"])
        values, errors = clean_opportunity(data, organisation=organisation, places_taken=stored["places_taken"])
        if not errors:
            try:
                await services.update_opportunity(opp_id, values, current_language())
            except services.Conflict as conflict:
                errors[conflict.field] = conflict.message
        if errors:
            context = await _form_context(
                request, {**data, "places_taken": stored["places_taken"]}, errors, stored=stored
            )
            return render(request, "opportunities/form.html", context, status_code=422)
        return Redirect(path=f"/opportunities/{opp_id}", status_code=303)
