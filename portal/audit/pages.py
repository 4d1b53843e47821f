"""The audit log for administrators: browse and filter, never change."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get
from litestar.response import Template

from portal.audit import services
from portal.audit.labels import ACTIONS, RECORD_TYPES, detail_label
from portal.auth.guards import admin_only
from portal.organisations.params import Filter, PageNumber, is_record_id
from portal.web.templating import render


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


class AuditPages(Controller):
    path = "/audit"
    include_in_schema = False
    guards = [admin_only]

    @get("/", name="audit:list")
    async def log(
        self,
        request: Request,
        username: Filter = "",
        action: Filter = "",
        record_type: Filter = "",
        record_id: Filter = "",
        since: Filter = "",
        until: Filter = "",
        page: PageNumber = 1,
    ) -> Template:
        filters = services.AuditFilters(
            username=username,
            action=action,
            record_type=record_type,
            record_id=int(record_id) if is_record_id(record_id) else None,
            since=_date(since),
            until=_date(until),
        )
        result = await services.search(filters, page)
        context = {
            "filters": filters,
            "result": result,
            "actions": ACTIONS,
            "record_types": RECORD_TYPES,
            "detail_label": detail_label,
            "raw": {"since": since, "until": until, "record_id": record_id},
        }
        return render(request, "audit/list.html", context, block="results")
