"""The opportunity page's data in one call: the opportunity, what the reader may do, the host's mentor figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.opportunities import services
from portal.placements import mentor_figures


@dataclass(frozen=True)
class OpportunityView:
    """What the opportunity page shows ``user``; ``mentor_figures`` only when it says it offers a mentor."""

    opp: dict[str, Any]
    can_edit: bool
    can_see_candidates: bool
    mentor_figures: dict[str, int | None] | None

    def template_context(self) -> dict[str, Any]:
        """The names ``opportunities/detail.html`` reads (besides the vocabularies)."""
        return {
            "opp": self.opp,
            "can_edit": self.can_edit,
            "can_see_candidates": self.can_see_candidates,
            "mentor_figures": self.mentor_figures,
        }


async def opportunity_view(user: CurrentUser | None, opp_id: int) -> OpportunityView:
    """The opportunity as ``user`` (None for a visitor) may see it; raises ``services.NotFound``."""
    opportunity = await services.get_opportunity(opp_id, user)
    offers = mentor_figures.offers_mentor(opportunity["support_offered"])
    return OpportunityView(
        opp=opportunity,
        can_edit=services.can_edit(user, opportunity),
        can_see_candidates=services.can_see_candidates(user, opportunity),
        mentor_figures=await mentor_figures.figures(opportunity["organisation_id"]) if offers else None,
    )
