"""Calendar feeds (iCalendar) and event materials: adding, downloading and removing them."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from portal.auth.guards import current_user, login_required, signed_in_user
from portal.i18n import gettext as _
from portal.organisations.params import RecordId
from portal.training import feed_view, feeds
from portal.training.view import NotAllowed, NotFound
from portal.web.client import client_address
from portal.web.templating import render

FeedName = Annotated[str, PathParameter(max_length=60)]
RegionName = Annotated[str, PathParameter(max_length=110)]
CALENDAR = "text/calendar; charset=utf-8"


class FeedPages(Controller):
    path = "/training"
    include_in_schema = False

    @get("/calendar/{feed:str}", name="training:user_feed", opt={"access": "public"})
    async def user_feed(self, feed: FeedName) -> Response:
        """A user's events; the secret in the link stands in for a login (calendar apps cannot log in)."""
        try:
            body = await feed_view.user_feed(feed)
        except NotFound as exc:
            raise NotFoundException() from exc
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
        form = await request.form()
        user, address = signed_in_user(request), client_address(request)
        try:
            refused = await feed_view.add_material(user, address, event_id, dict(form), form.get("file"))
        except NotFound as exc:
            raise NotFoundException() from exc
        except NotAllowed as exc:
            raise PermissionDeniedException(str(exc)) from exc
        if refused is not None:
            context = refused.template_context()
            return render(request, "training/detail.html", context, block="registration", status_code=422)
        return Redirect(path=f"/training/events/{event_id}?notice=material#materials", status_code=303)

    @get("/materials/{material_id:int}", name="training:material", guards=[login_required])
    async def download(self, request: Request, material_id: RecordId) -> Response:
        try:
            found = await feed_view.material_file(current_user(request), material_id)
        except NotFound as exc:
            raise NotFoundException() from exc
        disposition = f"attachment; filename*=UTF-8''{quote(found['file_name'])}"
        headers = {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"}
        return Response(bytes(found["data"] or b""), media_type=found["content_type"], headers=headers)

    @post("/materials/{material_id:int}/delete", guards=[login_required], status_code=303)
    async def delete(self, request: Request, material_id: RecordId) -> Redirect:
        try:
            event_id = await feed_view.remove_material(signed_in_user(request), material_id)
        except NotFound as exc:
            raise NotFoundException() from exc
        except NotAllowed as exc:
            raise PermissionDeniedException(str(exc)) from exc
        return Redirect(path=f"/training/events/{event_id}?notice=material_deleted#materials", status_code=303)
