"""The retention job: the cut-off to the day, dry runs that change nothing, the short limits, the CLI and the page."""

from __future__ import annotations

import asyncio
import datetime as dt

from click.testing import CliRunner

from portal.auth.current_user import CurrentUser
from portal.cases import services as cases
from portal.cli import main
from portal.db.tables import (
    AccountToken,
    AuditEvent,
    ExportFile,
    LoginAttempt,
    Notification,
    Participant,
    PasswordResetRequest,
    StageChange,
    TrainingRegistration,
    TrainingSignupAttempt,
    UserSession,
)
from portal.privacy import retention
from portal.settings import get_settings
from tests.factories import make_training_event, make_training_registration
from tests.fixtures import login

DAY = dt.timedelta(days=1)
VALUES = {
    "first_name": "Retta",
    "last_name": "Keeping",
    "birth_year": 1970,
    "phone": "+386 40 000 001",
    "email": "retta@example.org",
    "address": "Pot 1",
    "region": "Podravska",
    "municipality": "Ptuj",
    "latitude": 46.42,
    "longitude": 15.87,
    "languages": "sl",
    "education_level": "primary",
    "skills": "[]",
    "interests": "",
    "hours_per_week": 20,
    "travel_km": 20,
    "support_needs": "",
    "available_from": None,
}


async def lead(make_user, make_org) -> CurrentUser:
    org = await make_org(name="Centre")
    user_id = await make_user("ana", "counsellor", organisation_id=org)
    return CurrentUser(user_id, "ana", "Ana", "counsellor", org, "Centre", "")


async def case_closed(user: CurrentUser, stage: str, closed_at: dt.datetime, first_name: str) -> int:
    """A case moved to ``stage`` at ``closed_at`` (its stage history says so)."""
    pid = await cases.create_case(user, {**VALUES, "first_name": first_name})
    await cases.change_stage(pid, stage, "", user)
    await StageChange.update({StageChange.changed_at: closed_at - DAY}).where(
        (StageChange.participant == pid) & (StageChange.stage == "intake")
    )
    await StageChange.update({StageChange.changed_at: closed_at}).where(
        (StageChange.participant == pid) & (StageChange.stage == stage)
    )
    return pid


async def test_closed_cases_go_one_day_after_the_period_not_one_day_before(make_user, make_org):
    user = await lead(make_user, make_org)
    now = dt.datetime.now(dt.UTC)
    period = dt.timedelta(days=get_settings().retention_days)
    past = await case_closed(user, "exit", now - period - DAY, "Past")
    employed = await case_closed(user, "employment", now - period - DAY, "Employed")
    within = await case_closed(user, "exit", now - period + DAY, "Within")
    active = await case_closed(user, "activation", now - period - 10 * DAY, "Active")  # old, but not closed

    dry = await retention.run_retention(now, dry_run=True)
    assert {c["id"] for c in dry.cases} == {past, employed}
    assert await Participant.count().where(Participant.pseudonymised_at.is_not_null()) == 0
    assert "would be pseudonymised" in "\n".join(dry.lines())

    done = await retention.run_retention(now, dry_run=False)
    assert {c["id"] for c in done.cases} == {past, employed} and not done.failed
    rows = {r["id"]: r for r in await Participant.select()}
    for pid in (past, employed):
        assert rows[pid]["first_name"] == "" and rows[pid]["pseudonymised_reason"] == "retention"
        assert rows[pid]["phone"] == "" and rows[pid]["latitude"] is None
    for pid, name in ((within, "Within"), (active, "Active")):
        assert rows[pid]["first_name"] == name and rows[pid]["pseudonymised_at"] is None
    event = (
        await AuditEvent.select()
        .where((AuditEvent.action == "pseudonymise") & (AuditEvent.record_id == past))
        .order_by(AuditEvent.id)
        .first()
    )
    assert event["user"] is None and event["username"] == "(retention job)" and event["detail"] == "reason: retention"
    # Run again: nothing left to do. Two days later the other case's time has come.
    assert (await retention.run_retention(now, dry_run=False)).cases == []
    later = await retention.run_retention(now + 2 * DAY, dry_run=True)
    assert [c["id"] for c in later.cases] == [within]


