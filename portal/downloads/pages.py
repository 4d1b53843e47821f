"""Download routes built in the request (bounded lists): the directory, a user's caseload and referrals inbox.

Who may download what is who may see it on the page it comes from: the directory is public (contact
persons only for logged-in readers, as on its pages); the caseload for counsellors and enterprise
users on case teams, their own cases only; the inbox for the host roles, their organisation's
referrals only. Each person in a caseload or inbox download is audited as an ``export``. The whole
directory as HSDS and the network files are built by a job (portal.downloads.export_pages); the
public HSDS download serves the newest such file built for the public, never builds one in the request.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import File, Stream, Template

from portal.audit import services as audit
from portal.auth.guards import current_user, roles_allowed, signed_in_user
from portal.auth.roles import COUNSELLOR, ENTERPRISE
from portal.cases.services import CaseloadFilters
from portal.downloads import caseload, directory, exports, tables
from portal.i18n import gettext as _
from portal.organisations.params import Filter
from portal.organisations.services import DirectoryFilters
from portal.referrals.view import HOST_ROLES
from portal.web.client import client_address
from portal.web.templating import render

TableFormat = Annotated[Literal["csv", "xlsx"], QueryParameter(description="csv or xlsx")]


def _today() -> str:
    return dt.date.today().isoformat()


class DirectoryDownloads(Controller):
    path = "/organisations"
    include_in_schema = False

    @get("/export", name="organisations:export", opt={"access": "public"})
    async def export(
        self,
        request: Request,
        format: TableFormat = "csv",
        q: Filter = "",
        kind: Filter = "",
        country: Filter = "",
        region: Filter = "",
        municipality: Filter = "",
    ) -> Stream | File:
        """The organisations the directory lists for the same filters, every page of them."""
        filters = DirectoryFilters(q=q.strip(), kind=kind, country=country, region=region, municipality=municipality)
        members = current_user(request) is not None
        return await tables.download(
            format,
            f"organisations-{_today()}",
            str(_("Organisations")),
            directory.header(members),
            directory.rows(filters, members),
        )

    @get("/export.hsds.zip", name="organisations:export_hsds", opt={"access": "public"})
    async def export_hsds(self, request: Request) -> Stream | Template:
        """The whole directory as HSDS 3.0 tables (Open Referral), as anyone may read it: the newest copy a
        scheduled job (or a coordinator) had built for the public (no contact persons), read from the database a piece
        at a time."""
        newest = await exports.newest_public()
        if newest is None:
            context = {
                "title": _("The directory export is not ready"),
                "status_code": 404,
                "message": _(
                    "The directory export is not available right now; try again later. "
                    "It is built by itself when there is none and rebuilt every night."
                ),
            }
            return render(request, "error.html", context, status_code=404)
        headers = {**tables.attachment(newest["filename"]), "Content-Length": str(newest["size"])}
        return Stream(
            content=exports.chunks(newest["id"], newest["size"]), media_type="application/zip", headers=headers
        )


class CaseloadDownloads(Controller):
    path = "/cases"
    include_in_schema = False
    guards = [roles_allowed(COUNSELLOR, ENTERPRISE)]

    @get("/export", name="cases:export_list")
    async def export(
        self,
        request: Request,
        format: TableFormat = "csv",
        q: Filter = "",
        stage: Filter = "",
        support_level: Filter = "",
        region: Filter = "",
        overdue: Annotated[bool, QueryParameter()] = False,
    ) -> Stream | File:
        """The caseload with the list's filters, by case code; every case written is audited."""
        user = signed_in_user(request)
        filters = CaseloadFilters(q=q, stage=stage, support_level=support_level, region=region, overdue=overdue)

        async def audited(ids: list[int]) -> None:
            await audit.record_many(
                user, client_address(request), "export", "participant", ids, f"caseload download ({format})"
            )

        return await tables.download(
            format,
            f"caseload-{_today()}",
            str(_("Caseload")),
            caseload.case_header(),
            caseload.case_rows(user, filters, audited),
        )


class ReferralDownloads(Controller):
    path = "/referrals"
    include_in_schema = False
    guards = [roles_allowed(*HOST_ROLES)]

    @get("/inbox/export", name="referrals:export_inbox")
    async def export(self, request: Request, format: TableFormat = "csv", status: Filter = "") -> Stream | File:
        """The organisation's referrals inbox with its status filter; each person written is audited."""
        user = signed_in_user(request)

        async def audited(ids: list[int]) -> None:
            await audit.record_many(
                user, client_address(request), "export", "participant", ids, f"referrals inbox download ({format})"
            )

        return await tables.download(
            format,
            f"referrals-{_today()}",
            str(_("Referrals")),
            caseload.referral_header(),
            caseload.referral_rows(user, status, audited),
        )
