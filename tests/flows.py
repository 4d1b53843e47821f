"""Steps through HTTP that many tests share: open a case, switch user, refer, take a step, run a round, export, enrol in two-factor."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp

from portal.db.tables import PortalUser, Referral
from tests.factories import current_user, make_opportunity, make_participant, skills_json
from tests.fixtures import login, post_form

# An ESCO address the opportunity form names (tests that load a vocabulary give it the label "cleaning techniques").
CLEAN = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000002"
# A complete, valid new-opportunity form.
OPPORTUNITY_FORM: dict[str, Any] = {
    "title": "Delovni preizkus v šivalnici",
    "kind": "work_trial",
    "sector": "textiles",
    "status": "open",
    "description": "Krojenje in šivanje torb iz odsluženega tekstila.",
    "required_skills": "Work in Teams\nkrojenje",
    "optional_skills": f"cleaning techniques <{CLEAN}>\nteamwork",
    "country": "SI",
    "region": "Podravska",
    "municipality": "Ptuj",
    "hours_per_week": "20",
    "capacity": "3",
    "starts_on": "2026-03-01",
    "ends_on": "2026-08-31",
    "support_offered": ["mentor", "flexible_hours"],
    "languages": ["sl", "hr"],
}

# A complete intake form.
CASE = {
    "first_name": "Mojca",
    "last_name": "Testna",
    "birth_year": "1980",
    "region": "Podravska",
    "municipality": "Ptuj",
    "education_level": "primary",
    "hours_per_week": "20",
    "travel_km": "25",
    "languages": ["sl"],
    "interests": ["reuse_repair"],
    "support_needs": ["mentor"],
    "skills": "sorting\ncleaning",
}
ANSWERS = {
    "months_out_of_work": "gt24",
    "months_social_assistance": "12to36",
    "health": "some",
    "education": "primary",
    "housing": "stable",
    "debt": "arrears",
    "care_duties": "none",
    "motivation": "mixed",
}


async def open_case(client, **overrides) -> int:
    """Open a case through the intake form as the signed-in counsellor; returns its id."""
    response = await post_form(client, "/cases/new", {**CASE, **overrides})
    assert response.status_code == 303, response.text[:800]
    return int(response.headers["location"].rsplit("/", 1)[1])


async def as_user(client, make_user, username, role, organisation_id=None):
    """Make a user and sign in as them."""
    await make_user(username, role, organisation_id=organisation_id)
    client.cookies.clear()
    await login(client, username)


async def switch(client, username):
    """Sign out and in again as another user."""
    client.cookies.clear()
    await login(client, username)


async def setting(client, make_user, make_org, capacity=3):
    """A counsellor "ana" (signed in) with one profiled case, and a host "host" with one opportunity."""
    centre = await make_org(name="Centre for social work", kind="social_work_centre")
    host = await make_org(name="Repair cooperative")
    await make_user("ana", "counsellor", organisation_id=centre)
    host_user = await make_user("host", "enterprise", organisation_id=host)
    opportunity = await make_opportunity(host, host_user, capacity=capacity)
    await login(client, "ana")
    participant = await open_case(client)
    await post_form(client, f"/cases/{participant}/profiling", ANSWERS)
    return participant, opportunity, host


async def refer(client, participant, opportunity, send="now"):
    """Refer the case to the opportunity through its form; returns the new referral's id."""
    response = await post_form(
        client,
        f"/cases/{participant}/referrals",
        {"opportunity_id": str(opportunity), "message": "Reliable, likes hands-on work.", "send": send},
    )
    assert response.status_code == 303
    return (await Referral.select(Referral.id).order_by(Referral.id, ascending=False).first())["id"]


async def step(client, referral, to, reason=""):
    """Move a referral on by one step through its form."""
    return await post_form(client, f"/referrals/{referral}/step", {"to": to, "reason": reason})


