"""Certificates, competence records and who has been trained, in one call each; reads of another's record audited."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.disclosure import rounded
from portal.organisations.kinds import COUNTRIES, ORGANISATION_KINDS
from portal.pagination import Page
from portal.training import certificates, competence, indicators
from portal.training.kinds import LOCAL_ZONE
from portal.training.view import NotAllowed, NotFound


def _context(**values: Any) -> dict[str, Any]:
    return {"kinds": ORGANISATION_KINDS, "countries": COUNTRIES, "local_zone": LOCAL_ZONE, **values}


@dataclass(frozen=True)
class CertificateFile:
    """A certificate as a PDF to download."""

    body: bytes
    file_name: str


async def certificate_file(user: CurrentUser, address: str, registration_id: int) -> CertificateFile:
    """The certificate of a registration that earns one (else NotFound) for its attendee, the coordinators
    and the event's organisers (else NotAllowed); a read of someone else's is audited."""
    try:
        found = await certificates.certificate_for(registration_id, user)
    except certificates.NotFound as exc:
        raise NotFound(registration_id) from exc
    except certificates.Refused as exc:
        raise NotAllowed("not your certificate") from exc
    if found.user_id != user.id:
        await audit.record(user, address, "read", "training_registration", registration_id, "certificate")
    return CertificateFile(
        body=certificates.render_pdf(found), file_name=f"certificate-{certificates.number(found)}.pdf"
    )


@dataclass(frozen=True)
class CompetenceView:
    """A staff member's competence record; ``own`` when they read it themselves."""

    person: competence.StaffMember
    record: competence.CompetenceRecord
    own: bool

    def template_context(self) -> dict[str, Any]:
        """The names ``training/competence.html`` reads."""
        return _context(person=self.person, record=self.record, own=self.own)


async def own_record(user: CurrentUser) -> CompetenceView:
    """``user``'s own competence record."""
    person = await competence.staff_member(user.id)
    return CompetenceView(person=person, record=await competence.record(user.id), own=True)


async def staff_record(user: CurrentUser, address: str, user_id: int) -> CompetenceView:
    """Any staff member's competence record (NotFound when there is no such account); the read is audited."""
    try:
        person = await competence.staff_member(user_id)
    except competence.NotFound as exc:
        raise NotFound(user_id) from exc
    await audit.record(user, address, "read", "user", user_id, "competence record")
    return CompetenceView(person=person, record=await competence.record(user_id), own=False)


@dataclass(frozen=True)
class TrainedView:
    """Staff trained against the target, by region, a page of institutions, and per month.

    Every count of people is as shown (:func:`portal.disclosure.rounded`, as on the indicators pages): None
    for one to four, else rounded to the nearest five, each on its own; institutions, modules and events
    are not people and stay exact.
    """

    total: int | None
    target: indicators.Target
    regions: list[dict[str, Any]]
    institutions: Page
    months: list[dict[str, Any]]

    @property
    def progress(self) -> int:
        """Per cent of the target reached, at most 100, from the rounded total (an exact share would give it back)."""
        return min(100, round(100 * (self.total or 0) / self.target.value)) if self.target.value else 0

    def template_context(self) -> dict[str, Any]:
        """The names ``training/trained.html`` reads."""
        return _context(
            total=self.total,
            target=self.target,
            progress=self.progress,
            regions=self.regions,
            institutions=self.institutions,
            months=self.months,
        )


def _people(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``row`` with its counts of people under ``keys`` as shown."""
    return {**row, **{key: rounded(int(row[key] or 0)) for key in keys}}


async def trained_view(page: int) -> TrainedView:
    """Aggregates only, each count of people rounded (small ones hidden), so nothing to audit."""
    institutions = await indicators.by_institution(page)
    months = await indicators.over_time(indicators.last_months())
    return TrainedView(
        total=rounded(await indicators.trained_total()),
        target=await indicators.target(),
        regions=[_people(row, "people") for row in await indicators.by_region()],
        institutions=dataclasses.replace(institutions, items=[_people(row, "people") for row in institutions.items]),
        months=[_people(month, "attendances", "newly_trained", "trained") for month in months],
    )


@dataclass(frozen=True)
class TrainedStaffView:
    """A page of the staff who completed a module, by name."""

    result: Page

    def template_context(self) -> dict[str, Any]:
        """The names ``training/trained_staff.html`` reads."""
        return _context(result=self.result)


async def trained_staff_view(user: CurrentUser, address: str, page: int) -> TrainedStaffView:
    """A page of trained staff; listed by name, so audited as reads of each one's record."""
    result = await indicators.trained_staff(page)
    ids = [row["id"] for row in result.items]
    await audit.record_many(user, address, "read", "user", ids, "trained staff list")
    return TrainedStaffView(result=result)
