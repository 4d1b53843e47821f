"""JSON API for opportunities under /api/v1, with the pages' permissions."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import JSONBody

from portal.auth.guards import current_user, login_required, roles_allowed, signed_in_user
from portal.auth.roles import ADMIN, COORDINATOR, EMPLOYER, ENTERPRISE
from portal.i18n import current_language
from portal.i18n import gettext as _
from portal.opportunities import services
from portal.opportunities.schemas import (
    OpportunityCreate,
    OpportunityDetail,
    OpportunityList,
    OpportunityPatch,
    OpportunitySummary,
    SkillRef,
)
from portal.opportunities.validation import PLACE_FIELDS, clean_opportunity
from portal.organisations import services as organisation_services
from portal.organisations.params import Filter, OptionalRecordIdQuery, PageNumber, PerPage, RecordId

_WRITE_ERRORS = [ValidationException, NotAuthorizedException, PermissionDeniedException]
poster = roles_allowed(ADMIN, COORDINATOR, ENTERPRISE, EMPLOYER)


def _invalid(errors: dict[str, str]) -> ValidationException:
    return ValidationException(
        detail="Validation failed", extra=[{"key": key, "message": message} for key, message in errors.items()]
    )


def _detail(row: dict[str, Any]) -> OpportunityDetail:
    skills = {"required_skills", "optional_skills"}
    fields = {name: row[name] for name in OpportunityDetail.__struct_fields__ if name not in skills}
    return OpportunityDetail(
        **fields,
        required_skills=[SkillRef(**entry) for entry in row["required_skills"]],
        optional_skills=[SkillRef(**entry) for entry in row["optional_skills"]],
    )


async def _visible(opp_id: int, request: Request) -> dict[str, Any]:
    try:
        return await services.get_opportunity(opp_id, current_user(request))
    except services.NotFound as exc:
        raise NotFoundException() from exc


async def _organisation(organisation_id: int) -> dict[str, Any] | None:
    try:
        return await organisation_services.get_organisation(organisation_id, None)
    except organisation_services.NotFound:
        return None


class OpportunityApi(Controller):
    path = "/api/v1/opportunities"
    tags = ["opportunities"]

    @get("/", opt={"access": "public"}, raises=[ValidationException])
    async def list_opportunities(
        self,
        request: Request,
        q: Filter = "",
        kind: Filter = "",
        sector: Filter = "",
        country: Filter = "",
        region: Filter = "",
        organisation_id: OptionalRecordIdQuery = None,
        page: PageNumber = 1,
        per_page: PerPage = services.DEFAULT_PER_PAGE,
    ) -> OpportunityList:
        """Search open opportunities; with ``organisation_id``, that organisation's own users and
        admins and coordinators also get its drafts and closed ones."""
        every = organisation_id is not None and services.sees_every_status(current_user(request), organisation_id)
        filters = services.OpportunityFilters(
            q=q,
            kind=kind,
            sector=sector,
            country=country,
            region=region,
            organisation_id=organisation_id,
            statuses=services.EVERY_STATUS if every else services.PUBLIC_STATUSES,
        )
        result = await services.search_opportunities(filters, page=page, per_page=per_page)
        return OpportunityList(
            items=[OpportunitySummary(**row) for row in result.items],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
        )

    @post("/", guards=[poster], raises=_WRITE_ERRORS)
    async def create_opportunity(self, data: JSONBody[OpportunityCreate], request: Request) -> OpportunityDetail:
        """Post an opportunity: enterprise and employer users for their own organisation, admins and
        coordinators for any (``organisation_id`` required)."""
        user = signed_in_user(request)
        organisation_id = data.organisation_id
        if organisation_id is None and not user.manages_network:
            organisation_id = user.organisation_id
        if organisation_id is not None and not services.can_post_for(user, organisation_id):
            raise PermissionDeniedException("you may only post opportunities of your own organisation")
        organisation = await _organisation(organisation_id) if organisation_id is not None else None
        values, errors = clean_opportunity(msgspec.to_builtins(data), organisation=organisation)
        if organisation is None:
            errors = {"organisation_id": _("Choose an organisation from the list."), **errors}
        if errors or organisation is None:  # the latter has an error above
            raise _invalid(errors)
        opp_id = await services.create_opportunity(values, organisation["id"], user, current_language())
        return _detail(await _visible(opp_id, request))

    @get("/{opp_id:int}", opt={"access": "public"}, raises=[NotFoundException, ValidationException])
    async def get_opportunity(self, opp_id: RecordId, request: Request) -> OpportunityDetail:
        """One opportunity; drafts and closed ones only for their organisation and for admins and coordinators."""
        return _detail(await _visible(opp_id, request))

    @patch("/{opp_id:int}", guards=[login_required], raises=[*_WRITE_ERRORS, NotFoundException])
    async def update_opportunity(
        self, opp_id: RecordId, data: JSONBody[OpportunityPatch], request: Request
    ) -> OpportunityDetail:
        """Change some fields: the posting organisation's enterprise or employer users, or admins and coordinators."""
        current = await _visible(opp_id, request)
        if not services.can_edit(current_user(request), current):
            raise PermissionDeniedException("you may not edit this opportunity")
        changes = msgspec.to_builtins(data)  # leaves out the fields not sent
        if any(field in changes for field in PLACE_FIELDS) and not {"latitude", "longitude"} & changes.keys():
            # A new place gets its own coordinates unless new ones are given.
            changes.update(latitude=None, longitude=None)
        organisation = await _organisation(current["organisation_id"])
        values, errors = clean_opportunity(
            {**current, **changes}, organisation=organisation, places_taken=current["places_taken"]
        )
        if not errors:
            try:
                await services.update_opportunity(opp_id, values, current_language())
            except services.Conflict as conflict:
                errors[conflict.field] = conflict.message
        if errors:
            raise _invalid(errors)
        return _detail(await _visible(opp_id, request))
