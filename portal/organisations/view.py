"""The organisation page's data in one call: the organisation, its ties, mentoring figures and training."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.geo import REGIONS
from portal.organisations import services
from portal.organisations.kinds import COUNTRIES, ORGANISATION_KINDS, RELATIONSHIP_KINDS, SPOKEN_LANGUAGES
from portal.organisations.params import is_record_id
from portal.placements import mentor_figures  # "offers a mentor", backed by numbers
from portal.training.services import upcoming_for_organisation  # the training area lists on this page


def choices() -> dict[str, Any]:
    """The code → name lists the organisation form and page show."""
    return {
        "kinds": ORGANISATION_KINDS,
        "countries": COUNTRIES,
        "spoken_languages": SPOKEN_LANGUAGES,
        "relationship_kinds": RELATIONSHIP_KINDS,
        "known_regions": REGIONS,
    }


@dataclass(frozen=True)
class OrganisationView:
    """Everything the organisation page shows; the tie form's choices only for those who may edit."""

    org: dict[str, Any]
    mentor_figures: dict[str, int | None] | None  # the counts shown, or None when it offers no mentor
    training_events: list[dict[str, Any]]
    ties: list[dict[str, Any]]  # each seen from this organisation (portal.organisations.services.relationships_of)
    can_edit: bool
    others: list[dict[str, Any]] = field(default_factory=list)  # organisations to tie to, for the search
    more_others: bool = False
    org_q: str = ""
    tie: dict[str, Any] = field(default_factory=dict)  # the tie form that was refused
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def status_code(self) -> int:
        return 422 if self.errors else 200

    def template_context(self) -> dict[str, Any]:
        """The names ``organisations/detail.html`` reads."""
        return {
            "org": self.org,
            "mentor_figures": self.mentor_figures,
            "training_events": self.training_events,
            "ties": self.ties,
            "can_edit": self.can_edit,
            "others": self.others,
            "more_others": self.more_others,
            "org_q": self.org_q,
            "tie": self.tie,
            "errors": self.errors,
            **choices(),
        }


async def organisation_view(
    user: CurrentUser | None,
    org_id: int,
    tie: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    org_q: str = "",
) -> OrganisationView:
    """The page of one organisation as ``user`` (None for a visitor) sees it; raises ``services.NotFound``."""
    org = await services.get_organisation(org_id, user)
    can_edit = services.can_edit_organisation(user, org_id)
    tie = tie or {}
    others: list[dict[str, Any]] = []
    more = False
    if can_edit:
        chosen = str(tie.get("other_id") or "")
        others, more = await services.organisation_choices(org_q, int(chosen) if is_record_id(chosen) else None)
    offers = await mentor_figures.organisation_offers_mentor(org_id)
    return OrganisationView(
        org=org,
        mentor_figures=await mentor_figures.figures(org_id) if offers else None,
        training_events=await upcoming_for_organisation(org_id),
        ties=await services.relationships_of(org_id),
        can_edit=can_edit,
        others=others,
        more_others=more,
        org_q=org_q,
        tie=tie,
        errors=errors or {},
    )
