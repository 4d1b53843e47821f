"""The front page's data in one call: the portal's size for visitors, each signed-in user's day."""

from __future__ import annotations

from dataclasses import dataclass

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.db.tables import Organisation, Relationship
from portal.home.my_day import MyDay, my_day


@dataclass(frozen=True)
class PortalCounts:
    """What the front page tells a visitor about the portal's size."""

    organisations: int
    relationships: int
    countries: int


async def portal_counts() -> PortalCounts:
    return PortalCounts(
        organisations=await Organisation.count(),
        relationships=await Relationship.count(),
        countries=len(await Organisation.select(Organisation.country).distinct()),
    )


async def day_view(user: CurrentUser, address: str) -> MyDay:
    """``user``'s day (portal.home.my_day); the case content it shows is audited as a read by ``user`` from ``address``."""
    day = await my_day(user)
    # Plan steps are case content: audited as the case page audits reading the case.
    await audit.record_many(user, address, "read", "participant", day.shown_participants, "home page")
    return day


@dataclass(frozen=True)
class HomeView:
    """The front page for one reader: ``day`` for a signed-in user, else ``counts`` for a visitor."""

    day: MyDay | None = None
    counts: PortalCounts | None = None


async def home_view(user: CurrentUser | None, address: str) -> HomeView:
    """The front page as ``user`` (None for a visitor) at ``address`` sees it."""
    if user is not None:
        return HomeView(day=await day_view(user, address))
    return HomeView(counts=await portal_counts())