async def test_the_latest_stage_change_is_when_a_case_closed(make_user, make_org):
    user = await lead(make_user, make_org)
    now = dt.datetime.now(dt.UTC)
    period = dt.timedelta(days=get_settings().retention_days)
    pid = await case_closed(user, "exit", now - period - 10 * DAY, "Back")
    await cases.change_stage(pid, "employment", "", user)  # found work after leaving: closed again, today
    assert (await retention.run_retention(now, dry_run=True)).cases == []
    upcoming, total = await retention.upcoming_cases(now)
    assert total == 1 and upcoming[0]["id"] == pid
    assert abs(upcoming[0]["due_at"] - (now + period)) < dt.timedelta(minutes=5)


async def limits_world(make_user, make_org, now: dt.datetime) -> dict[str, int]:
    user_id = await make_user("ana", "counsellor")
    await LoginAttempt.insert(
        LoginAttempt(username="x", address="1.2.3.4", attempted_at=now - DAY - dt.timedelta(minutes=1)),
        LoginAttempt(username="y", address="1.2.3.4", attempted_at=now - dt.timedelta(hours=23)),
    )
    await UserSession.insert(
        UserSession(token_hash="a" * 64, user=user_id, created_at=now - DAY, expires_at=now - dt.timedelta(seconds=1)),
        UserSession(token_hash="b" * 64, user=user_id, created_at=now, expires_at=now + DAY),
    )
    await Notification.insert(
        Notification(user=user_id, message="old read", link="/", read=True, created_at=now - 181 * DAY),
        Notification(user=user_id, message="recent read", link="/", read=True, created_at=now - 179 * DAY),
        Notification(user=user_id, message="old unread", link="/", read=False, created_at=now - 400 * DAY),
    )

    def token(mark: str, **times) -> AccountToken:
        return AccountToken(token_hash=mark * 64, user=user_id, purpose="reset", created_at=now - 60 * DAY, **times)

    await AccountToken.insert(
        token("c", expires_at=now - 31 * DAY),  # expired long ago: goes
        token("d", expires_at=now + DAY, used_at=now - 31 * DAY),  # used long ago: goes
        token("e", expires_at=now - 29 * DAY),  # expired recently: stays
        token("f", expires_at=now + DAY),  # live: stays
    )
    await PasswordResetRequest.insert(
        PasswordResetRequest(address="1.2.3.4", username="x", requested_at=now - dt.timedelta(minutes=61)),
        PasswordResetRequest(address="1.2.3.4", username="y", requested_at=now - dt.timedelta(minutes=59)),
    )
    await TrainingSignupAttempt.insert(
        TrainingSignupAttempt(address="1.2.3.4", attempted_at=now - DAY - dt.timedelta(minutes=1)),
        TrainingSignupAttempt(address="1.2.3.4", attempted_at=now - dt.timedelta(hours=23)),
    )
    await ExportFile.insert(
        *(
            ExportFile(
                requested_by=user_id, kind="network", format="json", status="done", error="", created_at=now - DAY,
                expires_at=expires, filename="n.json", size=2, content=b"{}",
            )
            for expires in (now - dt.timedelta(seconds=1), now + dt.timedelta(minutes=1))  # gone, stays
        )
    )  # fmt: skip
    period = dt.timedelta(days=get_settings().retention_days)
    old_event = await make_training_event(starts_at=now - period - DAY)  # ended 17 hours past the period
    recent_event = await make_training_event(starts_at=now - period + DAY)
    external = {"name": "Maja Zunanja", "email": "maja@example.org", "organisation_name": "Društvo"}
    await make_training_registration(old_event, None, None, **external)  # cleared
    await make_training_registration(old_event, user_id, None)  # staff: their record of training stays
    await make_training_registration(recent_event, None, None, **external)  # not yet
    return {
        "login_attempts": 1,
        "expired_sessions": 1,
        "read_notifications": 1,
        "account_tokens": 2,
        "password_reset_requests": 1,
        "training_signup_attempts": 1,
        "expired_exports": 1,
        "external_training_registrations": 1,
    }


