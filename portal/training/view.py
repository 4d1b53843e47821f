"""The training pages' data in one call each: the event lists, an event's page, a programme's page and form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.i18n import gettext as _
from portal.outcomes import FormErrors
from portal.pagination import Page
from portal.training import feeds, registration, services
from portal.training.kinds import (
    EVENT_COUNTRIES,
    EVENT_KINDS,
    EVENT_LANGUAGES,
    EVENT_STATUSES,
    REGISTRATION_STATUSES,
    local_time,
)
from portal.training.materials import MAX_FILE_BYTES
from portal.training.validation import clean_programme

NotFound = services.NotFound


class NotAllowed(Exception):
    """The user may see the record but not do this to it (a 403); the message says what was refused."""


def vocabularies() -> dict[str, Any]:
    """The code → name lists (and the local-time filter) the training templates show."""
    return {
        "kinds": EVENT_KINDS,
        "statuses": EVENT_STATUSES,
        "languages": EVENT_LANGUAGES,
        "countries": EVENT_COUNTRIES,
        "registration_statuses": REGISTRATION_STATUSES,
        "local": local_time,
    }


def notices() -> dict[str, str]:
    """The message for each ``notice`` code an event page or the attendance list is shown with."""
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


async def visible_event(user: CurrentUser | None, event_id: int) -> dict[str, Any]:
    """The event, if ``user`` may see it (drafts only to those who organise them); else NotFound."""
    event = await services.get_event(event_id)
    if not services.can_see(user, event):
        raise NotFound(event_id)
    return event


async def organised_event(
    user: CurrentUser | None, event_id: int, refusal: str = "only the event's organisers may do this"
) -> dict[str, Any]:
    """The event, if ``user`` organises it (coordinator, administrator or member of an organiser);
    NotFound when they may not see it, NotAllowed (saying ``refusal``) when they may but do not organise it."""
    event = await visible_event(user, event_id)
    if not services.can_organise(user, event):
        raise NotAllowed(refusal)
    return event


# --- the event lists ---------------------------------------------------------------------------


def event_filters(kind: str, country: str, region: str, language: str, when: str) -> services.EventFilters:
    """The list's filters from the query; a value not in a vocabulary counts as no filter."""
    return services.EventFilters(
        kind=kind if kind in EVENT_KINDS else "",
        country=country if country in EVENT_COUNTRIES else "",
        region=region,
        language=language if language in EVENT_LANGUAGES else "",
        past=when == "past",
    )


@dataclass(frozen=True)
class EventsView:
    """A page of events with the filter's choices; ``public`` for the list without names of people."""

    result: Page
    filters: services.EventFilters
    public: bool
    regions: list[tuple[str, str]]
    feed_path: str
    region_feed: str
    programmes: list[dict[str, Any]]

    def template_context(self) -> dict[str, Any]:
        """The names ``training/list.html`` reads."""
        return {
            "result": self.result,
            "filters": self.filters,
            "public": self.public,
            "regions": self.regions,
            "feed_path": self.feed_path,
            "region_feed": self.region_feed,
            "programmes": self.programmes,
            **vocabularies(),
        }


async def events_view(
    user: CurrentUser | None, filters: services.EventFilters, page: int, public: bool, partial: bool
) -> EventsView:
    """The list (published events only for the public list and for those who do not manage the network);
    ``partial`` (an htmx refresh of the results) leaves out the filter's region choices."""
    result = await services.list_events(filters, page, published_only=public or not services.can_manage(user))
    return EventsView(
        result=result,
        filters=filters,
        public=public,
        regions=[] if partial else await services.region_options(),
        feed_path=feeds.user_feed_path(user.id) if user and not public else "",
        region_feed=feeds.region_feed_path(filters.region) if filters.region else "",
        programmes=[] if public else await services.list_programmes(),
    )


