"""Who may use each opportunity, skills and training route: shared by their own access tests and the all-routes check."""

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

# (method, route) -> who gets through, for an event organised by an organisation the user is not in and
# a registration of somebody else. Merged into the completeness check of test_permissions.py.
TRAINING_RULES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/training"): LOGGED_IN,
    ("GET", "/training/public"): PUBLIC,
    ("GET", "/training/events/new"): MANAGERS,
    ("POST", "/training/events/new"): MANAGERS,
    ("GET", "/training/events/{event_id:int}"): LOGGED_IN,
    ("GET", "/training/events/{event_id:int}/edit"): MANAGERS,
    ("POST", "/training/events/{event_id:int}/edit"): MANAGERS,
    ("POST", "/training/events/{event_id:int}/register"): LOGGED_IN,
    ("POST", "/training/events/{event_id:int}/register-staff"): MANAGERS,
    ("POST", "/training/registrations/{registration_id:int}/cancel"): MANAGERS,
    ("GET", "/training/events/{event_id:int}/attendance"): MANAGERS,
    ("POST", "/training/events/{event_id:int}/attendance"): MANAGERS,
    ("GET", "/training/events/{event_id:int}/sign-in-sheet"): MANAGERS,
    ("POST", "/training/events/{event_id:int}/materials"): MANAGERS,
    ("GET", "/training/materials/{material_id:int}"): LOGGED_IN,
    ("POST", "/training/materials/{material_id:int}/delete"): MANAGERS,
    ("GET", "/training/public/events/{event_id:int}/register"): PUBLIC,
    ("POST", "/training/public/events/{event_id:int}/register"): PUBLIC,
    ("GET", "/training/calendar/{feed:str}"): PUBLIC,
    ("GET", "/training/calendar/region/{region:str}"): PUBLIC,
    ("GET", "/training/programmes/new"): MANAGERS,
    ("POST", "/training/programmes/new"): MANAGERS,
    ("GET", "/training/programmes/{programme_id:int}"): LOGGED_IN,
    ("GET", "/training/programmes/{programme_id:int}/edit"): MANAGERS,
    ("POST", "/training/programmes/{programme_id:int}/edit"): MANAGERS,
}
