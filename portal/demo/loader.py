"""Load the demo network and the five demo users into the database, idempotently."""

from __future__ import annotations

from typing import Any

from portal.auth.passwords import hash_password
from portal.clock import utc_now
from portal.db.tables import Organisation, PortalUser, Relationship
from portal.demo.cases import load_cases
from portal.demo.introductions import load_introductions
from portal.demo.network import generated_network, real_network
from portal.demo.training import load_training
from portal.organisations.services import search_text

DEMO_PASSWORD = "demo"
# Organisation keys come from portal.demo.network; the employer is a generated one.
DEMO_USERS: list[dict[str, str]] = [
    {"username": "admin", "role": "admin", "organisation": "zrs-bistra-ptuj", "display_name": "Demo administrator"},
    {
        "username": "coordinator",
        "role": "coordinator",
        "organisation": "zrs-bistra-ptuj",
        "display_name": "Demo coordinator",
    },
    {"username": "counsellor", "role": "counsellor", "organisation": "czss-cakovec", "display_name": "Demo counsellor"},
    {
        "username": "enterprise",
        "role": "enterprise",
        "organisation": "cpu-center-ponovne-uporabe",
        "display_name": "Demo social enterprise",
    },
    {"username": "employer", "role": "employer", "organisation": "", "display_name": "Demo employer"},
]
_CHUNK = 50  # rows per INSERT: stays far below SQLite's bound-parameter limit


def demo_employer_key(orgs: list[dict[str, Any]]) -> str:
    """The generated employer the demo employer account belongs to: the first in Podravska."""
    return min(o["key"] for o in orgs if o["kind"] == "employer" and o["region"] == "Podravska")


async def load_demo(only_if_empty: bool = False, seed: int = 2018) -> str:
    """Insert what is missing of the demo data in one transaction; return a one-line summary."""
    from portal.db.piccolo_conf import DB

    if only_if_empty and await Organisation.count() > 0:
        return "demo data: the database already has organisations; nothing loaded"
    real_orgs, real_ties = real_network()
    gen_orgs, gen_ties = generated_network(seed=seed)
    orgs, ties = real_orgs + gen_orgs, real_ties + gen_ties
    now = utc_now()
    async with DB.transaction():
        existing = {row["slug"] for row in await Organisation.select(Organisation.slug)}
        new_orgs = [
            Organisation(
                slug=org["key"],
                languages=",".join(org["languages"]),
                search_text=search_text(org),
                created_at=now,
                updated_at=now,
                **{k: v for k, v in org.items() if k not in ("key", "languages")},
            )
            for org in orgs
            if org["key"] not in existing
        ]
        for start in range(0, len(new_orgs), _CHUNK):
            await Organisation.insert(*new_orgs[start : start + _CHUNK])
        ids = {row["slug"]: row["id"] for row in await Organisation.select(Organisation.id, Organisation.slug)}
        present = {
            (row["source"], row["target"], row["kind"])
            for row in await Relationship.select(Relationship.source, Relationship.target, Relationship.kind)
        }
        new_ties = []
        for tie in ties:
            key = (ids[tie["source"]], ids[tie["target"]], tie["kind"])
            if key in present:
                continue
            present.add(key)
            new_ties.append(
                Relationship(
                    source=key[0],
                    target=key[1],
                    kind=tie["kind"],
                    since=tie["since"],
                    until=tie["until"],
                    strength=tie["strength"],
                    note=tie["note"],
                    created_at=now,
                    updated_at=now,
                )
            )
        for start in range(0, len(new_ties), _CHUNK):
            await Relationship.insert(*new_ties[start : start + _CHUNK])
        usernames = {row["username"] for row in await PortalUser.select(PortalUser.username)}
        password_hash = hash_password(DEMO_PASSWORD)
        new_users = [
            PortalUser(
                username=user["username"],
                password_hash=password_hash,
                display_name=user["display_name"],
                organisation=ids[user["organisation"] or demo_employer_key(orgs)],
                role=user["role"],
                # So that invitations and password reset links can be tried (they land in the outbox folder).
                email=f"{user['username']}@demo.example",
                created_at=now,
            )
            for user in DEMO_USERS
            if user["username"] not in usernames
        ]
        if new_users:
            await PortalUser.insert(*new_users)
    opportunities = await _load_skills_and_opportunities(demo_employer_key(orgs), seed)
    async with DB.transaction():
        people, referrals = await load_cases(seed=seed)
    introductions = await load_introductions()
    training_events = await load_training(seed=seed)
    return (
        f"demo data: added {len(new_orgs)} organisations, {len(new_ties)} relationships, {len(new_users)} users "
        f"(the demo set has {len(orgs)} organisations and {len(ties)} relationships); {opportunities}; "
        f"added {people} participants, {referrals} referrals and {introductions} introductions; "
        f"added {training_events} training events"
    )


async def _load_skills_and_opportunities(employer_key: str, seed: int) -> str:
    """The ESCO skills vocabulary (en, sl, hr), then open opportunities at the demo enterprises and employers."""
    from portal.db.piccolo_conf import DB
    from portal.opportunities.demo import load_demo_opportunities
    from portal.skills.importer import load_shipped

    skills = await load_shipped()
    async with DB.transaction():
        added = await load_demo_opportunities(employer_key, seed=seed)
    return f"added {sum(r.added for r in skills)} skill labels and {added} opportunities"
