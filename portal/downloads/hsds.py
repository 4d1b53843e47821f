"""The directory in the Human Services Data Specification (HSDS 3.0, Open Referral): CSV tables and a datapackage.json.

Tables: organizations (every organisation), locations (each organisation's place, and the place
of an opportunity held elsewhere), addresses (where a street address and postcode are known),
phones, contacts (the contact person; only for readers who may see contact persons), services
(open opportunities) and service_at_location. The field names, their order and the package
description come from HSDS's own tabular package (``hsds_tables.json``, CC BY-SA 4.0, the
Open Referral project). Ids are UUIDs derived from the portal's ids (uuid5), so the same record
keeps its id from one export to the next. Rows are read in batches by id.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import functools
import json
import os
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Any, TextIO

from portal.clock import utc_now
from portal.db.tables import Opportunity, Organisation
from portal.downloads.directory import organisation_batches
from portal.downloads.tables import BATCH
from portal.organisations.kinds import ORGANISATION_KINDS

NAMESPACE = uuid.UUID("6f0b6a38-1c55-4c1f-9a43-6b0f3f6f2a10")  # the portal's; never change it: ids would change
TABLES = ("organization", "location", "address", "phone", "contact", "service", "service_at_location")


@functools.cache
def package() -> dict[str, Any]:
    return json.loads((Path(__file__).with_name("hsds_tables.json")).read_text(encoding="utf-8"))


@functools.cache
def fields(table: str) -> tuple[str, ...]:
    resource = next(r for r in package()["resources"] if r["name"] == table)
    return tuple(field["name"] for field in resource["schema"]["fields"])


def path_of(table: str) -> str:
    return next(r["path"] for r in package()["resources"] if r["name"] == table)


def hsds_id(kind: str, record_id: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{record_id}"))


def _timestamp(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(value: float | None) -> str:
    return "" if value is None else repr(float(value))


class _Writers:
    """One CSV file per table in ``directory``, each with HSDS's header."""

    def __init__(self, directory: Path) -> None:
        self.files: dict[str, TextIO] = {}
        self.writers: dict[str, csv.DictWriter] = {}
        self.counts = dict.fromkeys(TABLES, 0)
        for table in TABLES:
            handle = (directory / path_of(table)).open("w", encoding="utf-8", newline="")
            self.files[table] = handle
            self.writers[table] = csv.DictWriter(handle, fieldnames=fields(table), lineterminator="\r\n")
            self.writers[table].writeheader()

    def write(self, table: str, row: dict[str, Any]) -> None:
        self.writers[table].writerow({name: row.get(name, "") for name in fields(table)})
        self.counts[table] += 1

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


def _organisation_rows(out: _Writers, org: dict[str, Any], base_url: str, contact_persons: bool) -> None:
    org_id, location_id = hsds_id("organisation", org["id"]), hsds_id("location", org["id"])
    kind = str(ORGANISATION_KINDS.get(org["kind"], org["kind"]))
    place = ", ".join(part for part in (org["municipality"], org["region"]) if part)
    out.write(
        "organization",
        {
            "id": org_id,
            "name": org["name"],
            # HSDS requires a description: the kind and place stand in when the organisation gave none.
            "description": org["description"].strip() or f"{kind}, {place}",
            "email": org["email"],
            "website": org["website"],
            "tax_id": org["registry_id"],
            "uri": f"{base_url}/organisations/{org['id']}",
        },
    )
    out.write(
        "location",
        {
            "id": location_id,
            "location_type": "physical",
            "organization_id": org_id,
            "name": org["name"],
            "description": place,
            "latitude": _number(org["latitude"]),
            "longitude": _number(org["longitude"]),
        },
    )
    if org["address"].strip() and org["postcode"].strip() and org["municipality"]:
        out.write(
            "address",
            {
                "id": hsds_id("address", org["id"]),
                "location_id": location_id,
                "address_1": org["address"],
                "city": org["municipality"],
                "state_province": org["region"],
                "postal_code": org["postcode"],
                "country": org["country"],
                "address_type": "physical",
            },
        )
    if org["phone"].strip():
        out.write(
            "phone",
            {"id": hsds_id("phone", org["id"]), "organization_id": org_id, "number": org["phone"], "type": "voice"},
        )
    if contact_persons and org["contact_person"].strip():
        out.write(
            "contact",
            {
                "id": hsds_id("contact", org["id"]),
                "organization_id": org_id,
                "location_id": location_id,
                "name": org["contact_person"],
                "email": org["email"],
            },
        )


