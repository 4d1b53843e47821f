"""Who may use each opportunity and skills route: shared by their own access test and the all-routes check."""

from __future__ import annotations

from portal.auth.roles import ROLES

PUBLIC = frozenset({"anonymous", *ROLES})
LOGGED_IN = frozenset(ROLES)
MANAGERS = frozenset({"admin", "coordinator"})
POSTERS = frozenset({"admin", "coordinator", "enterprise", "employer"})

# (method, route path) -> who gets through, when the record (or, for a new one, the organisation
# named in the request) belongs to an organisation the user is not a member of.
OPPORTUNITY_RULES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/opportunities"): PUBLIC,
    ("GET", "/opportunities/mine"): frozenset({"enterprise", "employer"}),
    ("GET", "/opportunities/new"): POSTERS,
    ("POST", "/opportunities/new"): MANAGERS,
    ("GET", "/opportunities/{opp_id:int}"): PUBLIC,
    ("GET", "/opportunities/{opp_id:int}/edit"): MANAGERS,
    ("POST", "/opportunities/{opp_id:int}/edit"): MANAGERS,
    ("GET", "/opportunities/{opp_id:int}/candidates"): MANAGERS,
    ("GET", "/api/v1/opportunities"): PUBLIC,
    ("POST", "/api/v1/opportunities"): MANAGERS,
    ("GET", "/api/v1/opportunities/{opp_id:int}"): PUBLIC,
    ("PATCH", "/api/v1/opportunities/{opp_id:int}"): MANAGERS,
    ("GET", "/skills/suggest"): PUBLIC,
    ("POST", "/skills/add"): LOGGED_IN,
}
