"""Calendar feeds (iCalendar) and event materials: adding, downloading and removing them."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from portal.auth.guards import current_user, login_required
from portal.i18n import gettext as _
from portal.organisations.params import RecordId
from portal.training import feeds, materials, services
from portal.training.pages import event_or_404
from portal.training.registration_pages import detail_page
from portal.training.validation import clean_link
from portal.web.fields import text

FeedName = Annotated[str, PathParameter(max_length=60)]
RegionName = Annotated[str, PathParameter(max_length=110)]
CALENDAR = "text/calendar; charset=utf-8"


def material_errors() -> dict[str, str]:
    return {
        "empty": _("Choose a file to upload."),
        "too_large": _("The file is larger than %(mb)s MB.") % {"mb": materials.MAX_FILE_BYTES // (1024 * 1024)},
        "type": _("Only PDF, Word (DOCX), PowerPoint (PPTX), Excel (XLSX), PNG and JPEG files are accepted."),
    }


class FeedPages(Controller):
    path = "/training"
    include_in_schema = False

    @get("/calendar/{feed:str}", name="training:user_feed", opt={"access": "public"})
    async def user_feed(self, feed: FeedName) -> Response:
        """A user's events; the secret in the link stands in for a login (calendar apps cannot log in)."""
        user_id = feeds.user_for_feed(feed)
        if user_id is None or not await feeds.account_active(user_id):
            raise NotFoundException()
        body = await feeds.user_calendar(user_id, _("My training events"))
        return Response(body, media_type=CALENDAR, headers={"Cache-Control": "private, max-age=300"})

    @get("/calendar/region/{region:str}", name="training:region_feed", opt={"access": "public"})
    async def region_feed(self, region: RegionName) -> Response:
        """A region's published events: public, no personal data."""
        if not region.endswith(".ics"):
            raise NotFoundException()
        name = region.removesuffix(".ics")
        body = await feeds.region_calendar(name, _("Training events: %(region)s") % {"region": name})
        return Response(body, media_type=CALENDAR, headers={"Cache-Control": "public, max-age=300"})

    @post("/events/{event_id:int}/materials", guards=[login_required], status_code=303)
    async def add_material(self, request: Request, event_id: RecordId) -> Redirect | Template:
        """A link, or a file (size-limited, its type read from its content against an allow-list)."""
        event = await event_or_404(request, event_id)
        if not services.can_organise(current_user(request), event):
            raise PermissionDeniedException("only the event's organisers may add materials")
        form = await request.form()
        upload = form.get("file")
        if text(form, "url") and not getattr(upload, "filename", ""):
            values, errors = clean_link(form)
            if errors:
                return await detail_page(request, event, errors=errors, form=dict(form), status_code=422)
            await materials.add_link(event_id, values["title"], values["url"])
        else:
            title = text(form, "material_title")[:200]
            if upload is None or isinstance(upload, str):
                errors = {"file": material_errors()["empty"]}
                return await detail_page(request, event, errors=errors, form={"material_title": title}, status_code=422)
            try:
                await materials.add_file(event_id, title, upload)
            except materials.MaterialRefused as refused:
                errors = {"file": material_errors()[refused.code]}
                return await detail_page(request, event, errors=errors, form={"material_title": title}, status_code=422)
        return Redirect(path=f"/training/events/{event_id}?notice=material#materials", status_code=303)

    @get("/materials/{material_id:int}", name="training:material", guards=[login_required])
    async def download(self, request: Request, material_id: RecordId) -> Response:
        found = await materials.get_material(material_id, with_data=True)
        if found is None:
            raise NotFoundException()
        await event_or_404(request, found["event"])  # a draft's materials only to its organisers
        if found["url"]:
            raise NotFoundException()  # links are linked to directly: this route never redirects elsewhere
        disposition = f"attachment; filename*=UTF-8''{quote(found['file_name'])}"
        headers = {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"}
        return Response(bytes(found["data"] or b""), media_type=found["content_type"], headers=headers)

    @post("/materials/{material_id:int}/delete", guards=[login_required], status_code=303)
    async def delete(self, request: Request, material_id: RecordId) -> Redirect:
        found = await materials.get_material(material_id)
        if found is None:
            raise NotFoundException()
        event = await event_or_404(request, found["event"])
        if not services.can_organise(current_user(request), event):
            raise PermissionDeniedException("only the event's organisers may remove materials")
        await materials.delete_material(material_id)
        return Redirect(path=f"/training/events/{found['event']}?notice=material_deleted#materials", status_code=303)
