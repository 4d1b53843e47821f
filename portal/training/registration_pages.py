"""Registration pages: an event's page with its registration block, registering, cancelling, attendance,
the printable sign-in sheet and the public form for people without an account."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth.guards import current_user, login_required, network_manager, signed_in_user
from portal.clock import utc_now
from portal.i18n import gettext as _
from portal.organisations.params import Filter, RecordId, is_record_id
from portal.training import feeds, registration, services, throttle
from portal.training.materials import MAX_FILE_BYTES
from portal.training.notify import notify_promoted
from portal.training.pages import event_or_404, notices, vocabularies
from portal.training.validation import clean_external
from portal.web.client import client_address
from portal.web.templating import is_partial_request, render


async def detail_page(
    request: Request,
    event: dict[str, Any],
    notice: str = "",
    page: int = 1,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    organiser = services.can_organise(user, event)
    registrations, cancelled = None, 0
    if organiser:
        registrations = await registration.registrations_page(event["id"], page)
        cancelled = await registration.cancelled_count(event["id"])
        if registrations.items:
            await audit.record(user, client_address(request), "read", "training_event", event["id"], "registrations")
    context = {
        "event": event,
        "materials": await services.materials_of(event["id"]),
        "mine": await registration.own_registration(event["id"], user.id) if user else None,
        "can_organise": organiser,
        "can_manage": services.can_manage(user),
        "registrations": registrations,
        "cancelled": cancelled,
        "open": services.registration_open(event),
        "notice": notices().get(notice, ""),
        "errors": errors or {},
        "form": form or {},
        "max_file_mb": MAX_FILE_BYTES // (1024 * 1024),
        "feed_path": feeds.user_feed_path(user.id) if user else "",
        **vocabularies(),
    }
    return render(request, "training/detail.html", context, block="registration", status_code=status_code)


async def _organised_event(request: Request, event_id: int) -> dict[str, Any]:
    """The event, if the user organises it (coordinator, administrator or member of an organiser)."""
    event = await event_or_404(request, event_id)
    if not services.can_organise(current_user(request), event):
        raise PermissionDeniedException("only the event's organisers may do this")
    return event


def _back(event_id: int, notice: str) -> Redirect:
    return Redirect(path=f"/training/events/{event_id}?notice={notice}#registration", status_code=303)


class RegistrationPages(Controller):
    path = "/training"
    include_in_schema = False

    @post("/events/{event_id:int}/register", guards=[login_required], status_code=303)
    async def register_self(self, request: Request, event_id: RecordId) -> Redirect | Template:
        await event_or_404(request, event_id)
        person = await registration.staff_person(signed_in_user(request).id)
        notice = await _register(event_id, person, None, "")
        if is_partial_request(request):
            return await detail_page(request, await services.get_event(event_id), notice=notice)
        return _back(event_id, notice)

    @post("/events/{event_id:int}/register-staff", guards=[network_manager], status_code=303)
    async def register_staff(self, request: Request, event_id: RecordId) -> Redirect | Template:
        """A coordinator registers a staff member by user name."""
        event = await event_or_404(request, event_id)
        form = await request.form()
        username = str(form.get("username") or "").strip()[:100]
        person = await registration.find_staff(username) if username else None
        if person is None:
            return await detail_page(
                request, event, errors={"username": notices()["no_staff"]}, form={"username": username}, status_code=422
            )
        notice = await _register(event_id, person, signed_in_user(request).id, "staff_")
        return _back(event_id, notice)

    @post("/registrations/{registration_id:int}/cancel", guards=[login_required], status_code=303)
    async def cancel(self, request: Request, registration_id: RecordId) -> Redirect | Template:
        """Cancel one's own registration; organisers may cancel anyone's."""
        found = await registration.get_registration(registration_id)
        if found is None:
            raise NotFoundException()
        user = signed_in_user(request)
        event = await event_or_404(request, found["event"])
        if found["user"] != user.id and not services.can_organise(user, event):
            raise PermissionDeniedException("not your registration")
        try:
            promoted = await registration.cancel(registration_id)
        except registration.Refused as refused:
            return _back(event["id"], refused.code)
        await notify_promoted(promoted)
        if found["user"] != user.id:
            await audit.record(
                user, client_address(request), "update", "training_event", event["id"], "registration cancelled"
            )
        if is_partial_request(request):
            return await detail_page(request, await services.get_event(event["id"]), notice="cancelled")
        return _back(event["id"], "cancelled")

    @get("/events/{event_id:int}/attendance", name="training:attendance", guards=[login_required])
    async def attendance(self, request: Request, event_id: RecordId, notice: Filter = "") -> Template:
        event = await _organised_event(request, event_id)
        people = await registration.registered_people(event_id)
        if people:
            await audit.record(
                current_user(request), client_address(request), "read", "training_event", event_id, "attendance list"
            )
        context = {"event": event, "people": people, "notice": notices().get(notice, ""), **vocabularies()}
        return render(request, "training/attendance.html", context, block="attendance")

    @post("/events/{event_id:int}/attendance", guards=[login_required], status_code=303)
    async def record_attendance(self, request: Request, event_id: RecordId) -> Redirect | Template:
        """One form: every registered person ticked present or left unticked (absent)."""
        event = await _organised_event(request, event_id)
        form = await request.form()
        present = {int(v) for v in form.getall("present") if is_record_id(str(v))} if "present" in form else set()
        await registration.record_attendance(event_id, present)
        await audit.record(
            current_user(request), client_address(request), "update", "training_event", event_id, "attendance"
        )
        if is_partial_request(request):
            people = await registration.registered_people(event_id)
            context = {"event": event, "people": people, "notice": notices()["attendance"], **vocabularies()}
            return render(request, "training/attendance.html", context, block="attendance")
        return Redirect(path=f"/training/events/{event_id}/attendance?notice=attendance", status_code=303)

    @get("/events/{event_id:int}/sign-in-sheet", name="training:sign_in", guards=[login_required])
    async def sign_in_sheet(self, request: Request, event_id: RecordId) -> Template:
        event = await _organised_event(request, event_id)
        people = await registration.registered_people(event_id)
        if people:
            await audit.record(
                current_user(request), client_address(request), "read", "training_event", event_id, "sign-in sheet"
            )
        return render(request, "training/sign_in_sheet.html", {"event": event, "people": people, **vocabularies()})

    @get("/public/events/{event_id:int}/register", name="training:public_form", opt={"access": "public"})
    async def public_form(self, request: Request, event_id: RecordId) -> Template:
        return await _public_page(request, await _public_event(event_id), {}, {})

    @post("/public/events/{event_id:int}/register", opt={"access": "public"}, status_code=303)
    async def public_register(self, request: Request, event_id: RecordId) -> Template:
        """External people: name, organisation, e-mail and consent; throttled by address."""
        event = await _public_event(event_id)
        form = await request.form()
        data = {key: form.get(key) for key in ("name", "organisation_name", "email", "consent")}
        if await throttle.begin(client_address(request)):
            errors = {"form": notices_public()["throttled"]}
            return await _public_page(request, event, data, errors, status_code=429)
        values, errors = clean_external(data)
        if errors:
            return await _public_page(request, event, data, errors, status_code=422)
        person = {**values, "consent_at": utc_now(), "language": ""}
        try:
            result = await registration.register(event_id, person)
        except registration.Refused as refused:
            errors = {"form": notices().get(refused.code, notices()["closed"])}
            return await _public_page(request, event, data, errors, status_code=409)
        context = {"event": event, "result": result, **vocabularies()}
        return render(request, "training/public_done.html", context, status_code=200)


def notices_public() -> dict[str, str]:
    return {"throttled": _("Too many registrations from your network just now. Please try again in an hour.")}


async def _public_event(event_id: int) -> dict[str, Any]:
    try:
        event = await services.get_event(event_id)
    except services.NotFound as exc:
        raise NotFoundException() from exc
    if event["status"] != "published":
        raise NotFoundException()
    return event


async def _public_page(
    request: Request, event: dict[str, Any], data: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> Template:
    context = {"event": event, "form": data, "errors": errors, "open": services.registration_open(event)}
    return render(request, "training/public_register.html", {**context, **vocabularies()}, status_code=status_code)


async def _register(event_id: int, person: dict[str, Any] | None, by: int | None, prefix: str) -> str:
    if person is None:
        return "no_staff"
    try:
        result = await registration.register(event_id, person, registered_by=by)
    except registration.Refused as refused:
        return refused.code
    return prefix + result["status"]