# --- an event's page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EventView(FormErrors):
    """An event's page: the event, its materials, the user's own place and, for organisers, everyone's."""

    event: dict[str, Any]
    materials: list[dict[str, Any]]
    mine: dict[str, Any] | None
    can_organise: bool
    can_manage: bool
    registrations: Page | None  # organisers only
    cancelled: int
    open: bool
    notice: str
    feed_path: str
    errors: dict[str, str] = field(default_factory=dict)  # a form on the page that was refused
    form: dict[str, Any] = field(default_factory=dict)  # what that form held

    def template_context(self) -> dict[str, Any]:
        """The names ``training/detail.html`` reads."""
        return {
            "event": self.event,
            "materials": self.materials,
            "mine": self.mine,
            "can_organise": self.can_organise,
            "can_manage": self.can_manage,
            "registrations": self.registrations,
            "cancelled": self.cancelled,
            "open": self.open,
            "notice": self.notice,
            "errors": self.errors,
            "form": self.form,
            "max_file_mb": MAX_FILE_BYTES // (1024 * 1024),
            "feed_path": self.feed_path,
            **vocabularies(),
        }


async def event_view(
    user: CurrentUser | None,
    address: str,
    event_id: int,
    notice: str = "",
    page: int = 1,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> EventView:
    """The page of an event ``user`` may see (else NotFound); an organiser's read of the registrations is audited."""
    event = await visible_event(user, event_id)
    organiser = services.can_organise(user, event)
    registrations, cancelled = None, 0
    if organiser:
        registrations = await registration.registrations_page(event["id"], page)
        cancelled = await registration.cancelled_count(event["id"])
        if registrations.items and user is not None:
            await audit.record(user, address, "read", "training_event", event["id"], "registrations")
    return EventView(
        event=event,
        materials=await services.materials_of(event["id"]),
        mine=await registration.own_registration(event["id"], user.id) if user else None,
        can_organise=organiser,
        can_manage=services.can_manage(user),
        registrations=registrations,
        cancelled=cancelled,
        open=services.registration_open(event),
        notice=notices().get(notice, ""),
        feed_path=feeds.user_feed_path(user.id) if user else "",
        errors=errors or {},
        form=form or {},
    )


# --- programmes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeView:
    """A programme and its events in module order (drafts only for those who manage the network)."""

    programme: dict[str, Any]
    events: list[dict[str, Any]]
    can_manage: bool

    def template_context(self) -> dict[str, Any]:
        """The names ``training/programme.html`` reads."""
        return {"programme": self.programme, "events": self.events, "can_manage": self.can_manage, **vocabularies()}


async def programme_view(user: CurrentUser | None, programme_id: int) -> ProgrammeView:
    programme = await services.get_programme(programme_id)
    manager = services.can_manage(user)
    events = await services.programme_events(programme_id, published_only=not manager)
    return ProgrammeView(programme=programme, events=events, can_manage=manager)


@dataclass(frozen=True)
class ProgrammeForm(FormErrors):
    """The programme form: what it holds, its errors, and the stored programme when editing."""

    programme: dict[str, Any]
    errors: dict[str, str]
    stored: dict[str, Any] | None

    def template_context(self) -> dict[str, Any]:
        """The names ``training/programme_form.html`` reads."""
        return {"programme": self.programme, "errors": self.errors, "stored": self.stored}


async def programme_form(programme_id: int | None) -> ProgrammeForm:
    """The empty form, or a stored programme's (NotFound when there is none)."""
    if programme_id is None:
        return ProgrammeForm(programme={}, errors={}, stored=None)
    stored = await services.get_programme(programme_id)
    return ProgrammeForm(programme=stored, errors={}, stored=stored)


async def save_programme(programme_id: int | None, data: dict[str, Any]) -> int | ProgrammeForm:
    """Save the form as a new programme or over ``programme_id`` (NotFound when there is none): its id,
    or the form again with what was wrong (nothing saved)."""
    stored = None if programme_id is None else await services.get_programme(programme_id)
    values, errors = clean_programme(data)
    if errors:
        return ProgrammeForm(programme=data, errors=errors, stored=stored)
    return await services.save_programme(values, programme_id)
