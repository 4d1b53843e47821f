"""Calendar feeds: each user's events behind a secret link (calendar apps cannot log in), and each region's."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from typing import Any
from urllib.parse import quote, urlsplit

from portal.clock import utc_now
from portal.db.engine import as_utc
from portal.db.tables import PortalUser, TrainingEvent
from portal.i18n import gettext as _
from portal.settings import get_settings
from portal.training import ical, registration

# Events that ended up to this long ago stay in a feed, so a calendar keeps the recent past.
HISTORY = dt.timedelta(days=90)
FEED_LIMIT = 500
_FEED_NAME = re.compile(r"^([0-9]{1,9})-([0-9a-f]{32})\.ics$")


def user_token(user_id: int) -> str:
    """An HMAC of the user id under the portal's secret key: nothing stored, nothing to guess."""
    key = get_settings().secret_key.encode("utf-8")
    return hmac.new(key, f"training-calendar:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def user_feed_path(user_id: int) -> str:
    return f"/training/calendar/{user_id}-{user_token(user_id)}.ics"


def user_for_feed(name: str) -> int | None:
    """The user a feed name (``<id>-<token>.ics``) belongs to, or None when the token does not match."""
    match = _FEED_NAME.match(name)
    if not match:
        return None
    user_id = int(match.group(1))
    return user_id if hmac.compare_digest(match.group(2), user_token(user_id)) else None


async def account_active(user_id: int) -> bool:
    """Whether the feed's account is still in use: a link kept in a calendar app outlives a deactivated account."""
    return await PortalUser.exists().where((PortalUser.id == user_id) & PortalUser.is_active.eq(True))


def region_feed_path(region: str) -> str:
    return f"/training/calendar/region/{quote(region, safe='')}.ics"


def _host() -> str:
    return urlsplit(get_settings().public_url).hostname or "portal"


def to_calendar_event(row: dict[str, Any], with_link: bool) -> ical.CalendarEvent:
    """An event for a feed; ``with_link`` adds the online link (a registered person's feed, not a public one)."""
    public_url = get_settings().public_url
    place = ", ".join(part for part in (row.get("place_name"), row.get("municipality"), row.get("country")) if part)
    description = row.get("description") or ""
    if with_link and row.get("online") and row.get("online_url"):
        place = f"{place} / {row['online_url']}" if place else row["online_url"]
        description = f"{description}\n\n{row['online_url']}".strip()
    elif row.get("online") and not place:
        place = _("Online")
    return ical.CalendarEvent(
        uid=f"training-event-{row['id']}@{_host()}",
        starts_at=as_utc(row["starts_at"]),
        ends_at=as_utc(row["ends_at"]),
        summary=row["title"],
        description=description,
        location=place,
        url=f"{public_url}/training/events/{row['id']}",
        latitude=row.get("latitude"),
        longitude=row.get("longitude"),
        status="CANCELLED" if row.get("status") == "cancelled" else "CONFIRMED",
        updated_at=as_utc(row["updated_at"]) if row.get("updated_at") else None,
    )


async def user_calendar(user_id: int, name: str) -> str:
    rows = await registration.feed_events(user_id, utc_now() - HISTORY, FEED_LIMIT)
    return ical.calendar(name, [to_calendar_event(row, with_link=True) for row in rows])


async def region_calendar(region: str, name: str) -> str:
    """Published (and cancelled, so calendars drop them) events in ``region``; no personal data."""
    rows = (
        await TrainingEvent.select(
            TrainingEvent.id,
            TrainingEvent.title,
            TrainingEvent.description,
            TrainingEvent.starts_at,
            TrainingEvent.ends_at,
            TrainingEvent.online,
            TrainingEvent.place_name,
            TrainingEvent.municipality,
            TrainingEvent.country,
            TrainingEvent.latitude,
            TrainingEvent.longitude,
            TrainingEvent.status,
            TrainingEvent.updated_at,
        )
        .where(
            (TrainingEvent.region == region)
            & (TrainingEvent.status != "draft")
            & (TrainingEvent.ends_at >= utc_now() - HISTORY)
        )
        .order_by(TrainingEvent.starts_at)
        .order_by(TrainingEvent.id)
        .limit(FEED_LIMIT)
    )
    return ical.calendar(name, [to_calendar_event(row, with_link=False) for row in rows])
