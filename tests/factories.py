"""Rows for tests, written straight to the tables: opportunities, case files, people as the services see them.

Nothing here imports ``tests.fixtures`` (and through it ``tests.conftest``), so helper scripts that
run in their own process against another database (``tests/faults/sending_round.py``) can use it too.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.db.tables import Opportunity, Participant

PTUJ = (46.42, 15.87)
CAKOVEC = (46.38, 16.43)


def skills_json(*labels: str) -> str:
    """A skills column as the portal stores it: free-text labels without an ESCO address."""
    return json.dumps([{"uri": "", "label": label} for label in labels])


def current_user(user_id: int, username: str, role: str, organisation_id: int | None) -> CurrentUser:
    """The signed-in user a service receives, for calling services without a request."""
    return CurrentUser(user_id, username, username.title(), role, organisation_id, "Test organisation", "en")


def opportunity_values(host_org: int, creator: int, **overrides: Any) -> dict[str, Any]:
    """An open three-place repair work trial in Ptuj; ``overrides`` change any column."""
    now = dt.datetime.now(dt.UTC)
    values: dict[str, Any] = dict(
        organisation=host_org,
        kind="work_trial",
        title="Repair workshop assistant",
        description="Sorting and repair.",
        required_skills="[]",
        optional_skills="[]",
        sector="reuse_repair",
        country="SI",
        region="Podravska",
        municipality="Ptuj",
        latitude=PTUJ[0],
        longitude=PTUJ[1],
        hours_per_week=20,
        capacity=3,
        places_taken=0,
        support_offered="mentor",
        languages="sl",
        status="open",
        search_text="repair",
        created_by=creator,
        created_at=now,
        updated_at=now,
    )
    return {**values, **overrides}


async def make_opportunity(host_org: int, creator: int, capacity: int = 3, **overrides: Any) -> int:
    """Store an opportunity (see ``opportunity_values``) and return its id."""
    rows = await Opportunity.insert(
        Opportunity(**opportunity_values(host_org, creator, capacity=capacity, **overrides))
    )
    return int(rows[0]["id"])


async def make_opportunity_at(
    host_org: int, creator: int, title: str, at: tuple[float, float], **overrides: Any
) -> int:
    """An open place called ``title`` at the coordinates ``at``, without a sector or support, found by its title."""
    return await make_opportunity(
        host_org,
        creator,
        title=title,
        latitude=at[0],
        longitude=at[1],
        description="",
        sector="",
        support_offered="",
        search_text=title.lower(),
        **overrides,
    )


async def make_participant(
    lead: CurrentUser,
    *,
    stage: str = "activation",
    skills: tuple[str, ...] = ("sorting",),
    interests: str = "reuse_repair",
    support_needs: str = "",
    location: tuple[float, float] = PTUJ,
    travel_km: int = 25,
    region: str = "Podravska",
    first_name: str = "Mojca",
) -> int:
    """A case opened by ``lead`` (a counsellor) through the case service, moved to ``stage``."""
    from portal.cases import services as cases

    values = {
        "first_name": first_name,
        "last_name": "Testna",
        "birth_year": 1980,
        "phone": "",
        "email": "",
        "address": "",
        "region": region,
        "municipality": "Ptuj",
        "latitude": location[0],
        "longitude": location[1],
        "languages": "sl",
        "education_level": "primary",
        "skills": skills_json(*skills),
        "interests": interests,
        "hours_per_week": 20,
        "travel_km": travel_km,
        "support_needs": support_needs,
        "available_from": None,
    }
    pid = await cases.create_case(lead, values)
    await Participant.update({Participant.stage: stage}).where(Participant.id == pid)
    return int(pid)


async def make_training_event(organisers: list[int] = (), **overrides: Any) -> int:
    """A published module next month in Čakovec, capacity 30, organised by ``organisers``."""
    from portal.db.tables import TrainingEvent, TrainingEventOrganiser

    starts = overrides.pop("starts_at", dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30))
    values = {
        "kind": "module",
        "title": "Vloga mentorja v socialni aktivaciji",
        "description": "",
        "topics": "mentorstvo",
        "language": "sl",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=7),
        "online": False,
        "online_url": "",
        "place_name": "Centar za socijalnu skrb",
        "municipality": "Čakovec",
        "country": "HR",
        "region": "Međimurska županija",
        "capacity": 30,
        "places_taken": 0,
        "status": "published",
        "created_at": starts,
        "updated_at": starts,
        **overrides,
    }
    rows = await TrainingEvent.insert(TrainingEvent(**values))
    event_id = rows[0]["id"]
    for org in organisers:
        await TrainingEventOrganiser.insert(TrainingEventOrganiser(event=event_id, organisation=org))
    return event_id


async def make_training_registration(
    event_id: int, user_id: int | None, organisation_id: int | None, **overrides: Any
) -> int:
    """A place at ``event_id``; ``attended`` as given (None: not recorded)."""
    from portal.db.tables import TrainingEvent, TrainingRegistration

    values = {
        "event": event_id,
        "user": user_id,
        "organisation": organisation_id,
        "name": "",
        "email": "",
        "organisation_name": "",
        "status": "registered",
        "attended": None,
        "registered_at": dt.datetime.now(dt.UTC),
        "language": "",
        **overrides,
    }
    if values["attended"] is not None and "attendance_recorded_at" not in overrides:
        values["attendance_recorded_at"] = dt.datetime.now(dt.UTC)
    rows = await TrainingRegistration.insert(TrainingRegistration(**values))
    if values["status"] == "registered":
        await TrainingEvent.update({TrainingEvent.places_taken: TrainingEvent.places_taken + 1}).where(
            TrainingEvent.id == event_id
        )
    return rows[0]["id"]
