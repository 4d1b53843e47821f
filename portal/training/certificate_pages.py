"""Certificates, competence records and the coordinators' view of who has been trained, against the target.

Who sees what: a certificate is for its attendee, the coordinators and administrators, and the
members of the event's organising organisations; a competence record for its owner and the
coordinators; the trained-staff pages for coordinators only. Reads of another person's record are
audited; counts of people are rounded to the nearest five and a small one is shown as "fewer than 5",
as on the indicators pages (portal.disclosure.rounded).
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Template

from portal.auth.guards import network_manager, signed_in_user
from portal.organisations.params import PageNumber, RecordId
from portal.training import record_view
from portal.training.view import NotAllowed, NotFound
from portal.web.client import client_address
from portal.web.templating import render


class CertificatePages(Controller):
    path = "/training/registrations"
    include_in_schema = False

    @get("/{registration_id:int}/certificate.pdf", name="training:certificate")
    async def certificate(self, request: Request, registration_id: RecordId) -> Response[bytes]:
        """The certificate as a PDF download; 404 for a registration without one, 403 for someone else's."""
        try:
            found = await record_view.certificate_file(
                signed_in_user(request), client_address(request), registration_id
            )
        except NotFound as exc:
            raise NotFoundException() from exc
        except NotAllowed as exc:
            raise PermissionDeniedException(str(exc)) from exc
        return Response(
            content=found.body,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{found.file_name}"',
                "Cache-Control": "private, no-store",
            },
        )


class CompetencePages(Controller):
    path = "/account/training"
    include_in_schema = False

    @get("/", name="training:my-record")
    async def mine(self, request: Request) -> Template:
        """The user's own competence record."""
        found = await record_view.own_record(signed_in_user(request))
        return render(request, "training/competence.html", found.template_context())


class TrainedPages(Controller):
    path = "/training"
    include_in_schema = False
    guards = [network_manager]

    @get("/staff/{user_id:int}", name="training:staff-record")
    async def staff_record(self, request: Request, user_id: RecordId) -> Template:
        """Any staff member's competence record, for coordinators (audited)."""
        try:
            found = await record_view.staff_record(signed_in_user(request), client_address(request), user_id)
        except NotFound as exc:
            raise NotFoundException() from exc
        return render(request, "training/competence.html", found.template_context())

    @get("/trained", name="training:trained")
    async def trained(self, request: Request, page: PageNumber = 1) -> Template:
        """Who has been trained where, against the target, and the indicators over time."""
        found = await record_view.trained_view(page)
        return render(request, "training/trained.html", found.template_context(), block="institutions")

    @get("/trained/staff", name="training:trained-staff")
    async def trained_staff(self, request: Request, page: PageNumber = 1) -> Template:
        """The staff members who completed a module, by name, a page at a time (audited as reads of their records)."""
        found = await record_view.trained_staff_view(signed_in_user(request), client_address(request), page)
        return render(request, "training/trained_staff.html", found.template_context(), block="people")
