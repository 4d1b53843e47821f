"""In-app notifications, written in each recipient's own language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from portal.db.tables import Notification
from portal.i18n import DEFAULT_LANGUAGE, use_language


async def notify(recipient: dict[str, Any], message: Callable[[], str], link: str) -> None:
    """``message`` is called inside the recipient's language so gettext picks their catalog."""
    with use_language(recipient["language"] or DEFAULT_LANGUAGE):
        text = message()
    await Notification.insert(
        Notification(user=recipient["id"], message=text, link=link, read=False, created_at=dt.datetime.now(dt.UTC))
    )


async def unread_count(user_id: int) -> int:
    return await Notification.count().where((Notification.user == user_id) & (Notification.read.eq(False)))


async def recent(user_id: int, limit: int = 50) -> list[dict[str, Any]]:
    return (
        await Notification.select()
        .where(Notification.user == user_id)
        .order_by(Notification.id, ascending=False)
        .limit(limit)
    )


async def mark_all_read(user_id: int) -> None:
    await Notification.update({Notification.read: True}).where(Notification.user == user_id)
