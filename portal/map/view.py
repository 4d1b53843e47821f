"""The map's data in one call each: the page (with its lists, the view without JavaScript) and the markers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.geo import REGIONS
from portal.map import services
from portal.opportunities import services as opportunity_services
from portal.organisations import services as organisation_services
from portal.organisations.kinds import COUNTRIES, ORGANISATION_KINDS
from portal.pagination import Page
from portal.settings import get_settings
from portal.vocab import OPPORTUNITY_KINDS

LIST_PER_PAGE = 20


def clean_filters(kind: str, region: str, opportunity_kind: str, show: str) -> services.MapFilters:
    """The filters, each dropped when it is not one of its known values (a stale or typed link)."""
    known_regions = {name for names in REGIONS.values() for name in names}
    return services.MapFilters(
        kind=kind if kind in ORGANISATION_KINDS else "",
        region=region if region in known_regions else "",
        opportunity_kind=opportunity_kind if opportunity_kind in OPPORTUNITY_KINDS else "",
        show=show if show in services.LAYERS else "",
    )


@dataclass(frozen=True)
class MapPage:
    """The map page: the filters, where it opens, each shown layer's list page, and (signed in) the gaps."""

    filters: services.MapFilters
    home_bounds: tuple[float, float, float, float]
    organisations: Page | None  # None when the layer is not shown
    opportunities: Page | None
    gaps: list[dict[str, Any]] | None  # placement gaps per region, for signed-in users only

    def template_context(self) -> dict[str, Any]:
        """The names ``map/index.html`` reads."""
        return {
            "filters": self.filters,
            "kinds": ORGANISATION_KINDS,
            "opportunity_kinds": OPPORTUNITY_KINDS,
            "countries": COUNTRIES,
            "regions": REGIONS,
            "settings": get_settings(),
            "home_bounds": self.home_bounds,
            "organisations": self.organisations,
            "opportunities": self.opportunities,
            "gaps": self.gaps,
        }


async def map_view(signed_in: bool, filters: services.MapFilters, page: int = 1, opportunity_page: int = 1) -> MapPage:
    """The map page; organisations and open opportunities are public, the gaps layer is for signed-in users."""
    gaps = await services.region_gaps() if signed_in else None
    organisations = opportunities = None
    if "organisations" in filters.layers:
        organisations = await organisation_services.search_organisations(
            organisation_services.DirectoryFilters(kind=filters.kind, region=filters.region),
            page=page,
            per_page=LIST_PER_PAGE,
        )
    if "opportunities" in filters.layers:
        opportunities = await opportunity_services.search_opportunities(
            opportunity_services.OpportunityFilters(kind=filters.opportunity_kind, region=filters.region),
            page=opportunity_page,
            per_page=LIST_PER_PAGE,
        )
    return MapPage(filters, services.bounds_of(filters.region), organisations, opportunities, gaps)


@dataclass(frozen=True)
class MapPoints:
    """The markers (or clusters) of each shown layer inside a box, and (signed in) the gaps per region."""

    layers: dict[str, dict[str, Any]]
    gaps: list[dict[str, Any]] | None

    def as_json(self) -> dict[str, Any]:
        """The answer of ``/map/points``: ``limit``, ``layers``, and ``gaps`` only for signed-in users."""
        answer: dict[str, Any] = {"limit": services.POINT_LIMIT, "layers": self.layers}
        if self.gaps is not None:
            answer["gaps"] = self.gaps
        return answer


async def points_view(signed_in: bool, filters: services.MapFilters, box: services.Box) -> MapPoints:
    layers = {layer: await services.layer_view(layer, filters, box) for layer in filters.layers}
    return MapPoints(layers, await services.region_gaps() if signed_in else None)
