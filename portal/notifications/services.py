"""Notifications: storing one (a message key with parameters), writing it out when read, the unread count, opening one."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Any

from piccolo.columns.combination import WhereRaw

from portal.clock import utc_now
from portal.db.tables import Notification
from portal.notifications.messages import MESSAGES, render


def is_local_path(link: str) -> bool:
    """``link`` is a path on this site: one leading "/", no backslash, no control character.

    Browsers read "/\\evil.example" as "//evil.example" and drop tabs and newlines from a URL, so
    "/\t/evil.example" would lead off the site too."""
    return (
        link.startswith("/")
        and not link.startswith("//")
        and "\\" not in link
        and not any(unicodedata.category(char) == "Cc" for char in link)
    )


async def notify(recipient: Mapping[str, Any], key: str, params: Mapping[str, Any], link: str) -> None:
    """Tell ``recipient`` (a row with ``id``) with message ``key`` of :data:`MESSAGES` and plain ``params``.

    ``link`` is a local path (it is where opening the notification leads)."""
    if key not in MESSAGES:
        raise KeyError(f"no notification message {key!r}")  # a programming error: caught by the tests
    if not is_local_path(link):
        raise ValueError("a notification links to a local path")
    await Notification.insert(
        Notification(
            user=recipient["id"],
            message="",
            key=key,
            params=json.dumps(dict(params), ensure_ascii=False),
            link=link,
            read=False,
            created_at=utc_now(),
        )
    )


def text(row: Mapping[str, Any]) -> str:
    """A notification's text in the current language; rows made before keys keep their stored message."""
    if not row.get("key"):
        return row.get("message") or ""
    try:
        params = json.loads(row.get("params") or "{}")
    except ValueError:
        params = {}
    rendered = render(row["key"], params if isinstance(params, dict) else {})
    return rendered if rendered is not None else row.get("message") or ""


# Written as a literal, not ``read = $2``: only then can the database use the partial index of the unread
# (migration 2026-12-04T15:50) in any plan. A user with thousands read took 35 ms per page to count.
_UNREAD = WhereRaw('NOT "notification"."read"')


async def unread_count(user_id: int) -> int:
    return await Notification.count().where((Notification.user == user_id) & _UNREAD)


async def unread(user_id: int, limit: int, count_up_to: int) -> tuple[list[dict[str, Any]], int]:
    """The user's newest ``limit`` unread notifications (each with its ``text``), and how many are unread,
    counted up to ``count_up_to`` only (a summary's count must not read a flood of old rows)."""
    where = (Notification.user == user_id) & _UNREAD
    rows = (
        await Notification.select(
            Notification.id,
            Notification.message,
            Notification.key,
            Notification.params,
            Notification.link,
            Notification.created_at,
        )
        .where(where)
        .order_by(Notification.id, ascending=False)
        .limit(limit)
    )
    for row in rows:
        row["text"] = text(row)
    total = len(await Notification.select(Notification.id).where(where).limit(count_up_to))
    return rows, total


async def recent(user_id: int, limit: int = 50) -> list[dict[str, Any]]:
    rows = (
        await Notification.select()
        .where(Notification.user == user_id)
        .order_by(Notification.id, ascending=False)
        .limit(limit)
    )
    for row in rows:
        row["text"] = text(row)
    return rows


async def mark_all_read(user_id: int) -> None:
    await Notification.update({Notification.read: True}).where(Notification.user == user_id)


async def open_link(user_id: int, notification_id: int) -> str | None:
    """Mark the user's own notification read and give where it points; None when it is not theirs.

    The stored link is checked again to be a local path, so the redirect can never leave the portal."""
    row = (
        await Notification.update({Notification.read: True})
        .where((Notification.id == notification_id) & (Notification.user == user_id))
        .returning(Notification.link)
    )
    if not row:
        return None
    link = row[0]["link"] or ""
    return link if is_local_path(link) else "/notifications/"
