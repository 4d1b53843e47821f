"""Builds an allocation round, ready to send or caught in ``sending``, in the database PORTAL_DATABASE_URL names.

Run as ``python -m tests.faults.sending_round PEOPLE [ready|sending]`` by the fault tests, in their
throwaway database: PEOPLE people at stage activation, each with a placed proposal, over three open
opportunities with room for all of them, and no referral yet; a coordinator "coord" (password
"secret-pass-123"). Prints the round's id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys

# Not tests.fixtures: importing it (through tests.conftest) would point this process at the test database.
ORGANISATION = {
    "kind": "social_enterprise",
    "country": "SI",
    "region": "Podravska",
    "municipality": "Ptuj",
    "address": "Testna ulica 1",
    "postcode": "2250",
    "latitude": None,
    "longitude": None,
    "languages": "sl",
    "email": "info@test.example.org",
    "phone": "",
    "website": "",
    "contact_person": "",
    "description": "",
    "registry_id": "",
}


async def build(people: int, status: str = "sending") -> int:
    from portal.auth.accounts import create_user
    from portal.db.tables import AllocationProposal, AllocationRound, Organisation, Participant
    from portal.organisations import services as organisations
    from tests.factories import make_opportunity

    now = dt.datetime.now(dt.UTC)
    centre = await organisations.create_organisation({**ORGANISATION, "name": "Centre", "kind": "social_work_centre"})
    host = await organisations.create_organisation({**ORGANISATION, "name": "Repair cooperative"})
    slug = (await Organisation.select(Organisation.slug).where(Organisation.id == centre).first())["slug"]
    counsellor = await create_user("ana", "secret-pass-123", "counsellor", slug)
    coordinator = await create_user("coord", "secret-pass-123", "coordinator", slug)
    places = []
    for n in range(3):
        places.append(
            await make_opportunity(
                host,
                counsellor,
                capacity=people // 3 + 2,
                title=f"Workshop place {n}",
                latitude=None,
                longitude=None,
                support_offered="",
            )
        )
    round_rows = await AllocationRound.insert(
        AllocationRound(
            name="Spring intake",
            method="stable",
            criteria=json.dumps({"stage": "activation"}),
            status=status,
            progress=100,
            report=json.dumps(
                {"sending": {"sent": 0, "refused": [], "message": "Welcome", "address": "127.0.0.1"}}
                if status == "sending"
                else {"places": people + 6, "opportunities": 3}
            ),
            error="",
            run_by=coordinator,
            started_at=now,
            finished_at=now,
            sent_by=coordinator if status == "sending" else None,
            sent_at=now if status == "sending" else None,
        )
    )
    round_id = round_rows[0]["id"]
    for n in range(people):
        rows = await Participant.insert(
            Participant(
                code=f"FT-{n:04d}",
                first_name="Test",
                last_name=f"Person {n}",
                birth_year=1980,
                phone="",
                email="",
                address="",
                organisation=centre,
                lead_counsellor=counsellor,
                region="Podravska",
                municipality="Ptuj",
                languages="sl",
                education_level="primary",
                skills="[]",
                interests="reuse_repair",
                support_needs="",
                stage="activation",
                support_level="",
                created_at=now,
                updated_at=now,
            )
        )
        await AllocationProposal.insert(
            AllocationProposal(
                allocation_round=round_id,
                participant=rows[0]["id"],
                opportunity=places[n % 3],
                computed_opportunity=places[n % 3],
                rank=1,
                score=0.9,
                explanation="{}",
            )
        )
    return round_id


if __name__ == "__main__":
    print(asyncio.run(build(int(sys.argv[1]), *sys.argv[2:3])))
