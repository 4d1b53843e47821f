"""Query parameters of the network pages and API."""

from typing import Annotated, Literal

from litestar.params import QueryParameter

from portal.organisations.params import _MAX_ID

# Literal[...] from the kinds tuples would hide the choices from type checkers; tests/unit/test_demo_network.py
# checks they agree with network.records.
OrganisationKind = Literal[
    "social_work_centre",
    "employment_office",
    "ministry",
    "development_agency",
    "municipality",
    "adult_education",
    "ngo",
    "social_enterprise",
    "employer",
    "health_provider",
    "research",
    "other",
]
TieKind = Literal[
    "project_partner",
    "associated_partner",
    "referral_agreement",
    "cooperation",
    "funding",
    "membership",
    "referrals",
    "met_at",
]

Sort = Annotated[
    Literal["name", "degree", "weighted_degree", "betweenness", "pagerank", "cross_border_ties", "community"],
    QueryParameter(description="Column to sort by: numbers largest first, names alphabetically."),
]
RecordIdQuery = Annotated[int, QueryParameter(ge=1, le=_MAX_ID)]
KindQuery = Annotated[OrganisationKind | None, QueryParameter(description="Only organisations of this kind.")]
CountryQuery = Annotated[
    str | None, QueryParameter(min_length=1, max_length=2, description="Only organisations in this country (code).")
]
RegionQuery = Annotated[
    str | None, QueryParameter(min_length=1, max_length=100, description="Only organisations in this region.")
]
TieQuery = Annotated[
    TieKind | None,
    QueryParameter(
        description='Only ties of this kind ("referrals": ties made of referrals alone; "met_at": organisations '
        "whose staff only met at training events)."
    ),
]
FocusQuery = Annotated[
    int | None,
    QueryParameter(ge=1, le=_MAX_ID, description="Only this organisation and those within `depth` ties of it."),
]
DepthQuery = Annotated[int, QueryParameter(ge=1, le=4, description="Ties away from the focus.")]
IncludeQuery = Annotated[
    list[int] | None,
    QueryParameter(
        max_items=100,
        description="Organisations to show whatever the filter, with the ties among them (e.g. the steps of a chain).",
    ),
]
SearchQuery = Annotated[
    str,
    QueryParameter(
        min_length=1, max_length=100, description="Part of a name; case and diacritics are ignored, words in any order."
    ),
]
GraphLimit = Annotated[
    int, QueryParameter(ge=1, le=1500, description="At most this many organisations (the most central, or nearest).")
]
MembersShown = Annotated[
    int, QueryParameter(ge=0, le=1000, description="Members listed per community, best-tied first (at most 1,000).")
]
