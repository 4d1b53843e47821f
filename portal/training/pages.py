"""Training pages: the event lists, an event's page, the event and programme forms."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from portal.auth.guards import current_user, login_required, network_manager, signed_in_user
from portal.i18n import gettext as _
from portal.organisations import services as organisations
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.training import feeds, services
from portal.training.kinds import (
    EVENT_COUNTRIES,
    EVENT_KINDS,
    EVENT_LANGUAGES,
    EVENT_STATUSES,
    REGISTRATION_STATUSES,
    local_time,
)
from portal.training.notify import notify_promoted
from portal.training.validation import clean_event, clean_programme, local_input
from portal.web.templating import is_partial_request, render


def vocabularies() -> dict[str, Any]:
    return {
        "kinds": EVENT_KINDS,
        "statuses": EVENT_STATUSES,
        "languages": EVENT_LANGUAGES,
        "countries": EVENT_COUNTRIES,
        "registration_statuses": REGISTRATION_STATUSES,
        "local": local_time,
    }


def notices() -> dict[str, str]:
    return {
        "registered": _("You are registered."),
        "staff_registered": _("The staff member is registered."),
        "waitlisted": _("The event is full: you are on the waiting list."),
        "staff_waitlisted": _("The event is full: the staff member is on the waiting list."),
        "cancelled": _("The registration is cancelled; the place went to the next person waiting, if any."),
        "closed": _("Registration for this event is closed."),
        "duplicate": _("Already registered for this event."),
        "no_staff": _("No active account has that user name."),
        "attendance": _("Attendance saved."),
        "material": _("Material added."),
        "material_deleted": _("Material removed."),
        "saved": _("Event saved."),
        "not_found": _("Nothing to cancel: the registration was already cancelled."),
        "started": _("The event has begun: a registration can no longer be cancelled."),
    }


async def event_or_404(request: Request, event_id: int) -> dict[str, Any]:
    """The event, if the user may see it: drafts only to those who organise them."""
    try:
        event = await services.get_event(event_id)
    except services.NotFound as exc:
        raise NotFoundException() from exc
    if not services.can_see(current_user(request), event):
        raise NotFoundException()
    return event


def _filters(kind: str, country: str, region: str, language: str, when: str) -> services.EventFilters:
    return services.EventFilters(
        kind=kind if kind in EVENT_KINDS else "",
        country=country if country in EVENT_COUNTRIES else "",
        region=region,
        language=language if language in EVENT_LANGUAGES else "",
        past=when == "past",
    )


async def _list(request: Request, filters: services.EventFilters, page: int, public: bool) -> Template:
    user = current_user(request)
    result = await services.list_events(filters, page, published_only=public or not services.can_manage(user))
    context = {
        "result": result,
        "filters": filters,
        "public": public,
        "regions": [] if is_partial_request(request) else await services.region_options(),
        "feed_path": feeds.user_feed_path(user.id) if user and not public else "",
        "region_feed": feeds.region_feed_path(filters.region) if filters.region else "",
        "programmes": [] if public else await services.list_programmes(),
        **vocabularies(),
    }
    return render(request, "training/list.html", context, block="results")


def _event_form_data(event: dict[str, Any]) -> dict[str, Any]:
    """A stored event as the form's strings."""
    data = {key: event.get(key) for key in services.EVENT_FIELDS}
    for key in ("starts_at", "ends_at", "registration_deadline"):
        data[key] = local_input(event.get(key))
    for key in ("latitude", "longitude"):
        # A REAL column reads back as 46.38399887…: show what was meant.
        data[key] = "" if event.get(key) is None else round(event[key], 5)
    data["programme_id"] = event.get("programme") or ""
    data["module_number"] = event.get("module_number") or ""
    return data


async def _form_page(
    request: Request,
    data: dict[str, Any],
    errors: dict[str, str],
    organisers: list[dict[str, Any]],
    stored: dict[str, Any] | None = None,
    org_q: str = "",
    status_code: int = 200,
) -> Template:
    chosen = str(data.get("organisation_id") or "")
    found, more = await organisations.organisation_choices(org_q, int(chosen) if is_record_id(chosen) else None)
    context = {
        "event": data,
        "errors": errors,
        "stored": stored,
        "organisers": organisers,
        "organisations": found,
        "more_organisations": more,
        "org_q": org_q,
        "programmes": await services.programme_choices(),
        **vocabularies(),
    }
    return render(request, "training/form.html", context, status_code=status_code)


async def _read_event_form(request: Request, places_taken: int) -> tuple[dict, dict, dict, list[int], list]:
    form = await request.form()
    data: dict[str, Any] = {key: form.get(key) for key in form.keys()}
    values, errors = clean_event(data, places_taken)
    if values["programme"] is not None and not await services.programme_exists(values["programme"]):
        errors["programme_id"] = _("Choose one of the options.")
    kept = [int(v) for v in form.getall("keep_organiser") if is_record_id(str(v))] if "keep_organiser" in form else []
    added = str(data.get("organisation_id") or "")
    wanted = kept + ([int(added)] if is_record_id(added) else [])
    organiser_ids = await services.existing_organisations(wanted)
    if added and not is_record_id(added):
        errors["organisation_id"] = _("Choose one of the options.")
    if not organiser_ids:
        errors["organisation_id"] = _("Choose the organisation that organises the event.")
    organisers = await _organiser_rows(organiser_ids)
    return data, values, errors, organiser_ids, organisers


