"""HTML pages of the organisation directory, its forms and the relationship editor."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.auth.guards import current_user, login_required, network_manager, signed_in_user
from portal.i18n import gettext as _
from portal.i18n import lazy_gettext as _l
from portal.organisations import services
from portal.organisations.access import editable_relationship
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.organisations.validation import check_member_changes, clean_organisation, clean_relationship
from portal.organisations.view import choices as _choices
from portal.organisations.view import organisation_view
from portal.web.templating import is_partial_request, render

EMPTY_ORGANISATION = {"languages": "", "country": "SI"}


async def _form_data(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {key: form.get(key) for key in form.keys()}
    data["languages"] = form.getall("languages") if "languages" in form else []
    return data


async def _organisation_or_404(org_id: int, request: Request) -> dict[str, Any]:
    try:
        return await services.get_organisation(org_id, current_user(request))
    except services.NotFound as exc:
        raise NotFoundException() from exc


async def _detail_context(
    request: Request,
    org_id: int,
    tie: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    org_q: str = "",
) -> dict[str, Any]:
    """The organisation page's names (portal.organisations.view), or 404."""
    try:
        view = await organisation_view(current_user(request), org_id, tie=tie, errors=errors, org_q=org_q)
    except services.NotFound as exc:
        raise NotFoundException() from exc
    return view.template_context()


# The pickers that /organisations/choices refills, and the label of each.
PICKER_LABELS = {"other_id": _l("Other organisation"), "organisation_id": _l("Organisation")}


def _require_edit(request: Request, org_id: int) -> None:
    if not services.can_edit_organisation(current_user(request), org_id):
        raise PermissionDeniedException("you may not edit this organisation")


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
        results = await services.search_organisations(filters, page=page)
        # The fragment carries results only: skip the two queries that fill the filter lists.
        options = {} if is_partial_request(request) else await services.filter_options()
        return render(
            request,
            "organisations/list.html",
            {"filters": filters, "results": results, "options": options, **_choices()},
            block="results",
        )

    @get("/new", name="organisations:new", guards=[network_manager])
    async def new_form(self, request: Request) -> Template:
        return render(request, "organisations/form.html", {"org": EMPTY_ORGANISATION, "errors": {}, **_choices()})

    @post("/new", guards=[network_manager], status_code=303)
    async def create(self, request: Request) -> Redirect | Template:
        data = await _form_data(request)
        values, errors = clean_organisation(data)
        if errors:
            return render(
                request, "organisations/form.html", {"org": data, "errors": errors, **_choices()}, status_code=422
            )
        org_id = await services.create_organisation(values)
        return Redirect(path=f"/organisations/{org_id}", status_code=303)

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
        _require_edit(request, org_id)
        org = await _organisation_or_404(org_id, request)
        return render(request, "organisations/form.html", {"org": org, "stored": org, "errors": {}, **_choices()})

    @post("/{org_id:int}/edit", guards=[login_required], status_code=303)
    async def update(self, request: Request, org_id: RecordId) -> Redirect | Template:
        _require_edit(request, org_id)
        stored = await _organisation_or_404(org_id, request)
        data = await _form_data(request)
        values, errors = clean_organisation(data)
        if not errors and not signed_in_user(request).manages_network:
            errors = check_member_changes(stored, values)
        if errors:
            context = {"org": data, "stored": stored, "errors": errors, **_choices()}
            return render(request, "organisations/form.html", context, status_code=422)
        await services.update_organisation(org_id, values)
        return Redirect(path=f"/organisations/{org_id}", status_code=303)

    @post("/{org_id:int}/relationships", guards=[login_required], status_code=303)
    async def add_relationship(self, request: Request, org_id: RecordId) -> Redirect | Template:
        _require_edit(request, org_id)
        await _organisation_or_404(org_id, request)
        data = await _form_data(request)
        values, errors = clean_relationship(data)
        errors.update(services.programme_kind_error(current_user(request), values["kind"]))
        other_id = str(data.get("other_id") or "")
        if not is_record_id(other_id):
            errors["other_id"] = _("Choose an organisation from the list.")
        if not errors:
            # The form says which way the tie points, seen from this organisation.
            source, target = (org_id, int(other_id))
            if data.get("direction") == "incoming":
                source, target = target, source
            try:
                await services.create_relationship(source, target, values)
            except services.Conflict as conflict:
                errors["other_id" if conflict.field == "target_id" else conflict.field] = conflict.message
        if errors:
            context = await _detail_context(request, org_id, tie=data, errors=errors)
            return render(request, "organisations/detail.html", context, block="relationships", status_code=422)
        if request.headers.get("hx-request") == "true":
            context = await _detail_context(request, org_id)
            return render(request, "organisations/detail.html", context, block="relationships")
        return Redirect(path=f"/organisations/{org_id}#relationships", status_code=303)


class RelationshipPages(Controller):
    path = "/relationships"
    include_in_schema = False
    guards = [login_required]

    @get("/{rel_id:int}/edit", name="relationships:edit")
    async def edit_form(self, request: Request, rel_id: RecordId, back: Filter = "") -> Template:
        tie = await editable_relationship(request, rel_id)
        return render(
            request, "relationships/edit.html", {"tie": tie, "errors": {}, "back": _back(back, tie), **_choices()}
        )

    @post("/{rel_id:int}/edit", status_code=303)
    async def update(self, request: Request, rel_id: RecordId) -> Redirect | Template:
        tie = await editable_relationship(request, rel_id)
        data = await _form_data(request)
        back = _back(str(data.get("back") or ""), tie)
        values, errors = clean_relationship(data)
        errors.update(services.programme_kind_error(current_user(request), values["kind"]))
        if not errors:
            try:
                await services.update_relationship(rel_id, values)
            except services.Conflict as conflict:
                errors[conflict.field] = conflict.message
        if errors:
            return render(
                request,
                "relationships/edit.html",
                {"tie": {**tie, **data}, "errors": errors, "back": back, **_choices()},
                status_code=422,
            )
        return Redirect(path=f"/organisations/{back}#relationships", status_code=303)

    @post("/{rel_id:int}/delete", status_code=303)
    async def delete(self, request: Request, rel_id: RecordId) -> Redirect:
        tie = await editable_relationship(request, rel_id)
        form = await request.form()
        back = _back(str(form.get("back") or ""), tie)
        await services.delete_relationship(rel_id)
        return Redirect(path=f"/organisations/{back}#relationships", status_code=303)


def _back(requested: str, tie: dict[str, Any]) -> int:
    """Return to the organisation page the edit started from, if it is one of the tie's ends."""
    ends = (tie["source_id"], tie["target_id"])
    return int(requested) if is_record_id(requested) and int(requested) in ends else ends[0]
