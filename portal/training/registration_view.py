"""Registration in one call each: registering and cancelling, the attendance list and sign-in sheet, the public form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.i18n import gettext as _
from portal.training import registration, services, throttle
from portal.training.notify import notify_promoted
from portal.training.validation import clean_external
from portal.training.view import (
    EventView,
    NotAllowed,
    NotFound,
    event_view,
    notices,
    organised_event,
    visible_event,
    vocabularies,
)


async def _register(event_id: int, person: dict[str, Any] | None, by: int | None, prefix: str) -> str:
    if person is None:
        return "no_staff"
    try:
        result = await registration.register(event_id, person, registered_by=by)
    except registration.Refused as refused:
        return refused.code
    return prefix + result.status


@dataclass(frozen=True)
class Outcome:
    """What registering or cancelling did: the notice code for the event's page, and that page (its
    registration block, for htmx) when it was asked for and the step was taken."""

    event_id: int
    notice: str
    page: EventView | None = None


async def register_self(user: CurrentUser, address: str, event_id: int, show: bool = False) -> Outcome:
    """Register ``user`` for an event they may see (else NotFound); with ``show`` the event's page after."""
    await visible_event(user, event_id)
    notice = await _register(event_id, await registration.staff_person(user.id), None, "")
    page = await event_view(user, address, event_id, notice=notice) if show else None
    return Outcome(event_id, notice, page)


async def register_staff(user: CurrentUser, address: str, event_id: int, username: str) -> str | EventView:
    """A coordinator registers a staff member by user name: the notice code, or the event's page saying
    that no active account has that name."""
    await visible_event(user, event_id)
    person = await registration.find_staff(username) if username else None
    if person is None:
        errors = {"username": notices()["no_staff"]}
        return await event_view(user, address, event_id, errors=errors, form={"username": username})
    return await _register(event_id, person, user.id, "staff_")


async def cancel(user: CurrentUser, address: str, registration_id: int, show: bool = False) -> Outcome:
    """Cancel one's own registration, or as an organiser anyone's (audited); NotFound, or NotAllowed for
    someone else's place. Those the freed place moves up from the waiting list are told; with ``show``
    the event's page after a cancellation."""
    found = await registration.get_registration(registration_id)
    if found is None:
        raise NotFound(registration_id)
    event = await visible_event(user, found["event"])
    if found["user"] != user.id and not services.can_organise(user, event):
        raise NotAllowed("not your registration")
    try:
        promoted = await registration.cancel(registration_id)
    except registration.Refused as refused:
        return Outcome(event["id"], refused.code)
    await notify_promoted(promoted)
    if found["user"] != user.id:
        await audit.record(user, address, "update", "training_event", event["id"], "registration cancelled")
    page = await event_view(user, address, event["id"], notice="cancelled") if show else None
    return Outcome(event["id"], "cancelled", page)


# --- attendance and the sign-in sheet ----------------------------------------------------------


@dataclass(frozen=True)
class PeopleView:
    """An event and the people registered for it: the attendance list or the printable sign-in sheet."""

    event: dict[str, Any]
    people: list[dict[str, Any]]
    notice: str = ""

    def template_context(self) -> dict[str, Any]:
        """The names ``training/attendance.html`` and ``training/sign_in_sheet.html`` read."""
        return {"event": self.event, "people": self.people, "notice": self.notice, **vocabularies()}


async def _people(user: CurrentUser, address: str, event_id: int, detail: str, notice: str = "") -> PeopleView:
    event = await organised_event(user, event_id)
    people = await registration.registered_people(event_id)
    if people:
        await audit.record(user, address, "read", "training_event", event_id, detail)
    return PeopleView(event=event, people=people, notice=notices().get(notice, ""))


async def attendance_view(user: CurrentUser, address: str, event_id: int, notice: str = "") -> PeopleView:
    """The attendance form of an event ``user`` organises (NotFound, NotAllowed); the read is audited."""
    return await _people(user, address, event_id, "attendance list", notice)


async def sign_in_view(user: CurrentUser, address: str, event_id: int) -> PeopleView:
    """The printable sign-in sheet of an event ``user`` organises (NotFound, NotAllowed); the read is audited."""
    return await _people(user, address, event_id, "sign-in sheet")


async def save_attendance(
    user: CurrentUser, address: str, event_id: int, present: set[int], show: bool
) -> PeopleView | None:
    """Everyone registered ticked present (``present``) or absent, audited; with ``show`` the list as saved."""
    event = await organised_event(user, event_id)
    await registration.record_attendance(event_id, present)
    await audit.record(user, address, "update", "training_event", event_id, "attendance")
    if not show:
        return None
    people = await registration.registered_people(event_id)
    return PeopleView(event=event, people=people, notice=notices()["attendance"])


# --- the public form ---------------------------------------------------------------------------


def _throttled() -> str:
    return _("Too many registrations from your network just now. Please try again in an hour.")


@dataclass(frozen=True)
class PublicForm:
    """The public registration form of a published event, with what was typed and what was wrong."""

    event: dict[str, Any]
    form: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    status_code: int = 200

    def template_context(self) -> dict[str, Any]:
        """The names ``training/public_register.html`` reads."""
        open_ = services.registration_open(self.event)
        return {"event": self.event, "form": self.form, "errors": self.errors, "open": open_, **vocabularies()}


@dataclass(frozen=True)
class PublicDone:
    """A registration through the public form: registered, or on the waiting list at ``result.position``."""

    event: dict[str, Any]
    result: registration.Registered

    def template_context(self) -> dict[str, Any]:
        """The names ``training/public_done.html`` reads."""
        return {"event": self.event, "result": self.result, **vocabularies()}


async def _public_event(event_id: int) -> dict[str, Any]:
    event = await services.get_event(event_id)
    if event["status"] != "published":
        raise NotFound(event_id)
    return event


async def public_form(event_id: int) -> PublicForm:
    """The empty form of a published event (else NotFound)."""
    return PublicForm(event=await _public_event(event_id))


async def public_register(address: str, event_id: int, data: dict[str, Any]) -> PublicForm | PublicDone:
    """Register someone without an account (name, organisation, e-mail, consent) for a published event;
    at most a few per network ``address`` an hour. The form again with why not (429, 422, 409), or what happened."""
    event = await _public_event(event_id)
    if await throttle.begin(address):
        return PublicForm(event, data, {"form": _throttled()}, status_code=429)
    values, errors = clean_external(data)
    if errors:
        return PublicForm(event, data, errors, status_code=422)
    person = {**values, "consent_at": utc_now(), "language": ""}
    try:
        result = await registration.register(event_id, person)
    except registration.Refused as refused:
        errors = {"form": notices().get(refused.code, notices()["closed"])}
        return PublicForm(event, data, errors, status_code=409)
    return PublicDone(event=event, result=result)
