"""JSON shapes of the organisations API, one per direction."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

ShortText = Annotated[str, msgspec.Meta(max_length=200)]


class OrganisationSummary(msgspec.Struct):
    id: int
    name: str
    slug: str
    kind: str
    country: str
    region: str
    municipality: str


class OrganisationDetail(msgspec.Struct):
    id: int
    name: str
    slug: str
    kind: str
    country: str
    region: str
    municipality: str
    address: str
    postcode: str
    latitude: float | None
    longitude: float | None
    languages: list[str]
    email: str
    phone: str
    website: str
    contact_person: str | None = msgspec.field(default=None)
    description: str = ""
    registry_id: str = ""


class OrganisationWrite(msgspec.Struct, forbid_unknown_fields=True):
    """Fields of a new organisation; on update every field is optional and omitted ones stay."""

    name: Annotated[str, msgspec.Meta(max_length=200)]
    kind: Annotated[str, msgspec.Meta(max_length=40)]
    country: Annotated[str, msgspec.Meta(max_length=2)]
    region: Annotated[str, msgspec.Meta(max_length=100)]
    municipality: Annotated[str, msgspec.Meta(max_length=100)]
    address: ShortText = ""
    postcode: Annotated[str, msgspec.Meta(max_length=20)] = ""
    latitude: float | None = None
    longitude: float | None = None
    languages: Annotated[list[Annotated[str, msgspec.Meta(max_length=5)]], msgspec.Meta(max_length=10)] = []
    email: ShortText = ""
    phone: Annotated[str, msgspec.Meta(max_length=50)] = ""
    website: Annotated[str, msgspec.Meta(max_length=300)] = ""
    contact_person: ShortText = ""
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    registry_id: Annotated[str, msgspec.Meta(max_length=50)] = ""


class OrganisationPatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    kind: Annotated[str, msgspec.Meta(max_length=40)] | msgspec.UnsetType = msgspec.UNSET
    country: Annotated[str, msgspec.Meta(max_length=2)] | msgspec.UnsetType = msgspec.UNSET
    region: Annotated[str, msgspec.Meta(max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    municipality: Annotated[str, msgspec.Meta(max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    address: ShortText | msgspec.UnsetType = msgspec.UNSET
    postcode: Annotated[str, msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    latitude: float | None | msgspec.UnsetType = msgspec.UNSET
    longitude: float | None | msgspec.UnsetType = msgspec.UNSET
    languages: (
        Annotated[list[Annotated[str, msgspec.Meta(max_length=5)]], msgspec.Meta(max_length=10)] | msgspec.UnsetType
    ) = msgspec.UNSET
    email: ShortText | msgspec.UnsetType = msgspec.UNSET
    phone: Annotated[str, msgspec.Meta(max_length=50)] | msgspec.UnsetType = msgspec.UNSET
    website: Annotated[str, msgspec.Meta(max_length=300)] | msgspec.UnsetType = msgspec.UNSET
    contact_person: ShortText | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=5000)] | msgspec.UnsetType = msgspec.UNSET
    registry_id: Annotated[str, msgspec.Meta(max_length=50)] | msgspec.UnsetType = msgspec.UNSET


class OrganisationList(msgspec.Struct):
    items: list[OrganisationSummary]
    total: int
    page: int
    per_page: int
    pages: int


class Relationship(msgspec.Struct):
    id: int
    source_id: int
    source_name: str
    target_id: int
    target_name: str
    kind: str
    since: dt.date | None
    until: dt.date | None
    strength: int
    note: str


class RelationshipCreate(msgspec.Struct, forbid_unknown_fields=True):
    source_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    target_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    kind: Annotated[str, msgspec.Meta(max_length=40)]
    since: dt.date | None = None
    until: dt.date | None = None
    strength: Annotated[int, msgspec.Meta(ge=1, le=5)] = 3
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class RelationshipPatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    kind: Annotated[str, msgspec.Meta(max_length=40)] | msgspec.UnsetType = msgspec.UNSET
    since: dt.date | None | msgspec.UnsetType = msgspec.UNSET
    until: dt.date | None | msgspec.UnsetType = msgspec.UNSET
    strength: Annotated[int, msgspec.Meta(ge=1, le=5)] | msgspec.UnsetType = msgspec.UNSET
    note: Annotated[str, msgspec.Meta(max_length=1000)] | msgspec.UnsetType = msgspec.UNSET


class RelationshipList(msgspec.Struct):
    items: list[Relationship]
    total: int
    page: int
    per_page: int
    pages: int
