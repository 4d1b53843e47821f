"""JSON API for organisations and relationships under /api/v1, with the pages' permissions."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import JSONBody

from portal.auth.guards import current_user, login_required, network_manager, signed_in_user
from portal.organisations import services
from portal.organisations.access import editable_relationship
from portal.organisations.params import Filter, OptionalRecordIdQuery, PageNumber, PerPage, RecordId
from portal.organisations.schemas import (
    OrganisationDetail,
    OrganisationList,
    OrganisationPatch,
    OrganisationSummary,
    OrganisationWrite,
    Relationship,
    RelationshipCreate,
    RelationshipList,
    RelationshipPatch,
)
from portal.organisations.validation import check_member_changes, clean_organisation, clean_relationship
from portal.vocab import split_codes

_WRITE_ERRORS = [ValidationException, NotAuthorizedException, PermissionDeniedException]


def _invalid(errors: dict[str, str]) -> ValidationException:
    return ValidationException(
        detail="Validation failed", extra=[{"key": key, "message": message} for key, message in errors.items()]
    )


def _detail(row: dict[str, Any]) -> OrganisationDetail:
    fields = {name: row[name] for name in OrganisationDetail.__struct_fields__ if name != "languages"}
    return OrganisationDetail(**fields, languages=split_codes(row["languages"]))


async def _get_or_404(org_id: int, request: Request) -> dict[str, Any]:
    try:
        return await services.get_organisation(org_id, current_user(request))
    except services.NotFound as exc:
        raise NotFoundException() from exc


def _relationship(row: dict[str, Any], request: Request) -> Relationship:
    """Notes are working remarks between partners: only for logged-in users."""
    return Relationship(**{**row, "note": row["note"] if current_user(request) else ""})


class OrganisationApi(Controller):
    path = "/api/v1/organisations"
    tags = ["organisations"]

    @get("/", opt={"access": "public"}, raises=[ValidationException])
    async def list_organisations(
        self,
        q: Filter = "",
        kind: Filter = "",
        country: Filter = "",
        region: Filter = "",
        municipality: Filter = "",
        page: PageNumber = 1,
        per_page: PerPage = services.DEFAULT_PER_PAGE,
    ) -> OrganisationList:
        """Search the directory; the same filters as the directory page."""
        filters = services.DirectoryFilters(q=q, kind=kind, country=country, region=region, municipality=municipality)
        result = await services.search_organisations(filters, page=page, per_page=per_page)
        return OrganisationList(
            items=[OrganisationSummary(**row) for row in result.items],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
        )

    @post("/", guards=[network_manager], raises=_WRITE_ERRORS)
    async def create_organisation(self, data: JSONBody[OrganisationWrite], request: Request) -> OrganisationDetail:
        """Add an organisation (admins and coordinators)."""
        values, errors = clean_organisation(msgspec.structs.asdict(data))
        if errors:
            raise _invalid(errors)
        org_id = await services.create_organisation(values)
        return _detail(await _get_or_404(org_id, request))

    @get("/{org_id:int}", opt={"access": "public"}, raises=[NotFoundException, ValidationException])
    async def get_organisation(self, org_id: RecordId, request: Request) -> OrganisationDetail:
        """One organisation; contact persons only for logged-in users."""
        return _detail(await _get_or_404(org_id, request))

    @patch("/{org_id:int}", guards=[login_required], raises=[*_WRITE_ERRORS, NotFoundException])
    async def update_organisation(
        self, org_id: RecordId, data: JSONBody[OrganisationPatch], request: Request
    ) -> OrganisationDetail:
        """Change some fields: admins and coordinators on any organisation, others on their own."""
        if not services.can_edit_organisation(signed_in_user(request), org_id):
            raise PermissionDeniedException("you may not edit this organisation")
        current = await _get_or_404(org_id, request)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        values, errors = clean_organisation({**current, **changes})
        if not errors and not signed_in_user(request).manages_network:
            errors = check_member_changes(current, values)
        if errors:
            raise _invalid(errors)
        await services.update_organisation(org_id, values)
        return _detail(await _get_or_404(org_id, request))


class RelationshipApi(Controller):
    path = "/api/v1/relationships"
    tags = ["relationships"]

    @get("/", opt={"access": "public"}, raises=[ValidationException])
    async def list_relationships(
        self,
        request: Request,
        organisation_id: OptionalRecordIdQuery = None,
        kind: Filter = "",
        page: PageNumber = 1,
        per_page: PerPage = services.DEFAULT_PER_PAGE,
    ) -> RelationshipList:
        """Relationships, optionally those of one organisation or of one kind."""
        result = await services.list_relationships(organisation_id, kind=kind, page=page, per_page=per_page)
        return RelationshipList(
            items=[_relationship(row, request) for row in result.items],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
        )

    @post("/", guards=[login_required], raises=_WRITE_ERRORS)
    async def create_relationship(self, data: JSONBody[RelationshipCreate], request: Request) -> Relationship:
        """Tie two organisations; users of one of them, or admins and coordinators."""
        user = current_user(request)
        if not services.can_edit_relationship(user, {"source_id": data.source_id, "target_id": data.target_id}):
            raise PermissionDeniedException("you may only add relationships of your own organisation")
        values, errors = clean_relationship(msgspec.structs.asdict(data))
        errors.update(services.programme_kind_error(user, values["kind"]))
        if errors:
            raise _invalid(errors)
        values = {k: values[k] for k in ("kind", "since", "until", "strength", "note")}
        try:
            rel_id = await services.create_relationship(data.source_id, data.target_id, values)
        except services.Conflict as conflict:
            raise _invalid({conflict.field: conflict.message}) from conflict
        return Relationship(**await services.get_relationship(rel_id))

    @get("/{rel_id:int}", opt={"access": "public"}, raises=[NotFoundException, ValidationException])
    async def get_relationship(self, rel_id: RecordId, request: Request) -> Relationship:
        try:
            return _relationship(await services.get_relationship(rel_id), request)
        except services.NotFound as exc:
            raise NotFoundException() from exc

    @patch("/{rel_id:int}", guards=[login_required], raises=[*_WRITE_ERRORS, NotFoundException])
    async def update_relationship(
        self, rel_id: RecordId, data: JSONBody[RelationshipPatch], request: Request
    ) -> Relationship:
        tie = await editable_relationship(request, rel_id)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        values, errors = clean_relationship({**tie, **changes})
        errors.update(services.programme_kind_error(current_user(request), values["kind"]))
        if errors:
            raise _invalid(errors)
        try:
            await services.update_relationship(rel_id, values)
        except services.Conflict as conflict:
            raise _invalid({conflict.field: conflict.message}) from conflict
        return Relationship(**await services.get_relationship(rel_id))

    @delete("/{rel_id:int}", guards=[login_required], raises=[*_WRITE_ERRORS, NotFoundException])
    async def delete_relationship(self, rel_id: RecordId, request: Request) -> None:
        await editable_relationship(request, rel_id)
        await services.delete_relationship(rel_id)
