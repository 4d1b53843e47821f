"""Notification pages: the user's list, marking all read, opening one (which marks it read and goes where it points)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from portal.auth.guards import login_required, signed_in_user
from portal.notifications import services
from portal.organisations.params import RecordId
from portal.web.templating import render


class NotificationPages(Controller):
    path = "/notifications"
    include_in_schema = False
    guards = [login_required]

    @get("/", name="notifications:list")
    async def list_notifications(self, request: Request) -> Template:
        items = await services.recent(signed_in_user(request).id)
        return render(request, "notifications/list.html", {"items": items})

    @post("/read", status_code=303)
    async def mark_read(self, request: Request) -> Redirect:
        await services.mark_all_read(signed_in_user(request).id)
        return Redirect(path="/notifications/", status_code=303)

    @get("/{notification_id:int}/open", name="notifications:open", status_code=303)
    async def open_notification(self, request: Request, notification_id: RecordId) -> Redirect:
        # Someone else's or a missing notification is not revealed: back to the user's own list.
        link = await services.open_link(signed_in_user(request).id, notification_id)
        return Redirect(path=link or "/notifications/", status_code=303)
