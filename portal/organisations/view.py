"""Each organisation page's data in one call: the directory, the organisation (ties, mentoring, training), the forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.geo import REGIONS
from portal.i18n import gettext as _
from portal.organisations import services
from portal.organisations.kinds import COUNTRIES, ORGANISATION_KINDS, RELATIONSHIP_KINDS, SPOKEN_LANGUAGES
from portal.organisations.params import is_record_id
from portal.organisations.validation import check_member_changes, clean_organisation, clean_relationship
from portal.outcomes import FormErrors, PageOutcome
from portal.placements import mentor_figures  # "offers a mentor", backed by numbers
from portal.service_errors import Forbidden
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
class OrganisationView(FormErrors):
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


# --- The directory and the forms: one call each, taking plain values (parsed form, user, ids).


@dataclass(frozen=True)
class Directory:
    """One page of the directory, and the filter lists unless only the results are asked for."""

    filters: services.DirectoryFilters
    results: Any
    options: dict[str, Any]

    def template_context(self) -> dict[str, Any]:
        return {"filters": self.filters, "results": self.results, "options": self.options, **choices()}


async def directory_view(filters: services.DirectoryFilters, page: int, *, results_only: bool) -> Directory:
    results = await services.search_organisations(filters, page=page)
    # The fragment carries results only: skip the two queries that fill the filter lists.
    options = {} if results_only else await services.filter_options()
    return Directory(filters=filters, results=results, options=options)


def _require_edit(user: CurrentUser | None, org_id: int) -> None:
    if not services.can_edit_organisation(user, org_id):
        raise Forbidden("you may not edit this organisation")


async def organisation_form(user: CurrentUser, org_id: int) -> PageOutcome:
    """The form to edit an organisation; Forbidden for one the user may not edit, ``services.NotFound`` if absent."""
    _require_edit(user, org_id)
    org = await services.get_organisation(org_id, user)
    return PageOutcome.show({"org": org, "stored": org, "errors": {}, **choices()})


async def create_organisation(data: dict[str, Any]) -> PageOutcome:
    """Add an organisation from the form's ``data``, or the form again with what is wrong."""
    values, errors = clean_organisation(data)
    if errors:
        return PageOutcome.refuse({"org": data, "errors": errors, **choices()})
    org_id = await services.create_organisation(values)
    return PageOutcome.go(f"/organisations/{org_id}")


async def update_organisation(user: CurrentUser, org_id: int, data: dict[str, Any]) -> PageOutcome:
    """Change an organisation; Forbidden for one the user may not edit, ``services.NotFound`` if absent."""
    _require_edit(user, org_id)
    stored = await services.get_organisation(org_id, user)
    values, errors = clean_organisation(data)
    if not errors and not user.manages_network:
        errors = check_member_changes(stored, values)
    if errors:
        return PageOutcome.refuse({"org": data, "stored": stored, "errors": errors, **choices()})
    await services.update_organisation(org_id, values)
    return PageOutcome.go(f"/organisations/{org_id}")


async def add_relationship(user: CurrentUser, org_id: int, data: dict[str, Any], *, fragment: bool) -> PageOutcome:
    """Tie ``org_id`` to another organisation; the ties again for a ``fragment``, else back to the page."""
    _require_edit(user, org_id)
    await services.get_organisation(org_id, user)
    values, errors = clean_relationship(data)
    errors.update(services.programme_kind_error(user, values["kind"]))
    other_id = str(data.get("other_id") or "")
    if not is_record_id(other_id):
        errors["other_id"] = _("Choose an organisation from the list.")
    if not errors:
        # The form says which way the tie points, seen from this organisation.
        source, target = (org_id, int(other_id))
        if data.get("direction") == "incoming":
            source, target = target, source
        try:
            await services.create_relationship(source, target, values)
        except services.Conflict as conflict:
            errors["other_id" if conflict.field == "target_id" else conflict.field] = conflict.message
    if errors:
        page = await organisation_view(user, org_id, tie=data, errors=errors)
        return PageOutcome.refuse(page.template_context())
    if fragment:
        return PageOutcome.show((await organisation_view(user, org_id)).template_context())
    return PageOutcome.go(f"/organisations/{org_id}#relationships")


async def _editable_tie(user: CurrentUser, rel_id: int) -> dict[str, Any]:
    """The relationship if ``user`` may change it: ``services.NotFound`` if absent, else Forbidden."""
    tie = await services.get_relationship(rel_id)
    if not services.can_edit_relationship(user, tie):
        raise Forbidden("you may not edit this relationship")
    return tie


def back_to(requested: str, tie: dict[str, Any]) -> int:
    """Return to the organisation page the edit started from, if it is one of the tie's ends."""
    ends = (tie["source_id"], tie["target_id"])
    return int(requested) if is_record_id(requested) and int(requested) in ends else ends[0]


async def relationship_form(user: CurrentUser, rel_id: int, back: str) -> PageOutcome:
    """The form to edit a relationship; raises ``services.NotFound`` or Forbidden."""
    tie = await _editable_tie(user, rel_id)
    return PageOutcome.show({"tie": tie, "errors": {}, "back": back_to(back, tie), **choices()})


async def update_relationship(user: CurrentUser, rel_id: int, data: dict[str, Any]) -> PageOutcome:
    """Change a relationship from the form's ``data``; raises ``services.NotFound`` or Forbidden."""
    tie = await _editable_tie(user, rel_id)
    back = back_to(str(data.get("back") or ""), tie)
    values, errors = clean_relationship(data)
    errors.update(services.programme_kind_error(user, values["kind"]))
    if not errors:
        try:
            await services.update_relationship(rel_id, values)
        except services.Conflict as conflict:
            errors[conflict.field] = conflict.message
    if errors:
        return PageOutcome.refuse({"tie": {**tie, **data}, "errors": errors, "back": back, **choices()})
    return PageOutcome.go(f"/organisations/{back}#relationships")


async def delete_relationship(user: CurrentUser, rel_id: int, back: str) -> PageOutcome:
    """Remove a relationship, back to the page of one of its ends; raises ``services.NotFound`` or Forbidden."""
    tie = await _editable_tie(user, rel_id)
    await services.delete_relationship(rel_id)
    return PageOutcome.go(f"/organisations/{back_to(back, tie)}#relationships")
