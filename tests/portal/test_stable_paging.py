"""Lists stamped with one timestamp still page once through every row: each order ends in a unique key."""

from __future__ import annotations

import datetime as dt
import re

from portal.db.tables import Participant, Referral
from tests.factories import make_opportunity
from tests.fixtures import login
from tests.flows import setting

ROWS = 120
STAMP = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


async def _walk(client, path: str, link: re.Pattern[str]) -> list[int]:
    seen: list[int] = []
    for page in range(1, 30):
        response = await client.get(path, params={"page": page})
        assert response.status_code == 200
        ids = [int(i) for i in dict.fromkeys(link.findall(response.text))]
        if not ids or (seen and ids[-1] in seen):
            break
        seen += ids
    return seen


async def test_opportunities_caseload_and_inbox_page_through_rows_with_one_timestamp(client, make_user, make_org):
    participant, opportunity, host = await setting(client, make_user, make_org, capacity=500)
    creator = (await Participant.select(Participant.lead_counsellor).order_by(Participant.id).first())[
        "lead_counsellor"
    ]
    opportunities = [opportunity] + [
        await make_opportunity(host, creator, created_at=STAMP, updated_at=STAMP) for _ in range(ROWS - 1)
    ]
    template = await Participant.select().where(Participant.id == participant).first()
    template.pop("id")
    for n in range(ROWS - 1):
        await Participant.insert(Participant(**{**template, "code": f"P-T{n:05d}"}))
    await Participant.update({Participant.updated_at: STAMP}, force=True)
    people = [p["id"] for p in await Participant.select(Participant.id)]
    for person in people:
        await Referral.insert(
            Referral(
                participant=person,
                opportunity=opportunity,
                referred_by=creator,
                message="",
                status="sent",
                reason="",
                created_at=STAMP,
                updated_at=STAMP,
            )
        )
    referrals = [r["id"] for r in await Referral.select(Referral.id)]

    cases = await _walk(client, "/cases/", re.compile(r'href="/cases/(\d+)"'))
    assert sorted(cases) == sorted(people)
    listed = await _walk(client, "/opportunities/", re.compile(r'href="/opportunities/(\d+)"'))
    assert sorted(listed) == sorted(opportunities)

    client.cookies.clear()
    await login(client, "host")
    inbox = await _walk(client, "/referrals/inbox", re.compile(r'href="/referrals/(\d+)"'))
    assert sorted(inbox) == sorted(referrals)
