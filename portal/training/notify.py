"""Telling staff moved up from a waiting list that they now have a place (an in-app notification)."""

from __future__ import annotations

from portal.db.tables import TrainingRegistration
from portal.notifications.services import notify


async def notify_promoted(registration_ids: list[int]) -> None:
    """One notification per promoted staff member; external people have no account to notify."""
    for registration_id in registration_ids:
        row = (
            await TrainingRegistration.select(
                TrainingRegistration.user,
                TrainingRegistration.event,
                TrainingRegistration.event.title.as_alias("title"),
            )
            .where(TrainingRegistration.id == registration_id)
            .first()
        )
        if row and row["user"] is not None:
            await notify(
                {"id": row["user"]}, "training.promoted", {"title": row["title"]}, f"/training/events/{row['event']}"
            )
