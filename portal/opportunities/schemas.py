"""JSON shapes of the opportunities API, one per direction."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

Code = Annotated[str, msgspec.Meta(max_length=40)]
Codes = Annotated[list[Annotated[str, msgspec.Meta(max_length=40)]], msgspec.Meta(max_length=20)]
Title = Annotated[str, msgspec.Meta(max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=5000)]
Place = Annotated[str, msgspec.Meta(max_length=100)]
Country = Annotated[str, msgspec.Meta(max_length=2)]
Whole = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]
OrganisationId = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class SkillRef(msgspec.Struct, forbid_unknown_fields=True):
    """A skill: an ESCO concept (``uri``) with its label, or free text with an empty ``uri``."""

    label: Annotated[str, msgspec.Meta(max_length=200)] = ""
    uri: Annotated[str, msgspec.Meta(max_length=200)] = ""


Skills = Annotated[list[SkillRef], msgspec.Meta(max_length=30)]


class OpportunitySummary(msgspec.Struct):
    id: int
    organisation_id: int
    organisation_name: str
    kind: str
    title: str
    sector: str
    country: str
    region: str
    municipality: str
    hours_per_week: int
    starts_on: dt.date | None
    ends_on: dt.date | None
    capacity: int
    places_taken: int
    places_left: int
    status: str


class OpportunityDetail(msgspec.Struct):
    id: int
    organisation_id: int
    organisation_name: str
    kind: str
    title: str
    description: str
    required_skills: list[SkillRef]
    optional_skills: list[SkillRef]
    sector: str
    country: str
    region: str
    municipality: str
    latitude: float | None
    longitude: float | None
    hours_per_week: int
    starts_on: dt.date | None
    ends_on: dt.date | None
    capacity: int
    places_taken: int
    places_left: int
    support_offered: list[str]
    languages: list[str]
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime


class OpportunityCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new opportunity. Enterprise and employer users may leave out ``organisation_id`` (their own);
    admins and coordinators must give it. The place defaults to the organisation's; skills without a
    ``uri`` that match a vocabulary label get its URI."""

    kind: Code
    title: Title
    sector: Code
    hours_per_week: Whole
    capacity: Whole
    organisation_id: OrganisationId | None = None
    description: Description = ""
    required_skills: Skills = []
    optional_skills: Skills = []
    country: Country = ""
    region: Place = ""
    municipality: Place = ""
    latitude: float | None = None
    longitude: float | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    support_offered: Codes = []
    languages: Codes = []
    status: Code = "draft"


class OpportunityPatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Fields to change; omitted ones stay. The organisation and the places taken cannot be changed here."""

    kind: Code | msgspec.UnsetType = msgspec.UNSET
    title: Title | msgspec.UnsetType = msgspec.UNSET
    sector: Code | msgspec.UnsetType = msgspec.UNSET
    hours_per_week: Whole | msgspec.UnsetType = msgspec.UNSET
    capacity: Whole | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    required_skills: Skills | msgspec.UnsetType = msgspec.UNSET
    optional_skills: Skills | msgspec.UnsetType = msgspec.UNSET
    country: Country | msgspec.UnsetType = msgspec.UNSET
    region: Place | msgspec.UnsetType = msgspec.UNSET
    municipality: Place | msgspec.UnsetType = msgspec.UNSET
    latitude: float | None | msgspec.UnsetType = msgspec.UNSET
    longitude: float | None | msgspec.UnsetType = msgspec.UNSET
    starts_on: dt.date | None | msgspec.UnsetType = msgspec.UNSET
    ends_on: dt.date | None | msgspec.UnsetType = msgspec.UNSET
    support_offered: Codes | msgspec.UnsetType = msgspec.UNSET
    languages: Codes | msgspec.UnsetType = msgspec.UNSET
    status: Code | msgspec.UnsetType = msgspec.UNSET


class OpportunityList(msgspec.Struct):
    items: list[OpportunitySummary]
    total: int
    page: int
    per_page: int
    pages: int
