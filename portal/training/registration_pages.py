"""Registration pages: an event's page with its registration block, registering, cancelling, attendance,
the printable sign-in sheet and the public form for people without an account."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.auth.guards import login_required, network_manager, signed_in_user
from portal.organisations.params import Filter, RecordId, is_record_id
from portal.training import registration_view as registrations
from portal.training import view
from portal.web.client import client_address
from portal.web.templating import is_partial_request, render


def _back(event_id: int, notice: str) -> Redirect:
    return Redirect(path=f"/training/events/{event_id}?notice={notice}#registration", status_code=303)


def _event_page(request: Request, found: view.EventView) -> Template:
    return render(
        request, "training/detail.html", found.template_context(), block="registration", status_code=found.status_code
    )


class RegistrationPages(Controller):
    path = "/training"
    include_in_schema = False

    @post("/events/{event_id:int}/register", guards=[login_required], status_code=303)
    async def register_self(self, request: Request, event_id: RecordId) -> Redirect | Template:
        user, address = signed_in_user(request), client_address(request)
        try:
            done = await registrations.register_self(user, address, event_id, show=is_partial_request(request))
        except view.NotFound as exc:
            raise NotFoundException() from exc
        return _back(event_id, done.notice) if done.page is None else _event_page(request, done.page)

    @post("/events/{event_id:int}/register-staff", guards=[network_manager], status_code=303)
    async def register_staff(self, request: Request, event_id: RecordId) -> Redirect | Template:
        """A coordinator registers a staff member by user name."""
        form = await request.form()
        username = str(form.get("username") or "").strip()[:100]
        try:
            done = await registrations.register_staff(
                signed_in_user(request), client_address(request), event_id, username
            )
        except view.NotFound as exc:
            raise NotFoundException() from exc
        if isinstance(done, view.EventView):
            return _event_page(request, done)
        return _back(event_id, done)

    @post("/registrations/{registration_id:int}/cancel", guards=[login_required], status_code=303)
    async def cancel(self, request: Request, registration_id: RecordId) -> Redirect | Template:
        """Cancel one's own registration; organisers may cancel anyone's."""
        user, address = signed_in_user(request), client_address(request)
        try:
            done = await registrations.cancel(user, address, registration_id, show=is_partial_request(request))
        except view.NotFound as exc:
            raise NotFoundException() from exc
        except view.NotAllowed as exc:
            raise PermissionDeniedException(str(exc)) from exc
        return _back(done.event_id, done.notice) if done.page is None else _event_page(request, done.page)

    @get("/events/{event_id:int}/attendance", name="training:attendance", guards=[login_required])
    async def attendance(self, request: Request, event_id: RecordId, notice: Filter = "") -> Template:
        try:
            found = await registrations.attendance_view(
                signed_in_user(request), client_address(request), event_id, notice
            )
        except view.NotFound as exc:
            raise NotFoundException() from exc
        except view.NotAllowed as exc:
            raise PermissionDeniedException(str(exc)) from exc
        return render(request, "training/attendance.html", found.template_context(), block="attendance")

    @post("/events/{event_id:int}/attendance", guards=[login_required], status_code=303)
    async def record_attendance(self, request: Request, event_id: RecordId) -> Redirect | Template:
        """One form: every registered person ticked present or left unticked (absent)."""
        form = await request.form()
        present = {int(v) for v in form.getall("present") if is_record_id(str(v))} if "present" in form else set()
        partial = is_partial_request(request)
        try:
            saved = await registrations.save_attendance(
                signed_in_user(request), client_address(request), event_id, present, show=partial
            )
        except view.NotFound as exc:
            raise NotFoundException() from exc
        except view.NotAllowed as exc:
            raise PermissionDeniedException(str(exc)) from exc
        if saved is not None:
            return render(request, "training/attendance.html", saved.template_context(), block="attendance")
        return Redirect(path=f"/training/events/{event_id}/attendance?notice=attendance", status_code=303)

    @get("/events/{event_id:int}/sign-in-sheet", name="training:sign_in", guards=[login_required])
    async def sign_in_sheet(self, request: Request, event_id: RecordId) -> Template:
        try:
            found = await registrations.sign_in_view(signed_in_user(request), client_address(request), event_id)
        except view.NotFound as exc:
            raise NotFoundException() from exc
        except view.NotAllowed as exc:
            raise PermissionDeniedException(str(exc)) from exc
        return render(request, "training/sign_in_sheet.html", found.template_context())

    @get("/public/events/{event_id:int}/register", name="training:public_form", opt={"access": "public"})
    async def public_form(self, request: Request, event_id: RecordId) -> Template:
        try:
            found = await registrations.public_form(event_id)
        except view.NotFound as exc:
            raise NotFoundException() from exc
        return render(request, "training/public_register.html", found.template_context())

    @post("/public/events/{event_id:int}/register", opt={"access": "public"}, status_code=303)
    async def public_register(self, request: Request, event_id: RecordId) -> Template:
        """External people: name, organisation, e-mail and consent; throttled by address."""
        form = await request.form()
        data = {key: form.get(key) for key in ("name", "organisation_name", "email", "consent")}
        try:
            done = await registrations.public_register(client_address(request), event_id, data)
        except view.NotFound as exc:
            raise NotFoundException() from exc
        if isinstance(done, registrations.PublicForm):
            return render(
                request, "training/public_register.html", done.template_context(), status_code=done.status_code
            )
        return render(request, "training/public_done.html", done.template_context(), status_code=200)
