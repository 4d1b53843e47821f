"""Reminders the day before an event: one notification per registered staff member, once, and an e-mail when they have one."""

from __future__ import annotations

import datetime as dt

from portal.db.tables import Notification, TrainingReminder
from tests.factories import make_training_event, make_training_registration
from tests.fixtures import login

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


async def _people(make_org, make_user) -> dict[str, int]:
    org = await make_org(name="CSD Ptuj")
    return {
        "org": org,
        "mailed": await make_user("ana", "counsellor", org, email="ana@csd.example", language="sl"),
        "silent": await make_user("bor", "counsellor", org),
        "waiting": await make_user("cene", "counsellor", org, email="cene@csd.example"),
    }


async def test_a_reminder_the_day_before_once(client, make_org, make_user, mailbox):
    from portal.training import reminders

    ids = await _people(make_org, make_user)
    tomorrow = await make_training_event([], starts_at=NOW + dt.timedelta(hours=20), title="Modul 2: vloga mentorja")
    next_week = await make_training_event([], starts_at=NOW + dt.timedelta(days=7), title="Modul 5")
    await make_training_registration(tomorrow, ids["mailed"], ids["org"])
    await make_training_registration(tomorrow, ids["silent"], ids["org"])
    await make_training_registration(tomorrow, ids["waiting"], ids["org"], status="waitlisted")
    await make_training_registration(tomorrow, None, None, name="Zunanja", email="z@example.org")  # no account
    await make_training_registration(next_week, ids["mailed"], ids["org"])

    assert await reminders.send_due(NOW) == {"notified": 2, "mailed": 1}
    notes = await Notification.select().where(Notification.key == "training.reminder").order_by(Notification.user)
    assert [n["user"] for n in notes] == [ids["mailed"], ids["silent"]]
    assert all(n["link"] == f"/training/events/{tomorrow}" for n in notes)
    [mail] = mailbox
    assert mail["To"] == "ana@csd.example"
    assert "Modul 2: vloga mentorja" in mail["Subject"]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert f"/training/events/{tomorrow}" in body
    assert "3. 12. 26, 06:00" in body  # 05:00 UTC is 06:00 in Ljubljana, written the Slovenian way
    # Run again (the next quarter hour, or a second worker): nothing is sent twice.
    assert await reminders.send_due(NOW + dt.timedelta(minutes=15)) == {"notified": 0, "mailed": 0}
    assert len(mailbox) == 1
    assert await TrainingReminder.count() == 2

    await login(client, "bor")
    page = (await client.get("/notifications")).text
    assert "Reminder: “Modul 2: vloga mentorja” starts on" in page


async def test_cancelled_places_and_events_are_not_reminded(db, make_org, make_user, mailbox):
    from portal.training import reminders

    ids = await _people(make_org, make_user)
    cancelled_event = await make_training_event([], starts_at=NOW + dt.timedelta(hours=3), status="cancelled")
    await make_training_registration(cancelled_event, ids["mailed"], ids["org"])
    event = await make_training_event([], starts_at=NOW + dt.timedelta(hours=3))
    await make_training_registration(event, ids["mailed"], ids["org"], status="cancelled")
    started = await make_training_event([], starts_at=NOW - dt.timedelta(minutes=5))
    await make_training_registration(started, ids["mailed"], ids["org"])
    assert await reminders.send_due(NOW) == {"notified": 0, "mailed": 0}
    assert mailbox == []


async def test_the_job_is_scheduled():
    from portal.jobs import registry

    kind = registry.kind("training_reminders")
    assert kind.cron and kind.function().__module__ == "portal.training.reminders"