def _service_rows(out: _Writers, opp: dict[str, Any], base_url: str) -> None:
    service_id = hsds_id("service", opp["id"])
    org_id = hsds_id("organisation", opp["organisation"])
    here = (opp["latitude"], opp["longitude"])
    at_home = here == (opp["org_latitude"], opp["org_longitude"]) or opp["latitude"] is None
    location_id = hsds_id("location", opp["organisation"]) if at_home else hsds_id("opportunity-location", opp["id"])
    if not at_home:
        out.write(
            "location",
            {
                "id": location_id,
                "location_type": "physical",
                "organization_id": org_id,
                "name": opp["title"],
                "description": ", ".join(part for part in (opp["municipality"], opp["region"]) if part),
                "latitude": _number(opp["latitude"]),
                "longitude": _number(opp["longitude"]),
            },
        )
    out.write(
        "service",
        {
            "id": service_id,
            "organization_id": org_id,
            "name": opp["title"],
            "description": opp["description"],
            "url": f"{base_url}/opportunities/{opp['id']}",
            "status": "active",
            "last_modified": _timestamp(opp["updated_at"]),
        },
    )
    out.write(
        "service_at_location",
        {"id": hsds_id("service-at-location", opp["id"]), "service_id": service_id, "location_id": location_id},
    )


_ORG_COLUMNS = tuple(
    getattr(Organisation, name)
    for name in (
        "id", "name", "kind", "country", "region", "municipality", "address", "postcode", "latitude", "longitude",
        "email", "phone", "website", "contact_person", "description", "registry_id",
    )
)  # fmt: skip


async def _open_opportunities() -> Any:
    last = 0
    while True:
        rows = (
            await Opportunity.select(
                Opportunity.id,
                Opportunity.organisation,
                Opportunity.title,
                Opportunity.description,
                Opportunity.region,
                Opportunity.municipality,
                Opportunity.latitude,
                Opportunity.longitude,
                Opportunity.updated_at,
                Opportunity.organisation.latitude.as_alias("org_latitude"),
                Opportunity.organisation.longitude.as_alias("org_longitude"),
            )
            .where((Opportunity.id > last) & (Opportunity.status == "open"))
            .order_by(Opportunity.id)
            .limit(BATCH)
        )
        if not rows:
            return
        last = rows[-1]["id"]
        yield rows


async def write_package(directory: Path, base_url: str, contact_persons: bool) -> dict[str, int]:
    """Write the CSV tables and datapackage.json into ``directory``; return the rows written per table."""
    directory.mkdir(parents=True, exist_ok=True)
    out = _Writers(directory)
    try:
        async for batch in organisation_batches([], _ORG_COLUMNS):
            for org in batch:
                _organisation_rows(out, org, base_url, contact_persons)
        async for batch in _open_opportunities():
            for opp in batch:
                _service_rows(out, opp, base_url)
    finally:
        out.close()
    description = {
        **package(),
        "name": "activation-portal-directory",
        "title": "Directory of the social activation partner network (HSDS 3.0)",
        "created": _timestamp(utc_now()),
    }
    (directory / "datapackage.json").write_text(json.dumps(description, ensure_ascii=False, indent=1), "utf-8")
    return out.counts


async def build_zip(base_url: str, contact_persons: bool) -> str:
    """The package as a new temporary ZIP file; its path (the caller removes it)."""
    handle, archive = tempfile.mkstemp(suffix=".zip", prefix="portal-hsds-")
    os.close(handle)
    try:
        with tempfile.TemporaryDirectory(prefix="portal-hsds-") as folder:
            await write_package(Path(folder), base_url, contact_persons)
            names = ["datapackage.json", *(path_of(table) for table in TABLES)]

            def pack() -> None:
                with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
                    for name in names:
                        zipped.write(Path(folder) / name, arcname=name)

            await asyncio.to_thread(pack)
    except BaseException:
        os.unlink(archive)
        raise
    return archive
