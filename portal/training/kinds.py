"""The vocabularies of training events: kinds, statuses, languages, registration statuses."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from portal.i18n import lazy_gettext as _l

EVENT_KINDS = {
    "module": _l("Training module"),
    "seminar": _l("Expert seminar"),
    "peer_review": _l("Peer review"),
    "workshop": _l("Workshop"),
    "conference": _l("Conference"),
}
EVENT_STATUSES = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "cancelled": _l("Cancelled"),
}
EVENT_LANGUAGES = {"sl": _l("Slovenian"), "hr": _l("Croatian"), "en": _l("English")}
EVENT_COUNTRIES = {"SI": _l("Slovenia"), "HR": _l("Croatia")}
REGISTRATION_STATUSES = {
    "registered": _l("Registered"),
    "waitlisted": _l("On the waiting list"),
    "cancelled": _l("Cancelled"),
}
# Both countries keep Central European time; forms take and pages show the local wall-clock time.
LOCAL_ZONE = zoneinfo.ZoneInfo("Europe/Ljubljana")
MAX_CAPACITY = 1000


def local_time(value: dt.datetime | None, format: str = "medium") -> str:
    """A stored UTC moment in the local time of Slovenia and Croatia, in the reader's language (templates pass None too)."""
    from babel import dates

    from portal.i18n import current_language

    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return dates.format_datetime(value, format=format, locale=current_language(), tzinfo=LOCAL_ZONE)