async def _organiser_rows(ids: list[int]) -> list[dict[str, Any]]:
    rows = []
    for org_id in ids:
        try:
            org = await organisations.get_organisation(org_id, None)
        except organisations.NotFound:
            continue
        rows.append({"id": org["id"], "name": org["name"], "municipality": org["municipality"]})
    return rows


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
        return await _list(request, _filters(kind, country, region, language, when), page, public=False)

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
        return await _list(request, _filters(kind, country, region, language, when), page, public=True)

    @get("/events/new", name="training:new", guards=[network_manager])
    async def new_form(self, request: Request, org_q: Filter = "", programme: Filter = "") -> Template:
        data = {"status": "draft", "language": "sl", "country": "SI", "programme_id": programme, "capacity": 30}
        return await _form_page(request, data, {}, [], org_q=org_q)

    @post("/events/new", guards=[network_manager], status_code=303)
    async def create(self, request: Request) -> Redirect | Template:
        data, values, errors, organiser_ids, organisers = await _read_event_form(request, 0)
        if errors:
            return await _form_page(request, data, errors, organisers, status_code=422)
        event_id = await services.create_event(values, organiser_ids, signed_in_user(request))
        return Redirect(path=f"/training/events/{event_id}?notice=saved", status_code=303)

    @get("/events/{event_id:int}", name="training:event", guards=[login_required])
    async def detail(self, request: Request, event_id: RecordId, notice: Filter = "", page: PageNumber = 1) -> Template:
        from portal.training.registration_pages import detail_page

        return await detail_page(request, await event_or_404(request, event_id), notice=notice, page=page)

    @get("/events/{event_id:int}/edit", name="training:edit", guards=[network_manager])
    async def edit_form(self, request: Request, event_id: RecordId, org_q: Filter = "") -> Template:
        event = await event_or_404(request, event_id)
        return await _form_page(request, _event_form_data(event), {}, event["organisers"], stored=event, org_q=org_q)

    @post("/events/{event_id:int}/edit", guards=[network_manager], status_code=303)
    async def update(self, request: Request, event_id: RecordId) -> Redirect | Template:
        event = await event_or_404(request, event_id)
        data, values, errors, organiser_ids, organisers = await _read_event_form(request, event["places_taken"])
        promoted = None if errors else await services.update_event(event_id, values, organiser_ids)
        if promoted is None and not errors:
            errors["capacity"] = _("More people registered meanwhile: the capacity cannot be that low.")
        if errors:
            return await _form_page(request, data, errors, organisers, stored=event, status_code=422)
        await notify_promoted(promoted or [])
        return Redirect(path=f"/training/events/{event_id}?notice=saved", status_code=303)

    @get("/programmes/new", name="training:programme_new", guards=[network_manager])
    async def programme_new(self, request: Request) -> Template:
        return render(request, "training/programme_form.html", {"programme": {}, "errors": {}, "stored": None})

    @post("/programmes/new", guards=[network_manager], status_code=303)
    async def programme_create(self, request: Request) -> Redirect | Template:
        form = await request.form()
        values, errors = clean_programme(form)
        if errors:
            context = {"programme": dict(form), "errors": errors, "stored": None}
            return render(request, "training/programme_form.html", context, status_code=422)
        programme_id = await services.save_programme(values)
        return Redirect(path=f"/training/programmes/{programme_id}", status_code=303)

    @get("/programmes/{programme_id:int}", name="training:programme", guards=[login_required])
    async def programme(self, request: Request, programme_id: RecordId) -> Template:
        try:
            programme = await services.get_programme(programme_id)
        except services.NotFound as exc:
            raise NotFoundException() from exc
        manager = services.can_manage(current_user(request))
        events = await services.programme_events(programme_id, published_only=not manager)
        context = {"programme": programme, "events": events, "can_manage": manager, **vocabularies()}
        return render(request, "training/programme.html", context)

    @get("/programmes/{programme_id:int}/edit", name="training:programme_edit", guards=[network_manager])
    async def programme_edit(self, request: Request, programme_id: RecordId) -> Template:
        try:
            programme = await services.get_programme(programme_id)
        except services.NotFound as exc:
            raise NotFoundException() from exc
        context = {"programme": programme, "errors": {}, "stored": programme}
        return render(request, "training/programme_form.html", context)

    @post("/programmes/{programme_id:int}/edit", guards=[network_manager], status_code=303)
    async def programme_update(self, request: Request, programme_id: RecordId) -> Redirect | Template:
        try:
            stored = await services.get_programme(programme_id)
        except services.NotFound as exc:
            raise NotFoundException() from exc
        form = await request.form()
        values, errors = clean_programme(form)
        if errors:
            context = {"programme": dict(form), "errors": errors, "stored": stored}
            return render(request, "training/programme_form.html", context, status_code=422)
        await services.save_programme(values, programme_id)
        return Redirect(path=f"/training/programmes/{programme_id}", status_code=303)
