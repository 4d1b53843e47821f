"""The demo loader and the `portal` command."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from portal.auth.accounts import authenticate
from portal.cli import main

from portal.db.tables import Organisation, PortalUser, Relationship
from portal.demo.loader import DEMO_USERS, load_demo
from portal.organisations import services
from tests.fixtures import ORG_DEFAULTS, post_form


async def test_demo_is_idempotent_and_every_demo_user_can_log_in(client, db):
    first = await load_demo()
    counts = (await Organisation.count(), await Relationship.count(), await PortalUser.count())
    assert counts[0] > 300 and counts[1] > 1000
    assert {u["username"] for u in DEMO_USERS} <= {r["username"] for r in await PortalUser.select(PortalUser.username)}
    second = await load_demo()
    assert (await Organisation.count(), await Relationship.count(), await PortalUser.count()) == counts
    assert "added 0 organisations, 0 relationships, 0 users" in second and first != second
    assert "added 0 participants and 0 referrals" in second
    for user in DEMO_USERS:
        response = await post_form(client, "/login", {"username": user["username"], "password": "demo"})
        assert response.status_code == 303, user["username"]


async def test_demo_only_if_empty_leaves_a_used_database_alone(make_org):
    await make_org(name="Somebody's real organisation")
    summary = await load_demo(only_if_empty=True)
    assert "nothing loaded" in summary and await Organisation.count() == 1


async def test_demo_network_holds_the_real_project_partners(db):
    await load_demo()
    lead = (await Organisation.select(Organisation.id).where(Organisation.slug == "zrs-bistra-ptuj").first())["id"]
    touches_lead = (Relationship.source == lead) | (Relationship.target == lead)
    assert await Relationship.count().where(touches_lead & (Relationship.kind == "project_partner")) == 6
    assert await Relationship.count().where(touches_lead & (Relationship.kind == "associated_partner")) == 8


def test_create_user_command_adds_a_user_who_can_log_in(db):
    # A sync test: the command runs its own event loop, as it does from the shell.
    slug = "zadruga-testni-krog"
    asyncio.run(services.create_organisation(dict(ORG_DEFAULTS), slug=slug))
    runner = CliRunner()
    args = ["create-user", "--username", "Ana", "--role", "counsellor", "--organisation", slug, "--password", "secret-pass-123"]
    created = runner.invoke(main, args)
    assert created.exit_code == 0, created.output
    assert asyncio.run(authenticate("ana", "secret-pass-123", "127.0.0.9")).ok
    taken = runner.invoke(main, args)
    assert taken.exit_code == 2 and "is taken" in taken.output
    unknown = runner.invoke(main, [*args[:5], "--organisation", "no-such-org", "--password", "secret-pass-123"])
    assert unknown.exit_code == 2 and "no organisation with key" in unknown.output


async def test_demo_referrals_cover_every_status_without_overbooking(db):
    from portal.db.tables import Opportunity, Referral
    from portal.referrals.flow import STATUSES

    await load_demo()
    statuses = {row["status"] for row in await Referral.select(Referral.status).distinct()}
    assert statuses == set(STATUSES)
    for row in await Opportunity.select(Opportunity.id, Opportunity.capacity, Opportunity.places_taken):
        held = await Referral.count().where((Referral.opportunity == row["id"]) & (Referral.holds_place == True))  # noqa: E712
        assert row["places_taken"] == held <= row["capacity"]
