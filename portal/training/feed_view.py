"""A user's calendar feed and an event's materials (adding, downloading, removing) in one call each."""

from __future__ import annotations

from typing import Any

from portal.auth.current_user import CurrentUser
from portal.i18n import gettext as _
from portal.training import feeds, materials
from portal.training.validation import clean_link
from portal.training.view import EventView, NotFound, event_view, organised_event, visible_event
from portal.web.fields import text


async def user_feed(feed: str) -> str:
    """The events of the user whose secret feed name this is (an active account), as iCalendar; else NotFound."""
    user_id = feeds.user_for_feed(feed)
    if user_id is None or not await feeds.account_active(user_id):
        raise NotFound(feed)
    return await feeds.user_calendar(user_id, _("My training events"))


def material_errors() -> dict[str, str]:
    return {
        "empty": _("Choose a file to upload."),
        "too_large": _("The file is larger than %(mb)s MB.") % {"mb": materials.MAX_FILE_BYTES // (1024 * 1024)},
        "type": _("Only PDF, Word (DOCX), PowerPoint (PPTX), Excel (XLSX), PNG and JPEG files are accepted."),
    }


async def add_material(
    user: CurrentUser, address: str, event_id: int, data: dict[str, Any], upload: Any
) -> EventView | None:
    """Add a link (``data['url']``) or the uploaded file (size-limited, its type read from its content against
    an allow-list) to an event ``user`` organises (NotFound, NotAllowed): None when added, else the event's page
    saying why not."""
    await organised_event(user, event_id, "only the event's organisers may add materials")
    if text(data, "url") and not getattr(upload, "filename", ""):
        values, errors = clean_link(data)
        if errors:
            return await event_view(user, address, event_id, errors=errors, form=data)
        await materials.add_link(event_id, values["title"], values["url"])
        return None
    title = text(data, "material_title")[:200]
    if upload is None or isinstance(upload, str):
        errors = {"file": material_errors()["empty"]}
        return await event_view(user, address, event_id, errors=errors, form={"material_title": title})
    try:
        await materials.add_file(event_id, title, upload)
    except materials.MaterialRefused as refused:
        errors = {"file": material_errors()[refused.code]}
        return await event_view(user, address, event_id, errors=errors, form={"material_title": title})
    return None


async def material_file(user: CurrentUser | None, material_id: int) -> dict[str, Any]:
    """A stored file (with its bytes) of an event ``user`` may see (a draft's only to its organisers); links
    are NotFound too: they are linked to directly, so the download route never redirects elsewhere."""
    found = await materials.get_material(material_id, with_data=True)
    if found is None:
        raise NotFound(material_id)
    await visible_event(user, found["event"])
    if found["url"]:
        raise NotFound(material_id)
    return found


async def remove_material(user: CurrentUser, material_id: int) -> int:
    """Remove a material of an event ``user`` organises (NotFound, NotAllowed): the event's id."""
    found = await materials.get_material(material_id)
    if found is None:
        raise NotFound(material_id)
    await organised_event(user, found["event"], "only the event's organisers may remove materials")
    await materials.delete_material(material_id)
    return int(found["event"])
