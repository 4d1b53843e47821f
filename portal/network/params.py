"""Query parameters of the network pages and API."""

from typing import Annotated, Literal

from litestar.params import QueryParameter

from portal.organisations.params import _MAX_ID

Sort = Annotated[
    Literal["name", "degree", "weighted_degree", "betweenness", "pagerank", "cross_border_ties", "community"],
    QueryParameter(description="Column to sort by: numbers largest first, names alphabetically."),
]
RecordIdQuery = Annotated[int, QueryParameter(ge=1, le=_MAX_ID)]
