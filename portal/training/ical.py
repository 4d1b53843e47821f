"""A small iCalendar (RFC 5545) writer: CRLF lines folded at 75 octets, escaped text, times in UTC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from portal.clock import utc_now

PRODUCT = "-//Activation portal//Training events//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    latitude: float | None = None
    longitude: float | None = None
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED
    updated_at: dt.datetime | None = None


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, never inside a UTF-8 character (3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    pieces: list[str] = []
    limit = 75
    while encoded:
        cut = min(limit, len(encoded))
        # Step back off UTF-8 continuation bytes (10xxxxxx) so a character stays whole.
        while cut < len(encoded) and (encoded[cut] & 0xC0) == 0x80:
            cut -= 1
        pieces.append(encoded[:cut].decode("utf-8"))
        encoded = encoded[cut:]
        limit = 74  # continuation lines begin with one space, which counts
    return "\r\n ".join(pieces)


def utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: CalendarEvent, stamp: dt.datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(event.starts_at)}",
        f"DTEND:{utc(event.ends_at)}",
        f"SUMMARY:{escape(event.summary)}",
        f"STATUS:{event.status}",
    ]
    if event.updated_at is not None:
        lines.append(f"LAST-MODIFIED:{utc(event.updated_at)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape(event.location)}")
    if event.latitude is not None and event.longitude is not None:
        # Five decimals (about a metre): what a REAL column (float4 on PostgreSQL) holds faithfully.
        lines.append(f"GEO:{event.latitude:.5f};{event.longitude:.5f}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append("END:VEVENT")
    return lines


def calendar(name: str, events: Iterable[CalendarEvent], stamp: dt.datetime | None = None) -> str:
    """A whole VCALENDAR document, ready to serve as text/calendar."""
    stamp = stamp or utc_now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in events:
        lines.extend(_event_lines(event, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
