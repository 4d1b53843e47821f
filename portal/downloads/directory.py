"""The directory as a table: the organisations the list shows for the same filters, read in batches by id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from portal.db.tables import Organisation
from portal.downloads.tables import BATCH, Batches
from portal.i18n import gettext as _
from portal.organisations.kinds import ORGANISATION_KINDS
from portal.organisations.services import DirectoryFilters
from portal.organisations.services import _where as directory_conditions

_COLUMNS = (
    "id",
    "name",
    "kind",
    "country",
    "region",
    "municipality",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "languages",
    "email",
    "phone",
    "website",
    "registry_id",
    "description",
)
# Visitors who are not logged in never see contact persons, in the list or in a download.
_MEMBER_COLUMNS = ("contact_person",)


def header(members: bool) -> list[str]:
    """Column titles; ``members``: the reader is logged in (or the operator at the shell)."""
    labels = {
        "id": _("Id"),
        "name": _("Name"),
        "kind": _("Kind"),
        "country": _("Country"),
        "region": _("Region or county"),
        "municipality": _("Municipality"),
        "address": _("Address"),
        "postcode": _("Postcode"),
        "latitude": _("Latitude"),
        "longitude": _("Longitude"),
        "languages": _("Languages"),
        "email": _("E-mail"),
        "phone": _("Phone"),
        "website": _("Website"),
        "registry_id": _("Registry id"),
        "description": _("Description"),
        "contact_person": _("Contact person"),
    }
    return [str(labels[name]) for name in _names(members)]


def _names(members: bool) -> tuple[str, ...]:
    return _COLUMNS + (_MEMBER_COLUMNS if members else ())


async def organisation_batches(
    conditions: list[Any], columns: tuple[Any, ...], batch: int = BATCH
) -> AsyncIterator[list[dict[str, Any]]]:
    """Organisations matching ``conditions``, ``batch`` rows at a time in id order (keyset paging)."""
    last = 0
    while True:
        rows = (
            await Organisation.select(*columns)
            .where(Organisation.id > last, *conditions)
            .order_by(Organisation.id)
            .limit(batch)
        )
        if not rows:
            return
        last = rows[-1]["id"]
        yield rows
        if len(rows) < batch:
            return


async def rows(filters: DirectoryFilters, members: bool) -> Batches:
    names = _names(members)
    columns = tuple(getattr(Organisation, name) for name in names)
    async for found in organisation_batches(directory_conditions(filters), columns):
        yield [[str(ORGANISATION_KINDS.get(row[n], row[n])) if n == "kind" else row[n] for n in names] for row in found]
