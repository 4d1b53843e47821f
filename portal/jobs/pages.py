"""The admins' jobs page: what is queued, running, failed (with the error) and recently done."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from portal.auth.guards import admin_only
from portal.clock import utc_now
from portal.i18n import gettext as _
from portal.jobs import clock, queue, registry
from portal.web.templating import render

SHOWN = 50  # per list: the newest; the rest stay on the queue


class JobPages(Controller):
    path = "/admin/jobs"
    include_in_schema = False
    guards = [admin_only]

    @get("/", name="jobs:index")
    async def index(self, request: Request) -> Template:
        error = ""
        try:
            found = await queue.overview(SHOWN)
        except Exception as exc:  # noqa: BLE001 (Redis away: say so instead of a 500; the jobs wait in Redis)
            found, error = None, f"{type(exc).__name__}: {exc}"
        context = {
            "found": found,
            "error": error,
            "shown": SHOWN,
            "schedule": [(registry.kind(name), when) for when, name in clock.next_runs(utc_now())],
            "labels": {name: kind.label for name, kind in registry.KINDS.items()},
            "statuses": {
                "new": _("Queued"),
                "queued": _("Queued"),
                "active": _("Running"),
                "aborting": _("Stopping"),
                "complete": _("Done"),
                "failed": _("Failed"),
                "aborted": _("Stopped"),
            },
        }
        return render(request, "jobs/index.html", context)
