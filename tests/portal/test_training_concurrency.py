"""Many staff registering at once for the last places: never more registered than the capacity, the rest waiting.

Runs on whichever engine the test run uses (SQLite by default; PORTAL_TEST_ENGINE=postgres for PostgreSQL).
"""

from __future__ import annotations

import asyncio

from tests.factories import make_training_event

PEOPLE = 40
CAPACITY = 7


async def test_concurrent_registrations_never_overbook(client, make_org, make_user):
    from portal.db.tables import TrainingEvent, TrainingRegistration
    from portal.training import registration

    org = await make_org(name="Organiser")
    event_id = await make_training_event([org], capacity=CAPACITY)
    people = [await registration.staff_person(await make_user(f"staff{n}", "counsellor")) for n in range(PEOPLE)]

    results = await asyncio.gather(*(registration.register(event_id, person) for person in people))

    statuses = [r.status for r in results]
    assert statuses.count("registered") == CAPACITY
    assert statuses.count("waitlisted") == PEOPLE - CAPACITY
    event = await TrainingEvent.select(TrainingEvent.places_taken).where(TrainingEvent.id == event_id).first()
    assert event["places_taken"] == CAPACITY
    registered = await TrainingRegistration.count().where(
        (TrainingRegistration.event == event_id) & (TrainingRegistration.status == "registered")
    )
    assert registered == CAPACITY
    # Everyone waiting has a distinct place in the queue, 1..n.
    positions = sorted([r.position for r in results if r.status == "waitlisted"])
    assert len(positions) == PEOPLE - CAPACITY and positions[0] == 1


async def test_concurrent_cancellations_promote_exactly_as_many_as_freed(client, make_org, make_user):
    from portal.db.tables import TrainingEvent, TrainingRegistration
    from portal.training import registration

    org = await make_org(name="Organiser")
    event_id = await make_training_event([org], capacity=CAPACITY)
    people = [await registration.staff_person(await make_user(f"staff{n}", "counsellor")) for n in range(20)]
    results = [await registration.register(event_id, person) for person in people]
    placed = [r.id for r in results if r.status == "registered"]

    # Half the registered cancel while the rest of the waiting list also cancels and others register.
    waiting = [r.id for r in results if r.status == "waitlisted"]
    newcomers = [await registration.staff_person(await make_user(f"late{n}", "counsellor")) for n in range(10)]
    await asyncio.gather(
        *(registration.cancel(rid) for rid in placed[:3]),
        *(registration.cancel(rid) for rid in waiting[-3:]),
        *(registration.register(event_id, person) for person in newcomers),
    )

    event = await TrainingEvent.select(TrainingEvent.places_taken).where(TrainingEvent.id == event_id).first()
    registered = await TrainingRegistration.count().where(
        (TrainingRegistration.event == event_id) & (TrainingRegistration.status == "registered")
    )
    assert event["places_taken"] == registered == CAPACITY
    # The first still waiting took the freed places (ordered waiting list), not the newcomers.
    rows = await TrainingRegistration.select(TrainingRegistration.id, TrainingRegistration.status).where(
        TrainingRegistration.id.is_in(waiting[:3])
    )
    assert {row["status"] for row in rows} == {"registered"}


async def test_concurrent_http_registrations_never_overbook(client, make_org, make_user):
    """The same through the web: separate sessions post at once."""
    import httpx

    from portal.db.tables import TrainingEvent
    from tests.fixtures import login

    org = await make_org(name="Organiser")
    event_id = await make_training_event([org], capacity=3)
    clients = []
    for n in range(12):
        await make_user(f"web{n}", "counsellor")
        other = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
        await login(other, f"web{n}")
        clients.append(other)

    async def register(c: httpx.AsyncClient) -> str:
        from tests.fixtures import csrf_token

        token = await csrf_token(c, "/")
        response = await c.post(f"/training/events/{event_id}/register", data={"_csrf_token": token})
        return response.headers["location"].split("notice=")[1].split("#")[0]

    try:
        notices = await asyncio.gather(*(register(c) for c in clients))
    finally:
        for c in clients:
            await c.aclose()
    assert notices.count("registered") == 3 and notices.count("waitlisted") == 9
    event = await TrainingEvent.select(TrainingEvent.places_taken).where(TrainingEvent.id == event_id).first()
    assert event["places_taken"] == 3


async def test_a_double_click_registers_once(client, make_org, make_user):
    from portal.db.tables import TrainingEvent, TrainingRegistration
    from portal.training import registration

    org = await make_org(name="Organiser")
    event_id = await make_training_event([org], capacity=5)
    person = await registration.staff_person(await make_user("quick", "counsellor"))

    async def attempt() -> str:
        try:
            return (await registration.register(event_id, person)).status
        except registration.Refused as refused:
            return refused.code

    outcomes = await asyncio.gather(*(attempt() for _ in range(6)))
    assert outcomes.count("registered") == 1 and outcomes.count("duplicate") == 5
    assert await TrainingRegistration.count().where(TrainingRegistration.event == event_id) == 1
    event = await TrainingEvent.select(TrainingEvent.places_taken).where(TrainingEvent.id == event_id).first()
    assert event["places_taken"] == 1


async def test_one_address_posted_at_once_gets_one_place(client, make_org, make_user):
    """The public form checks for a live registration of the address first; the index settles a race of posts."""
    from portal.db.tables import TrainingRegistration
    from portal.training import registration

    org = await make_org(name="Organiser")
    event_id = await make_training_event([org], capacity=5)
    person = {"name": "Maja Zunanja", "email": "maja@example.org", "organisation_name": "Društvo", "language": ""}
    results = await asyncio.gather(
        *(registration.register(event_id, dict(person)) for _ in range(6)), return_exceptions=True
    )
    assert sum(1 for r in results if isinstance(r, registration.Registered)) == 1
    assert all(
        isinstance(r, registration.Refused) and r.code == "duplicate"
        for r in results
        if not isinstance(r, registration.Registered)
    )
    assert await TrainingRegistration.count().where(TrainingRegistration.event == event_id) == 1
