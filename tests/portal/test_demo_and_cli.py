"""The demo loader and the `portal` command."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from portal.auth.accounts import authenticate
from portal.cli import main
from portal.db.tables import Opportunity, Organisation, Participant, PortalUser, Referral, Relationship
from portal.demo.loader import DEMO_USERS, load_demo
from portal.demo.people import THIN_SPOT
from portal.organisations import services
from portal.referrals.flow import STATUSES
from tests.fixtures import ORG_DEFAULTS, post_form


async def test_demo_loads_a_consistent_network_once(client, db):
    """One load, many checks: loading the demo set takes seconds, so it is done once here."""
    first = await load_demo()
    counts = (
        await Organisation.count(),
        await Relationship.count(),
        await PortalUser.count(),
        await Participant.count(),
    )
    assert counts[0] > 300 and counts[1] > 1000 and counts[3] == 300 + THIN_SPOT["count"]
    second = await load_demo()
    assert (
        await Organisation.count(),
        await Relationship.count(),
        await PortalUser.count(),
        await Participant.count(),
    ) == counts
    assert "added 0 organisations, 0 relationships, 0 users" in second and first != second
    assert "added 0 participants, 0 referrals and 0 introductions" in second
    # The real 2SoKroG partnership: six project partners and eight associated partners around the lead.
    lead = (await Organisation.select(Organisation.id).where(Organisation.slug == "zrs-bistra-ptuj").first())["id"]
    touches_lead = (Relationship.source == lead) | (Relationship.target == lead)
    assert await Relationship.count().where(touches_lead & (Relationship.kind == "project_partner")) == 6
    assert await Relationship.count().where(touches_lead & (Relationship.kind == "associated_partner")) == 8
    # Referrals in every status, and no opportunity holding more places than it has.
    assert {row["status"] for row in await Referral.select(Referral.status).distinct()} == set(STATUSES)
    for row in await Opportunity.select(Opportunity.id, Opportunity.capacity, Opportunity.places_taken):
        held = await Referral.count().where((Referral.opportunity == row["id"]) & (Referral.holds_place.eq(True)))
        assert row["places_taken"] == held <= row["capacity"]
    for user in DEMO_USERS:
        response = await post_form(client, "/login", {"username": user["username"], "password": "demo"})
        assert response.status_code == 303, user["username"]
    emails = await PortalUser.select(PortalUser.email).where(PortalUser.username == "counsellor").first()
    assert emails["email"] == "counsellor@demo.example"  # so that reset links can be tried in the demo


async def test_demo_only_if_empty_leaves_a_used_database_alone(make_org):
    await make_org(name="Somebody's real organisation")
    summary = await load_demo(only_if_empty=True)
    assert "nothing loaded" in summary and await Organisation.count() == 1


def test_demo_is_refused_in_production(monkeypatch):
    from portal.settings import load_settings

    production = load_settings(
        {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "k" * 40, "PORTAL_DATA_DIR": "/tmp/portal-production-test"}
    )
    monkeypatch.setattr("portal.cli.get_settings", lambda: production)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 2 and "refused in production" in result.output


def test_create_user_command_adds_a_user_who_can_log_in(command_db):
    # A sync test: the command runs its own event loop, as it does from the shell.
    slug = "zadruga-testni-krog"
    asyncio.run(services.create_organisation(dict(ORG_DEFAULTS), slug=slug))
    runner = CliRunner()
    args = [
        "create-user",
        "--username",
        "Ana",
        "--role",
        "counsellor",
        "--organisation",
        slug,
        "--password",
        "secret-pass-123",
    ]
    created = runner.invoke(main, args)
    assert created.exit_code == 0, created.output
    assert asyncio.run(authenticate("ana", "secret-pass-123", "127.0.0.9")).ok
    taken = runner.invoke(main, args)
    assert taken.exit_code == 2 and "is taken" in taken.output
    unknown = runner.invoke(main, [*args[:5], "--organisation", "no-such-org", "--password", "secret-pass-123"])
    assert unknown.exit_code == 2 and "no organisation with key" in unknown.output
    short = runner.invoke(
        main, ["create-user", "--username", "bo", "--role", "counsellor", "--organisation", slug, "--password", "short"]
    )
    assert short.exit_code == 2 and "at least 12 characters" in short.output


def test_serve_starts_the_asked_number_of_workers(monkeypatch):
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options, app=app))
    assert CliRunner().invoke(main, ["serve", "--workers", "2", "--port", "8123"]).exit_code == 0
    assert started["workers"] == 2 and started["factory"] and started["port"] == 8123
    refused = CliRunner().invoke(main, ["serve", "--workers", "0"])
    assert refused.exit_code == 2 and "--workers" in refused.output
