"""Fixtures (a pytest plugin, see tests/conftest.py): a network with a thin spot, Ormož, where people need transport
and childcare-compatible hours and no place offers them; for the needs and plan tests."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.db.tables import Participant
from portal.network import jobs, services
from tests.factories import make_opportunity

PTUJ = (46.42, 15.87)
ORMOZ = (46.41, 16.15)


@pytest.fixture
async def no_leftover_runs():
    jobs._state.dirty = False
    services._cache["latest"] = None
    yield
    await jobs.wait()
    jobs._state.dirty = False


async def _participant(org: int, lead: int, number: int, *, where, municipality, needs="", languages="sl", travel=20):
    now = dt.datetime.now(dt.UTC)
    await Participant.insert(
        Participant(
            code=f"T-{number:04d}",
            first_name="Test",
            last_name=f"Person {number}",
            birth_year=1980,
            organisation=org,
            lead_counsellor=lead,
            region="Podravska",
            municipality=municipality,
            latitude=where[0],
            longitude=where[1],
            languages=languages,
            skills="[]",
            interests="reuse_repair",
            travel_km=travel,
            support_needs=needs,
            stage="activation",
            created_at=now,
            updated_at=now,
        )
    )


@pytest.fixture
async def thin_spot(make_org, make_user):
    """Ptuj has places (mentor, Slovene); Ormož, 21 km away, has people needing transport and childcare hours."""
    csd = await make_org(
        name="CSD Ormož", kind="social_work_centre", municipality="Ormož", latitude=ORMOZ[0], longitude=ORMOZ[1]
    )
    host = await make_org(name="Zadruga Ptuj", kind="social_enterprise", latitude=PTUJ[0], longitude=PTUJ[1])
    near = await make_org(name="Društvo Ormož", kind="ngo", municipality="Ormož", latitude=46.408, longitude=16.14)
    counsellor = await make_user("svetovalka", "counsellor", organisation_id=csd)
    await make_user("coord", "coordinator", organisation_id=csd)
    await make_opportunity(host, counsellor, capacity=10, support_offered="mentor", languages="sl")
    await make_opportunity(host, counsellor, capacity=2, places_taken=2, support_offered="transport", languages="sl")
    number = 0
    groups = [
        (12, PTUJ, "Ptuj", "", "sl", 20),  # served
        (7, ORMOZ, "Ormož", "transport,childcare_compatible", "sl", 15),  # nothing in reach
        (6, PTUJ, "Ptuj", "transport", "sl", 20),  # the transport place is full
        (2, PTUJ, "Ptuj", "", "hr", 20),  # no place in their language
        (5, ORMOZ, "Ormož", "", "sl,hr", 30),  # served: Ptuj is within 30 km
    ]
    for count, where, municipality, needs, languages, travel in groups:
        for _ in range(count):
            number += 1
            await _participant(
                csd,
                counsellor,
                number,
                where=where,
                municipality=municipality,
                needs=needs,
                languages=languages,
                travel=travel,
            )
    return {"near": near, "host": host}


async def stored_network(organisations: int) -> dict[str, int]:
    """A snapshot of a generated network, stored as the job would: a chain of organisations, every
    fifth one also tied to the first (a hub), half of them in Croatia. Names by number."""
    orgs = [
        {
            "id": n,
            "name": f"Zadruga Čakovec {n}" if n % 2 else f"Društvo Ptuj {n}",
            "kind": "social_enterprise" if n % 2 else "ngo",
            "country": "HR" if n % 2 else "SI",
            "region": "Međimurska županija" if n % 2 else "Podravska",
            "municipality": "Čakovec" if n % 2 else "Ptuj",
            "latitude": None,
            "longitude": None,
        }
        for n in range(1, organisations + 1)
    ]
    pairs = [(n, n + 1) for n in range(1, organisations)] + [(1, n) for n in range(6, organisations + 1, 5)]
    ties = [
        {
            "since": None,
            "until": None,
            "strength": 3,
            "note": "",
            "id": i,
            "source": s,
            "target": t,
            "kind": "funding" if t % 5 == 1 else "cooperation",
        }
        for i, (s, t) in enumerate(pairs, 1)
    ]
    records = services.Records(organisations=orgs, relationships=ties, flows=[], demand=[], places=[])
    run_id = await services.start_run()
    await services.finish_run(run_id, services.compute_all(records))
    return {"hub": 1, "end": organisations}
