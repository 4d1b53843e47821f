"""HTML pages of the organisation directory, its forms and the relationship editor."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.auth.guards import current_user, login_required, network_manager, signed_in_user
from portal.i18n import lazy_gettext as _l
from portal.organisations import services, view
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.organisations.view import choices as _choices
from portal.organisations.view import organisation_view
from portal.outcomes import PageOutcome
from portal.service_errors import Forbidden
from portal.web.outcomes import answer
from portal.web.templating import is_partial_request, render

EMPTY_ORGANISATION = {"languages": "", "country": "SI"}


async def _form_data(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {key: form.get(key) for key in form.keys()}
    data["languages"] = form.getall("languages") if "languages" in form else []
    return data


async def _detail_context(
    request: Request,
    org_id: int,
    tie: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    org_q: str = "",
) -> dict[str, Any]:
    """The organisation page's names (portal.organisations.view), or 404."""
    try:
        found = await organisation_view(current_user(request), org_id, tie=tie, errors=errors, org_q=org_q)
    except services.NotFound as exc:
        raise NotFoundException() from exc
    return found.template_context()


# The pickers that /organisations/choices refills, and the label of each.
PICKER_LABELS = {"other_id": _l("Other organisation"), "organisation_id": _l("Organisation")}


async def _outcome(made: Awaitable[PageOutcome]) -> PageOutcome:
    """The view's outcome; its "not found" is a 404 and its Forbidden a 403."""
    try:
        return await made
    except services.NotFound as exc:
        raise NotFoundException() from exc
    except Forbidden as exc:
        raise PermissionDeniedException(str(exc)) from exc


class DirectoryPages(Controller):
    path = "/organisations"
    include_in_schema = False

    @get("/", name="organisations:list", opt={"access": "public"})
    async def directory(
        self,
        request: Request,
        q: Filter = "",
        kind: Filter = "",
        country: Filter = "",
        region: Filter = "",
        municipality: Filter = "",
        page: PageNumber = 1,
    ) -> Template:
        filters = services.DirectoryFilters(
            q=q.strip(), kind=kind, country=country, region=region, municipality=municipality
        )
        found = await view.directory_view(filters, page, results_only=is_partial_request(request))
        return render(request, "organisations/list.html", found.template_context(), block="results")

    @get("/new", name="organisations:new", guards=[network_manager])
    async def new_form(self, request: Request) -> Template:
        return render(request, "organisations/form.html", {"org": EMPTY_ORGANISATION, "errors": {}, **_choices()})

    @post("/new", guards=[network_manager], status_code=303)
    async def create(self, request: Request) -> Redirect | Template:
        data = await _form_data(request)
        return answer(request, "organisations/form.html", await view.create_organisation(data))

    @get("/{org_id:int}", name="organisations:detail", opt={"access": "public"})
    async def detail(self, request: Request, org_id: RecordId, org_q: Filter = "") -> Template:
        context = await _detail_context(request, org_id, org_q=org_q)
        return render(request, "organisations/detail.html", context, block="relationships")

    @get("/choices", name="organisations:choices", opt={"access": "public"})
    async def choices(
        self, request: Request, field: Filter = "other_id", org_q: Filter = "", exclude: Filter = ""
    ) -> Template:
        """An organisation picker's list for a search (the directory's names are public)."""
        if field not in PICKER_LABELS:
            raise NotFoundException()
        found, more = await services.organisation_choices(org_q)
        context = {
            "field": field,
            "label": PICKER_LABELS[field],
            "choices": found,
            "more": more,
            "q": org_q,
            "exclude": int(exclude) if is_record_id(exclude) else None,
        }
        return render(request, "organisations/choices.html", context)

    @get("/{org_id:int}/edit", name="organisations:edit", guards=[login_required])
    async def edit_form(self, request: Request, org_id: RecordId) -> Template:
        outcome = await _outcome(view.organisation_form(signed_in_user(request), org_id))
        return render(request, "organisations/form.html", outcome.context)

    @post("/{org_id:int}/edit", guards=[login_required], status_code=303)
    async def update(self, request: Request, org_id: RecordId) -> Redirect | Template:
        data = await _form_data(request)
        outcome = await _outcome(view.update_organisation(signed_in_user(request), org_id, data))
        return answer(request, "organisations/form.html", outcome)

    @post("/{org_id:int}/relationships", guards=[login_required], status_code=303)
    async def add_relationship(self, request: Request, org_id: RecordId) -> Redirect | Template:
        data = await _form_data(request)
        fragment = request.headers.get("hx-request") == "true"
        outcome = await _outcome(view.add_relationship(signed_in_user(request), org_id, data, fragment=fragment))
        return answer(request, "organisations/detail.html", outcome, block="relationships")


class RelationshipPages(Controller):
    path = "/relationships"
    include_in_schema = False
    guards = [login_required]

    @get("/{rel_id:int}/edit", name="relationships:edit")
    async def edit_form(self, request: Request, rel_id: RecordId, back: Filter = "") -> Template:
        outcome = await _outcome(view.relationship_form(signed_in_user(request), rel_id, back))
        return render(request, "relationships/edit.html", outcome.context)

    @post("/{rel_id:int}/edit", status_code=303)
    async def update(self, request: Request, rel_id: RecordId) -> Redirect | Template:
        data = await _form_data(request)
        outcome = await _outcome(view.update_relationship(signed_in_user(request), rel_id, data))
        return answer(request, "relationships/edit.html", outcome)

    @post("/{rel_id:int}/delete", status_code=303)
    async def delete(self, request: Request, rel_id: RecordId) -> Redirect:
        form = await request.form()
        outcome = await _outcome(view.delete_relationship(signed_in_user(request), rel_id, str(form.get("back") or "")))
        return Redirect(path=outcome.redirect or "/organisations/", status_code=303)
