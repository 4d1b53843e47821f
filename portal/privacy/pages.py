"""Pages for data-protection rights: a participant's export and erasure, the retention report, records of processing.

Export and erasure are for the case's lead counsellor and for administrators. Coordinators may
not: they run allocation rounds on pseudonymous codes and read no one's personal record, and an
export holds every personal and special-category field; a person's request goes through their
lead counsellor, or an administrator when the lead is away.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from portal.auth.guards import admin_only, network_manager, roles_allowed, signed_in_user
from portal.auth.roles import ADMIN, COUNSELLOR
from portal.i18n.core import set_language
from portal.organisations.params import RecordId
from portal.privacy import view
from portal.service_errors import NotFound, Refused
from portal.web.client import client_address
from portal.web.context import own_keys
from portal.web.templating import render

LanguageChoice = Annotated[str, QueryParameter(max_length=5)]
CodeQuery = Annotated[str, QueryParameter(max_length=20)]


@contextmanager
def _lead_or_admin() -> Iterator[None]:
    """A 404 when the reader is not on the case (or it does not exist), a 403 when on its team without leading it."""
    try:
        yield
    except NotFound as exc:
        raise NotFoundException() from exc
    except Refused as exc:
        if exc.code != view.LEAD_ONLY:
            raise
        raise PermissionDeniedException("only the lead counsellor or an administrator may do this") from exc


class CasePrivacyPages(Controller):
    path = "/cases/{participant_id:int}"
    include_in_schema = False
    guards = [roles_allowed(ADMIN, COUNSELLOR)]

    @get("/export.json", name="privacy:export_json")
    async def export_json(self, request: Request, participant_id: RecordId) -> Response:
        with _lead_or_admin():
            exported = await view.export_json_view(signed_in_user(request), client_address(request), participant_id)
        return Response(
            content=exported.content,
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="{exported.filename}"',
                "Cache-Control": "no-store",
            },
        )

    @get("/export", name="privacy:export")
    async def export_page(self, request: Request, participant_id: RecordId, language: LanguageChoice = "") -> Template:
        """The same export as a page to read or print, in the person's language unless the reader picks another."""
        with _lead_or_admin():
            page = await view.export_page_view(
                signed_in_user(request), client_address(request), participant_id, language
            )
        set_language(page.language)  # the whole page, navigation included, for the rest of this request
        own_keys(request.scope)["portal_language"] = page.language
        return render(request, "privacy/export.html", page.template_context())

    @get("/erase", name="privacy:erase")
    async def erase_form(self, request: Request, participant_id: RecordId) -> Template:
        with _lead_or_admin():
            page = await view.erase_view(signed_in_user(request), client_address(request), participant_id)
        return render(request, "privacy/erase.html", page.template_context())

    @post("/erase", status_code=303)
    async def erase(self, request: Request, participant_id: RecordId) -> Template | Redirect:
        raw = await request.form()
        form = {key: str(raw.get(key) or "") for key in ("reason", "other_reason", "confirm_code")}
        with _lead_or_admin():
            outcome = await view.erase(signed_in_user(request), client_address(request), participant_id, form)
        if outcome.page is not None:
            page = outcome.page
            return render(request, "privacy/erase.html", page.template_context(), status_code=page.status_code)
        return Redirect(path=outcome.redirect, status_code=303)


class PrivacyAdminPages(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/retention", name="privacy:retention", guards=[admin_only])
    async def retention_report(self, request: Request, code: CodeQuery = "") -> Template:
        """The dry run of the retention job, what comes due next, the settings, and a case finder for requests."""
        page = await view.retention_view(code)
        return render(request, "privacy/retention.html", page.template_context())

    @get("/processing", name="privacy:processing", guards=[network_manager])
    async def records_of_processing(self, request: Request) -> Template:
        return render(request, "privacy/processing.html", view.processing_view().template_context())