async def test_operational_records_go_at_their_limits_and_a_dry_run_only_counts(make_user, make_org):
    now = dt.datetime.now(dt.UTC)
    expected = await limits_world(make_user, make_org, now)
    tables = (LoginAttempt, UserSession, Notification, AccountToken, PasswordResetRequest)
    before = [await t.count() for t in tables]
    dry = await retention.run_retention(now, dry_run=True)
    assert dry.limits == expected and [await t.count() for t in tables] == before
    done = await retention.run_retention(now, dry_run=False)
    assert done.limits == expected
    assert [r["username"] for r in await LoginAttempt.select(LoginAttempt.username)] == ["y"]
    assert [r["token_hash"][0] for r in await UserSession.select(UserSession.token_hash)] == ["b"]
    assert sorted(r["message"] for r in await Notification.select(Notification.message)) == [
        "old unread",
        "recent read",
    ]
    assert sorted(r["token_hash"][0] for r in await AccountToken.select(AccountToken.token_hash)) == ["e", "f"]
    assert [r["username"] for r in await PasswordResetRequest.select(PasswordResetRequest.username)] == ["y"]
    assert await TrainingSignupAttempt.count() == 1
    assert await ExportFile.count() == 1
    # The registration row stays (the event's figures do not change); only who it was is cleared.
    kept = await TrainingRegistration.select(TrainingRegistration.name, TrainingRegistration.email).order_by(
        TrainingRegistration.id
    )
    assert kept == [
        {"name": "", "email": ""},
        {"name": "", "email": ""},
        {"name": "Maja Zunanja", "email": "maja@example.org"},
    ]
    assert (await retention.run_retention(now, dry_run=False)).limits == dict.fromkeys(expected, 0)


def test_the_command_reports_what_would_go_and_what_went(command_db, make_user, make_org):
    # A sync test: the command runs its own event loop, as it does from the shell.
    now = dt.datetime.now(dt.UTC)
    period = dt.timedelta(days=get_settings().retention_days)

    async def setup() -> str:
        user = await lead(make_user, make_org)
        pid = await case_closed(user, "exit", now - period - DAY, "Cli")
        return (await Participant.select(Participant.code).where(Participant.id == pid).first())["code"]

    code = asyncio.run(setup())
    runner = CliRunner()
    dry = runner.invoke(main, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"{code} (exit, closed" in dry.output and "1 case(s) would be pseudonymised" in dry.output
    assert "login attempts: 0 would be removed" in dry.output
    assert asyncio.run(Participant.count().where(Participant.pseudonymised_at.is_null()).run()) == 1
    real = runner.invoke(main, ["retention", "run"])
    assert real.exit_code == 0 and "1 case(s) pseudonymised" in real.output
    assert asyncio.run(Participant.count().where(Participant.pseudonymised_at.is_null()).run()) == 0
    assert "0 case(s) pseudonymised" in runner.invoke(main, ["retention", "run"]).output


async def test_the_admin_page_shows_the_dry_run_and_the_settings_and_changes_nothing(client, make_user, make_org):
    user = await lead(make_user, make_org)
    now = dt.datetime.now(dt.UTC)
    period = dt.timedelta(days=get_settings().retention_days)
    await case_closed(user, "exit", now - period - DAY, "Due")
    await case_closed(user, "employment", now - 3 * DAY, "Later")
    codes = {r["first_name"]: r["code"] for r in await Participant.select(Participant.first_name, Participant.code)}
    await make_user("root", "admin")
    await login(client, "root")
    page = await client.get("/admin/retention")
    assert page.status_code == 200
    assert "1 case would be pseudonymised on the next run." in page.text and codes["Due"] in page.text
    assert codes["Later"] in page.text and (now - 3 * DAY + period).strftime("%Y") in page.text
    assert "PORTAL_RETENTION_DAYS" in page.text and "1,825 days" in page.text
    assert await Participant.count().where(Participant.pseudonymised_at.is_not_null()) == 0
    missing = await client.get("/admin/retention?code=P-NONE22")
    assert "No case has the code P-NONE22." in missing.text
