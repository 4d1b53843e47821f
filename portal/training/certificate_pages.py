"""Certificates, competence records and the coordinators' view of who has been trained, against the target.

Who sees what: a certificate is for its attendee, the coordinators and administrators, and the
members of the event's organising organisations; a competence record for its owner and the
coordinators; the trained-staff pages for coordinators only. Reads of another person's record are
audited; counts of people in a small group are shown as "fewer than 5" (portal.disclosure).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Template

from portal.audit import services as audit
from portal.auth.guards import network_manager, signed_in_user
from portal.disclosure import shown
from portal.organisations.kinds import COUNTRIES, ORGANISATION_KINDS
from portal.organisations.params import PageNumber, RecordId
from portal.training import certificates, competence, indicators
from portal.training.kinds import LOCAL_ZONE
from portal.web.client import client_address
from portal.web.templating import render


class CertificatePages(Controller):
    path = "/training/registrations"
    include_in_schema = False

    @get("/{registration_id:int}/certificate.pdf", name="training:certificate")
    async def certificate(self, request: Request, registration_id: RecordId) -> Response[bytes]:
        """The certificate as a PDF download; 404 for a registration without one, 403 for someone else's."""
        user = signed_in_user(request)
        try:
            found = await certificates.certificate_for(registration_id, user)
        except certificates.NotFound as exc:
            raise NotFoundException() from exc
        except certificates.Refused as exc:
            raise PermissionDeniedException("not your certificate") from exc
        if found.user_id != user.id:
            await audit.record(
                user, client_address(request), "read", "training_registration", registration_id, "certificate"
            )
        body = certificates.render_pdf(found)
        return Response(
            content=body,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="certificate-{certificates.number(found)}.pdf"',
                "Cache-Control": "private, no-store",
            },
        )


def _context(**values: Any) -> dict[str, Any]:
    return {"kinds": ORGANISATION_KINDS, "countries": COUNTRIES, "local_zone": LOCAL_ZONE, "shown": shown, **values}


class CompetencePages(Controller):
    path = "/account/training"
    include_in_schema = False

    @get("/", name="training:my-record")
    async def mine(self, request: Request) -> Template:
        """The user's own competence record."""
        user = signed_in_user(request)
        person = await competence.staff_member(user.id)
        context = _context(person=person, record=await competence.record(user.id), own=True)
        return render(request, "training/competence.html", context)


class TrainedPages(Controller):
    path = "/training"
    include_in_schema = False
    guards = [network_manager]

    @get("/staff/{user_id:int}", name="training:staff-record")
    async def staff_record(self, request: Request, user_id: RecordId) -> Template:
        """Any staff member's competence record, for coordinators (audited)."""
        try:
            person = await competence.staff_member(user_id)
        except competence.NotFound as exc:
            raise NotFoundException() from exc
        await audit.record(
            signed_in_user(request), client_address(request), "read", "user", user_id, "competence record"
        )
        context = _context(person=person, record=await competence.record(user_id), own=False)
        return render(request, "training/competence.html", context)

    @get("/trained", name="training:trained")
    async def trained(self, request: Request, page: PageNumber = 1) -> Template:
        """Who has been trained where, against the target, and the indicators over time."""
        total = await indicators.trained_total()
        target = await indicators.target()
        context = _context(
            total=total,
            target=target,
            progress=min(100, round(100 * total / target["value"])) if target["value"] else 0,
            regions=await indicators.by_region(),
            institutions=await indicators.by_institution(page),
            months=await indicators.over_time(indicators.last_months()),
        )
        return render(request, "training/trained.html", context, block="institutions")

    @get("/trained/staff", name="training:trained-staff")
    async def trained_staff(self, request: Request, page: PageNumber = 1) -> Template:
        """The staff members who completed a module, by name, a page at a time (audited as reads of their records)."""
        result = await indicators.trained_staff(page)
        await audit.record_many(
            signed_in_user(request),
            client_address(request),
            "read",
            "user",
            [row["id"] for row in result.items],
            "trained staff list",
        )
        return render(request, "training/trained_staff.html", _context(result=result), block="people")