async def start_with_mentor(client, referral, days_ago=14):
    """As the host: accept ``referral``, start it ``days_ago`` days back and name Marko (041 000) its mentor;
    the start date (ISO)."""
    import datetime as dt

    from portal.referrals.steps import today

    await step(client, referral, "accepted")
    started_on = (today() - dt.timedelta(days=days_ago)).isoformat()
    await post_form(client, f"/referrals/{referral}/step", {"to": "started", "started_on": started_on})
    await post_form(client, f"/referrals/{referral}/mentor", {"mentor_name": "Marko", "mentor_contact": "041 000"})
    return started_on


async def round_setting(client, make_user, make_org):
    """A coordinator logged in; five people in activation (one with an empty profile, one out of reach),
    one still at intake; a one-place sorting job, a two-place kitchen job, a closed and a Croatian-only one."""
    centre = await make_org(name="Centre for social work", kind="social_work_centre")
    host = await make_org(name="Repair cooperative")
    lead_id = await make_user("ana", "counsellor", organisation_id=centre)
    host_user = await make_user("host", "enterprise", organisation_id=host)
    await make_user("coord", "coordinator")
    lead = current_user(lead_id, "ana", "counsellor", centre)
    people = {
        "sorter": await make_participant(lead, skills=("sorting",)),
        "both": await make_participant(lead, skills=("sorting", "cooking")),
        "cook": await make_participant(lead, skills=("cooking",)),
        "empty": await make_participant(lead, skills=(), interests="", first_name="Prazna"),
        "far": await make_participant(lead, location=(46.05, 14.51), travel_km=5),
        "intake": await make_participant(lead, stage="intake"),
    }
    places = {
        "sorting": await make_opportunity(
            host,
            host_user,
            capacity=1,
            title="Sorting helper",
            required_skills=skills_json("sorting"),
            support_offered="",
        ),
        "kitchen": await make_opportunity(
            host,
            host_user,
            capacity=2,
            title="Kitchen help",
            sector="food",
            required_skills=skills_json("cooking"),
            support_offered="",
        ),
        "closed": await make_opportunity(host, host_user, title="Closed one", status="closed"),
        "croatian": await make_opportunity(host, host_user, title="Croatian only", languages="hr"),
    }
    await login(client, "coord")
    return people, places, host


async def run_round(client, **form) -> int:
    """Run an allocation round from its form; returns the new round's id."""
    response = await post_form(
        client, "/matching/rounds", {"name": "Spring intake", "method": "stable", "stage": "activation", **form}
    )
    assert response.status_code == 303, response.text[:800]
    return int(response.headers["location"].rsplit("/", 1)[1])


async def ask_export(client, kind: str, format: str) -> int:
    """Ask for an export built by a job (it runs inline under tests); returns the export's id."""
    response = await post_form(client, "/exports", {"kind": kind, "format": format})
    assert response.status_code == 303, response.text[:800]
    return int(response.headers["location"].rsplit("/", 1)[1])


class Clock:
    """The time two_factor sees; moving it reaches the next 30-second step without waiting."""

    def __init__(self) -> None:
        self.now = time.time()

    def advance(self, seconds: float = 30) -> None:
        self.now += seconds


async def totp_secret(username: str) -> str:
    row = await PortalUser.select(PortalUser.totp_secret).where(PortalUser.username == username).first()
    return row["totp_secret"]


def totp_code(secret: str, clock: Clock) -> str:
    return pyotp.TOTP(secret).at(clock.now)


def recovery_codes(html: str) -> list[str]:
    return re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", html)


async def enrol(client, username: str, clock: Clock) -> tuple[str, list[str]]:
    """Turn two-factor on through the pages; the secret and the recovery codes shown."""
    response = await post_form(client, "/account/two-factor/start", {})
    assert response.status_code == 303
    secret = await totp_secret(username)
    response = await post_form(client, "/account/two-factor/confirm", {"code": totp_code(secret, clock)})
    assert response.status_code == 200, response.text[:500]
    codes = recovery_codes(response.text)
    assert len(codes) == 10
    clock.advance()
    return secret, codes
