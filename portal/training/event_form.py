"""The event form in one call each: the new or stored event as a form, and saving it (or the form again, with why not)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.i18n import gettext as _
from portal.organisations import services as organisations
from portal.organisations.params import is_record_id
from portal.outcomes import FormErrors
from portal.training import services
from portal.training.notify import notify_promoted
from portal.training.validation import clean_event, local_input
from portal.training.view import visible_event, vocabularies


@dataclass(frozen=True)
class EventForm(FormErrors):
    """The event form: what it holds (strings), its errors, the organisers chosen, the organisation picker."""

    event: dict[str, Any]
    errors: dict[str, str]
    stored: dict[str, Any] | None  # the event being edited
    organisers: list[dict[str, Any]]
    organisations: list[dict[str, Any]]
    more_organisations: bool
    org_q: str
    programmes: dict[str, str]

    def template_context(self) -> dict[str, Any]:
        """The names ``training/form.html`` reads."""
        return {
            "event": self.event,
            "errors": self.errors,
            "stored": self.stored,
            "organisers": self.organisers,
            "organisations": self.organisations,
            "more_organisations": self.more_organisations,
            "org_q": self.org_q,
            "programmes": self.programmes,
            **vocabularies(),
        }


async def _form(
    data: dict[str, Any],
    errors: dict[str, str],
    organisers: list[dict[str, Any]],
    stored: dict[str, Any] | None = None,
    org_q: str = "",
) -> EventForm:
    chosen = str(data.get("organisation_id") or "")
    found, more = await organisations.organisation_choices(org_q, int(chosen) if is_record_id(chosen) else None)
    return EventForm(
        event=data,
        errors=errors,
        stored=stored,
        organisers=organisers,
        organisations=found,
        more_organisations=more,
        org_q=org_q,
        programmes=await services.programme_choices(),
    )


async def new_event_form(org_q: str = "", programme: str = "") -> EventForm:
    """The empty form (a draft in Slovenian, in Slovenia, 30 places), in ``programme`` if given."""
    data = {"status": "draft", "language": "sl", "country": "SI", "programme_id": programme, "capacity": 30}
    return await _form(data, {}, [], org_q=org_q)


def _form_data(event: dict[str, Any]) -> dict[str, Any]:
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


async def edit_event_form(user: CurrentUser | None, event_id: int, org_q: str = "") -> EventForm:
    """A stored event ``user`` may see as the form (else NotFound)."""
    event = await visible_event(user, event_id)
    return await _form(_form_data(event), {}, event["organisers"], stored=event, org_q=org_q)


async def _organiser_rows(ids: list[int]) -> list[dict[str, Any]]:
    rows = []
    for org_id in ids:
        try:
            org = await organisations.get_organisation(org_id, None)
        except organisations.NotFound:
            continue
        rows.append({"id": org["id"], "name": org["name"], "municipality": org["municipality"]})
    return rows


async def _checked(
    data: dict[str, Any], kept: list[str] | None, places_taken: int
) -> tuple[dict[str, Any], dict[str, str], list[int], list[dict[str, Any]]]:
    """Clean values, errors, the organisers' ids that exist and their rows (for the form shown again)."""
    values, errors = clean_event(data, places_taken)
    if values["programme"] is not None and not await services.programme_exists(values["programme"]):
        errors["programme_id"] = _("Choose one of the options.")
    kept_ids = [int(v) for v in kept if is_record_id(str(v))] if kept is not None else []
    added = str(data.get("organisation_id") or "")
    wanted = kept_ids + ([int(added)] if is_record_id(added) else [])
    organiser_ids = await services.existing_organisations(wanted)
    if added and not is_record_id(added):
        errors["organisation_id"] = _("Choose one of the options.")
    if not organiser_ids:
        errors["organisation_id"] = _("Choose the organisation that organises the event.")
    return values, errors, organiser_ids, await _organiser_rows(organiser_ids)


async def save_event(
    user: CurrentUser, event_id: int | None, data: dict[str, Any], kept: list[str] | None
) -> int | EventForm:
    """Save the form as a new event, or over the stored one ``user`` may see (else NotFound): the event's id,
    or the form again with what was wrong (nothing saved). ``kept``: the organisers left ticked (None: no such
    field); people a larger capacity moves up from the waiting list are told."""
    stored = None if event_id is None else await visible_event(user, event_id)
    values, errors, organiser_ids, organisers = await _checked(data, kept, stored["places_taken"] if stored else 0)
    if errors:
        return await _form(data, errors, organisers, stored=stored)
    if event_id is None:
        return await services.create_event(values, organiser_ids, user)
    promoted = await services.update_event(event_id, values, organiser_ids)
    if promoted is None:
        errors["capacity"] = _("More people registered meanwhile: the capacity cannot be that low.")
        return await _form(data, errors, organisers, stored=stored)
    await notify_promoted(promoted)
    return event_id
