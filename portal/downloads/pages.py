"""Download routes: the directory (CSV, XLSX, HSDS), a user's caseload and referrals inbox, the network.

Who may download what is who may see it on the page it comes from: the directory is public (contact
persons only for logged-in readers, as on its pages); the caseload for counsellors and enterprise
users on case teams, their own cases only; the inbox for the host roles, their organisation's
referrals only; the network for every logged-in user, as the network page. Each person in a caseload
or inbox download is audited as an ``export``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import File, Stream

from portal.audit import services as audit
from portal.auth.guards import current_user, login_required, roles_allowed
from portal.auth.roles import COUNSELLOR, ENTERPRISE
from portal.cases.services import CaseloadFilters
from portal.downloads import caseload, directory, hsds, network, tables
from portal.i18n import gettext as _
from portal.organisations.params import Filter
from portal.organisations.services import DirectoryFilters
from portal.referrals.pages import HOST_ROLES
from portal.settings import get_settings

TableFormat = Annotated[Literal["csv", "xlsx"], QueryParameter(description="csv or xlsx")]
NetworkFormat = Annotated[Literal["graphml", "gexf", "json", "xlsx"], QueryParameter(description="File format.")]


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
    async def export_hsds(self, request: Request) -> File:
        """The whole directory as HSDS 3.0 tables (Open Referral) in a ZIP with its datapackage.json."""
        archive = await hsds.recent_zip(get_settings().public_url, contact_persons=current_user(request) is not None)
        return File(
            path=archive,
            filename=f"directory-hsds-{_today()}.zip",
            media_type=tables.MEDIA_TYPES["zip"],
            content_disposition_type="attachment",
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
        user = current_user(request)
        filters = CaseloadFilters(q=q, stage=stage, support_level=support_level, region=region, overdue=overdue)

        async def audited(ids: list[int]) -> None:
            await audit.record_many(request, user, "export", "participant", ids, f"caseload download ({format})")

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
        user = current_user(request)

        async def audited(ids: list[int]) -> None:
            await audit.record_many(request, user, "export", "participant", ids, f"referrals inbox download ({format})")

        return await tables.download(
            format,
            f"referrals-{_today()}",
            str(_("Referrals")),
            caseload.referral_header(),
            caseload.referral_rows(user, status, audited),
        )


class NetworkDownloads(Controller):
    path = "/network"
    include_in_schema = False
    guards = [login_required]

    @get("/export", name="network:export")
    async def export(self, format: NetworkFormat = "graphml") -> File:
        """The whole network (organisations and ties) in GraphML, GEXF, JSON or the two-sheet XLSX."""
        path = await network.export_file(format)
        suffix, media_type = network.FORMATS[format]
        return tables.temporary_file(path, f"network-{_today()}.{suffix}", media_type)
