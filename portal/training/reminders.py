"""Reminders the day before an event: a notification to each registered staff member, and an e-mail when they have one.

A scheduled job (``training_reminders`` in portal.jobs.registry, every 15 minutes) finds the places
of events starting within the next day that have not been reminded yet. Each reminder is claimed
first by inserting its TrainingReminder row (unique per registration, so two workers or a retry
never send it twice), then sent: at most once, never repeated after a failed e-mail.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from babel import dates

from portal.clock import utc_now
from portal.db.tables import TrainingRegistration, TrainingReminder
from portal.i18n import DEFAULT_LANGUAGE, LANGUAGES, current_language, use_language
from portal.i18n import gettext as _
from portal.mail.sender import Mail, MailError, send
from portal.notifications.services import notify
from portal.settings import get_settings
from portal.training.kinds import LOCAL_ZONE

logger = logging.getLogger(__name__)
AHEAD = dt.timedelta(days=1)
BATCH = 500  # places read per query; a run goes on until none is left


async def _due(now: dt.datetime) -> list[dict[str, Any]]:
    """Registered staff places at published events starting within ``AHEAD`` and not reminded yet."""
    return await TrainingRegistration.raw(
        'SELECT r.id AS id, r."user" AS user_id, e.id AS event_id, e.title AS title, e.starts_at AS starts_at, '
        "e.online AS online, e.place_name AS place_name, e.municipality AS municipality, "
        "u.email AS email, u.language AS language "
        'FROM training_registration r JOIN training_event e ON e.id = r.event JOIN portal_user u ON u.id = r."user" '
        "WHERE r.status = 'registered' AND e.status = 'published' AND e.starts_at > {} AND e.starts_at <= {} "
        "AND u.is_active = {} "
        "AND NOT EXISTS (SELECT 1 FROM training_reminder m WHERE m.registration = r.id) "
        "ORDER BY e.starts_at, r.id LIMIT {}",
        now,
        now + AHEAD,
        True,
        BATCH,
    )


async def _claim(registration_id: int, now: dt.datetime) -> bool:
    """Record the reminder as sent; False when another run already has."""
    rows = (
        await TrainingReminder.insert(TrainingReminder(registration=registration_id, sent_at=now))
        .on_conflict(action="DO NOTHING")
        .returning(TrainingReminder.id)
    )
    return bool(rows)


def _when(starts_at: Any) -> str:
    if isinstance(starts_at, str):  # SQLite hands raw queries the stored ISO text
        starts_at = dt.datetime.fromisoformat(starts_at)
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=dt.UTC)
    return dates.format_datetime(starts_at, "short", tzinfo=LOCAL_ZONE, locale=current_language())


def _mail(row: dict[str, Any], when: str) -> Mail:
    link = f"{get_settings().public_url}/training/events/{row['event_id']}"
    where = _("online") if row["online"] else ", ".join(p for p in (row["place_name"], row["municipality"]) if p)
    body = "\n\n".join(
        [
            _("“%(title)s” starts on %(when)s (local time).") % {"title": row["title"], "when": when},
            _("Place: %(place)s") % {"place": where} if where else "",
            _("The event's page, with its materials and your registration: %(link)s") % {"link": link},
            _("You receive this because you are registered for the event."),
        ]
    )
    return Mail(to=row["email"], subject=_("Reminder: %(title)s") % {"title": row["title"]}, body=body.strip())


async def send_due(now: dt.datetime | None = None) -> dict[str, int]:
    """Send every reminder due at ``now``: how many notifications and e-mails went out."""
    now = now or utc_now()
    sent = mailed = 0
    while rows := await _due(now):
        for row in rows:
            if not await _claim(row["id"], now):
                continue
            language = row["language"] if row["language"] in LANGUAGES else DEFAULT_LANGUAGE
            with use_language(language):
                when = _when(row["starts_at"])
                await notify(
                    {"id": row["user_id"]},
                    "training.reminder",
                    {"title": row["title"], "when": when},
                    f"/training/events/{row['event_id']}",
                )
                sent += 1
                if row["email"]:
                    try:
                        await send(_mail(row, when))
                        mailed += 1
                    except MailError:  # the notification is there; a reminder is not worth a retry storm
                        logger.warning("training reminder %s: e-mail not sent", row["id"], exc_info=True)
        if len(rows) < BATCH:
            break
    return {"notified": sent, "mailed": mailed}


async def run() -> dict[str, int]:
    """The scheduled job."""
    return await send_due()
