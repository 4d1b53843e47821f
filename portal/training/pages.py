"""Training pages: the event lists, an event's page, the event and programme forms."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from portal.auth.guards import current_user, login_required, network_manager, signed_in_user
from portal.organisations.params import Filter, PageNumber, RecordId
from portal.training import event_form, view
from portal.training.services import EventFilters
from portal.web.client import client_address
from portal.web.templating import is_partial_request, render


async def _list(request: Request, filters: EventFilters, page: int, public: bool) -> Template:
    found = await view.events_view(current_user(request), filters, page, public, is_partial_request(request))
    return render(request, "training/list.html", found.template_context(), block="results")


async def _event_form(request: Request, event_id: int | None) -> Redirect | Template:
    """Save the event form (new when ``event_id`` is None) and go to the event, or show the form again."""
    form = await request.form()
    data = {key: form.get(key) for key in form.keys()}
    kept = [str(v) for v in form.getall("keep_organiser")] if "keep_organiser" in form else None
    try:
        saved = await event_form.save_event(signed_in_user(request), event_id, data, kept)
    except view.NotFound as exc:
        raise NotFoundException() from exc
    if isinstance(saved, event_form.EventForm):
        return render(request, "training/form.html", saved.template_context(), status_code=422)
    return Redirect(path=f"/training/events/{saved}?notice=saved", status_code=303)


async def _programme_form(request: Request, programme_id: int | None) -> Redirect | Template:
    form = await request.form()
    try:
        saved = await view.save_programme(programme_id, dict(form))
    except view.NotFound as exc:
        raise NotFoundException() from exc
    if isinstance(saved, view.ProgrammeForm):
        return render(request, "training/programme_form.html", saved.template_context(), status_code=422)
    return Redirect(path=f"/training/programmes/{saved}", status_code=303)


class TrainingPages(Controller):
    path = "/training"
    include_in_schema = False

    @get("/", name="training:list", guards=[login_required])
    async def list_events(
        self,
        request: Request,
        kind: Filter = "",
        country: Filter = "",
        region: Filter = "",
        language: Filter = "",
        when: Filter = "",
        page: PageNumber = 1,
    ) -> Template:
        return await _list(request, view.event_filters(kind, country, region, language, when), page, public=False)

    @get("/public", name="training:public", opt={"access": "public"})
    async def public_events(
        self,
        request: Request,
        kind: Filter = "",
        country: Filter = "",
        region: Filter = "",
        language: Filter = "",
        when: Filter = "",
        page: PageNumber = 1,
    ) -> Template:
        """Published events only, with no names of people: for anyone, logged in or not."""
        return await _list(request, view.event_filters(kind, country, region, language, when), page, public=True)

    @get("/events/new", name="training:new", guards=[network_manager])
    async def new_form(self, request: Request, org_q: Filter = "", programme: Filter = "") -> Template:
        found = await event_form.new_event_form(org_q, programme)
        return render(request, "training/form.html", found.template_context())

    @post("/events/new", guards=[network_manager], status_code=303)
    async def create(self, request: Request) -> Redirect | Template:
        return await _event_form(request, None)

    @get("/events/{event_id:int}", name="training:event", guards=[login_required])
    async def detail(self, request: Request, event_id: RecordId, notice: Filter = "", page: PageNumber = 1) -> Template:
        try:
            found = await view.event_view(current_user(request), client_address(request), event_id, notice, page)
        except view.NotFound as exc:
            raise NotFoundException() from exc
        return render(request, "training/detail.html", found.template_context(), block="registration")

    @get("/events/{event_id:int}/edit", name="training:edit", guards=[network_manager])
    async def edit_form(self, request: Request, event_id: RecordId, org_q: Filter = "") -> Template:
        try:
            found = await event_form.edit_event_form(current_user(request), event_id, org_q)
        except view.NotFound as exc:
            raise NotFoundException() from exc
        return render(request, "training/form.html", found.template_context())

    @post("/events/{event_id:int}/edit", guards=[network_manager], status_code=303)
    async def update(self, request: Request, event_id: RecordId) -> Redirect | Template:
        return await _event_form(request, event_id)

    @get("/programmes/new", name="training:programme_new", guards=[network_manager])
    async def programme_new(self, request: Request) -> Template:
        return render(request, "training/programme_form.html", (await view.programme_form(None)).template_context())

    @post("/programmes/new", guards=[network_manager], status_code=303)
    async def programme_create(self, request: Request) -> Redirect | Template:
        return await _programme_form(request, None)

    @get("/programmes/{programme_id:int}", name="training:programme", guards=[login_required])
    async def programme(self, request: Request, programme_id: RecordId) -> Template:
        try:
            found = await view.programme_view(current_user(request), programme_id)
        except view.NotFound as exc:
            raise NotFoundException() from exc
        return render(request, "training/programme.html", found.template_context())

    @get("/programmes/{programme_id:int}/edit", name="training:programme_edit", guards=[network_manager])
    async def programme_edit(self, request: Request, programme_id: RecordId) -> Template:
        try:
            found = await view.programme_form(programme_id)
        except view.NotFound as exc:
            raise NotFoundException() from exc
        return render(request, "training/programme_form.html", found.template_context())

    @post("/programmes/{programme_id:int}/edit", guards=[network_manager], status_code=303)
    async def programme_update(self, request: Request, programme_id: RecordId) -> Redirect | Template:
        return await _programme_form(request, programme_id)
