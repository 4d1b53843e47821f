"""Opening a notification: marks it read and goes where it points."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Redirect

from portal.auth.guards import current_user, login_required
from portal.organisations.params import RecordId
from portal.referrals import notify


class NotificationOpenPages(Controller):
    path = "/notifications"
    include_in_schema = False
    guards = [login_required]

    @get("/{notification_id:int}/open", name="notifications:open", status_code=303)
    async def open_notification(self, request: Request, notification_id: RecordId) -> Redirect:
        # Someone else's or a missing notification is not revealed: back to the user's own list.
        link = await notify.open_link(current_user(request).id, notification_id)
        return Redirect(path=link or "/notifications/", status_code=303)
