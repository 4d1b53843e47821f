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
