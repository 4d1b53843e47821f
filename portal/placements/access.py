"""Who may record on a placement: its host (attendance, the host's mentor) or its case team (their mentor, responses)."""

from __future__ import annotations

from typing import Any

from portal.auth.current_user import CurrentUser
from portal.auth.roles import EMPLOYER, ENTERPRISE
from portal.cases import services as cases
from portal.placements import attendance, mentors
from portal.service_errors import NotFound, Refused

HOST_ROLES = (ENTERPRISE, EMPLOYER)


def _is_host(user: CurrentUser, row: dict[str, Any]) -> bool:
    return user.role in HOST_ROLES and user.organisation_id == row["host_id"] and row["status"] != "proposed"


async def host_placement(user: CurrentUser, referral_id: int, statuses: tuple[str, ...]) -> dict[str, Any]:
    """The referral when the user is on its host side and it is in one of ``statuses``.

    The case team may read the placement but not record for the host (``Refused("not_host")``); anyone else
    finds nothing (``NotFound``); another status is ``Refused("status")``."""
    row = await attendance.placement(referral_id)
    if row is None:
        raise NotFound()
    if not _is_host(user, row):
        if await cases.access_for(user, row["participant"]) is not None:
            raise Refused("not_host")
        raise NotFound()
    if row["status"] not in statuses:
        raise Refused("status")
    return row


async def team_placement(user: CurrentUser, referral_id: int) -> dict[str, Any]:
    """The referral when the user is on its case team and a mentor may be named now.

    The host is ``Refused("host")`` (it names its mentor at /mentor), anyone else finds nothing (``NotFound``);
    a pseudonymised case or another status is ``Refused("status")``."""
    row = await attendance.placement(referral_id)
    if row is None:
        raise NotFound()
    access = await cases.access_for(user, row["participant"])
    if access is None:
        if _is_host(user, row):
            raise Refused("host")
        raise NotFound()
    if access.pseudonymised or row["status"] not in mentors.NAMED_WHILE:
        raise Refused("status")
    return row
