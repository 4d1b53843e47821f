"""Loading a relationship for a change, for the pages and the API alike: 404 if absent, 403 if not theirs."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException, PermissionDeniedException

from portal.auth.guards import current_user
from portal.organisations import services


async def editable_relationship(request: Request, rel_id: int) -> dict[str, Any]:
    try:
        tie = await services.get_relationship(rel_id)
    except services.NotFound as exc:
        raise NotFoundException() from exc
    if not services.can_edit_relationship(current_user(request), tie):
        raise PermissionDeniedException("you may not edit this relationship")
    return tie
