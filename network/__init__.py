"""Partner-network analytics on plain records: graph building, metrics, paths, gaps, suggestions and exchange."""

from network.build import build_graph, tie_weight
from network.encounters import is_met_at_only, met_at_ties, met_at_weight, working_ties
from network.exchange import from_gexf, from_graphml, from_json, to_gexf, to_graphml, to_json
from network.gaps import REQUIRED_KINDS, missing_kinds, placement_gaps, worst_gaps
from network.geo import haversine_km
from network.metrics import (
    BETWEENNESS_BUDGET,
    MIN_BETWEENNESS_PIVOTS,
    betweenness_pivots,
    centrality,
    communities,
    cross_border,
    fragility,
    summary,
    weakly_tied,
)
from network.paths import neighbourhood, shortest_chain
from network.records import (
    HOST_KINDS,
    ORGANISATION_KINDS,
    REFERRER_KINDS,
    RELATIONSHIP_KINDS,
    Demand,
    OpenPlaces,
    Organisation,
    ReferralFlow,
    Relationship,
)
from network.spreadsheet import read_spreadsheet, write_spreadsheet
from network.suggestions import suggest_for_each, suggest_network_wide, suggest_partnerships

__all__ = [
    "BETWEENNESS_BUDGET",
    "HOST_KINDS",
    "ORGANISATION_KINDS",
    "REFERRER_KINDS",
    "RELATIONSHIP_KINDS",
    "REQUIRED_KINDS",
    "MIN_BETWEENNESS_PIVOTS",
    "Demand",
    "OpenPlaces",
    "Organisation",
    "ReferralFlow",
    "Relationship",
    "betweenness_pivots",
    "build_graph",
    "centrality",
    "communities",
    "cross_border",
    "fragility",
    "from_gexf",
    "from_graphml",
    "from_json",
    "haversine_km",
    "is_met_at_only",
    "met_at_ties",
    "met_at_weight",
    "missing_kinds",
    "neighbourhood",
    "placement_gaps",
    "read_spreadsheet",
    "shortest_chain",
    "suggest_for_each",
    "suggest_network_wide",
    "suggest_partnerships",
    "summary",
    "tie_weight",
    "to_gexf",
    "to_graphml",
    "to_json",
    "weakly_tied",
    "working_ties",
    "worst_gaps",
    "write_spreadsheet",
]
