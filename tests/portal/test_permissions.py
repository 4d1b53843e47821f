"""Every route has an access rule, and every role outside it is refused."""

from __future__ import annotations

import pytest

from portal.auth.roles import ROLES
from tests.fixtures import csrf_token, login

PUBLIC = frozenset({"anonymous", *ROLES})
LOGGED_IN = frozenset(ROLES)
MANAGERS = frozenset({"admin", "coordinator"})

# (method, route path) -> who gets through. Record ids below belong to organisations none of
# the test users is a member of, so the "own organisation" exception never applies here.
RULES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/health"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): LOGGED_IN,
    ("POST", "/language"): PUBLIC,
    ("GET", "/account"): LOGGED_IN,
    ("POST", "/account"): LOGGED_IN,
    ("GET", "/account/password"): LOGGED_IN,
    ("POST", "/account/password"): LOGGED_IN,
    ("GET", "/account/sessions"): LOGGED_IN,
    # Another user's session id is a 404 for everyone (checked in test_account_self_service).
    ("POST", "/account/sessions/{session_id:int}/end"): LOGGED_IN,
    ("POST", "/account/sessions/end-others"): LOGGED_IN,
    ("GET", "/password/forgot"): PUBLIC,
    ("POST", "/password/forgot"): PUBLIC,
    ("GET", "/password/reset/{token:str}"): PUBLIC,
    ("POST", "/password/reset/{token:str}"): PUBLIC,
    ("GET", "/organisations"): PUBLIC,
    ("GET", "/organisations/new"): MANAGERS,
    ("POST", "/organisations/new"): MANAGERS,
    ("GET", "/organisations/{org_id:int}"): PUBLIC,
    ("GET", "/organisations/choices"): PUBLIC,
    ("GET", "/organisations/{org_id:int}/edit"): MANAGERS,
    ("POST", "/organisations/{org_id:int}/edit"): MANAGERS,
    ("POST", "/organisations/{org_id:int}/relationships"): MANAGERS,
    ("GET", "/relationships/{rel_id:int}/edit"): MANAGERS,
    ("POST", "/relationships/{rel_id:int}/edit"): MANAGERS,
    ("POST", "/relationships/{rel_id:int}/delete"): MANAGERS,
    ("GET", "/api/v1/organisations"): PUBLIC,
    ("POST", "/api/v1/organisations"): MANAGERS,
    ("GET", "/api/v1/organisations/{org_id:int}"): PUBLIC,
    ("PATCH", "/api/v1/organisations/{org_id:int}"): MANAGERS,
    ("GET", "/api/v1/relationships"): PUBLIC,
    ("POST", "/api/v1/relationships"): MANAGERS,
    ("GET", "/api/v1/relationships/{rel_id:int}"): PUBLIC,
    ("PATCH", "/api/v1/relationships/{rel_id:int}"): MANAGERS,
    ("DELETE", "/api/v1/relationships/{rel_id:int}"): MANAGERS,
    ("GET", "/cases"): frozenset({"counsellor", "enterprise"}),
    ("GET", "/cases/new"): frozenset({"counsellor"}),
    ("POST", "/cases/new"): frozenset({"counsellor"}),
    ("GET", "/attendance"): frozenset({"enterprise", "employer"}),
    ("GET", "/audit"): frozenset({"admin"}),
    ("GET", "/admin/retention"): frozenset({"admin"}),
    ("GET", "/admin/jobs"): frozenset({"admin"}),
    ("GET", "/admin/processing"): MANAGERS,
    ("GET", "/referrals/inbox"): frozenset({"enterprise", "employer"}),
    ("GET", "/notifications"): LOGGED_IN,
    ("POST", "/notifications/read"): LOGGED_IN,
    # Someone else's notification redirects to the user's own list (checked in test_daily_findings).
    ("GET", "/notifications/{notification_id:int}/open"): LOGGED_IN,
    ("GET", "/favicon.ico"): PUBLIC,
    ("GET", "/map"): PUBLIC,
    ("GET", "/map/points"): PUBLIC,
    ("GET", "/organisations/export"): PUBLIC,
    # The newest HSDS copy built for the public (no contact persons; tests/portal/test_public_hsds.py).
    ("GET", "/organisations/export.hsds.zip"): PUBLIC,
    ("GET", "/cases/export"): frozenset({"counsellor", "enterprise"}),
    ("GET", "/referrals/inbox/export"): frozenset({"enterprise", "employer"}),
    # Exports built by a job; another person's export is "not found" (tests/portal/test_export_jobs.py).
    ("GET", "/exports"): MANAGERS,
    ("POST", "/exports"): MANAGERS,
    ("GET", "/exports/{export_id:int}"): MANAGERS,
    ("GET", "/exports/{export_id:int}/status"): MANAGERS,
    ("GET", "/exports/{export_id:int}/download"): MANAGERS,
    ("GET", "/network"): LOGGED_IN,
    ("GET", "/network/status"): LOGGED_IN,
    ("POST", "/network/recompute"): MANAGERS,
    ("GET", "/network/plan"): MANAGERS,
    ("POST", "/network/plan"): MANAGERS,
    ("GET", "/network/plan/compare"): MANAGERS,
    ("GET", "/network/plan/{plan_id:int}"): MANAGERS,
    ("GET", "/network/plan/{plan_id:int}/status"): MANAGERS,
    ("POST", "/network/plan/{plan_id:int}/places"): MANAGERS,
    ("POST", "/network/plan/{plan_id:int}/places/{place_id:int}/delete"): MANAGERS,
    ("POST", "/network/plan/{plan_id:int}/removals"): MANAGERS,
    ("POST", "/network/plan/{plan_id:int}/removals/{removal_id:int}/delete"): MANAGERS,
    ("POST", "/network/plan/{plan_id:int}/run"): MANAGERS,
    ("GET", "/network/panel/{org_id:int}"): LOGGED_IN,
    ("GET", "/network/organisations/{org_id:int}"): LOGGED_IN,
    ("GET", "/api/v1/network/status"): LOGGED_IN,
    ("POST", "/api/v1/network/recompute"): MANAGERS,
    ("GET", "/api/v1/network/organisations"): LOGGED_IN,
    ("GET", "/api/v1/network/communities"): LOGGED_IN,
    ("GET", "/api/v1/network/gaps"): LOGGED_IN,
    ("GET", "/api/v1/network/suggestions"): LOGGED_IN,
    ("GET", "/api/v1/network/graph"): LOGGED_IN,
    ("GET", "/api/v1/network/search"): LOGGED_IN,
    ("GET", "/api/v1/network/path"): LOGGED_IN,
    ("GET", "/employers/candidates"): frozenset({"employer"}),
    # An unknown pseudonym is a 404 for employers (checked in test_employers), a refusal for the rest.
    ("GET", "/employers/candidates/{pseudonym:str}"): frozenset({"employer"}),
    ("POST", "/employers/candidates/{pseudonym:str}/introductions"): frozenset({"employer"}),
    ("GET", "/introductions"): frozenset({"employer", "counsellor"}),
    ("GET", "/matching/rounds"): MANAGERS,
    ("POST", "/matching/rounds"): MANAGERS,
    ("GET", "/matching/rounds/{round_id:int}"): MANAGERS,
    ("GET", "/matching/rounds/{round_id:int}/status"): MANAGERS,
    ("POST", "/matching/rounds/{round_id:int}/proposals/{proposal_id:int}"): MANAGERS,
    ("POST", "/matching/rounds/{round_id:int}/send"): MANAGERS,
    ("GET", "/matching/model"): frozenset({"admin"}),
    ("GET", "/matching/fairness"): MANAGERS,
    ("POST", "/matching/model/train"): frozenset({"admin"}),
    ("GET", "/admin/users"): MANAGERS,
    ("GET", "/admin/users/new"): MANAGERS,
    ("POST", "/admin/users/new"): MANAGERS,
    # The user is a counsellor at an organisation in the coordinator's country: in both managers' scope.
    ("GET", "/admin/users/{user_id:int}"): MANAGERS,
    ("POST", "/admin/users/{user_id:int}/edit"): MANAGERS,
    ("POST", "/admin/users/{user_id:int}/unlock"): MANAGERS,
    ("POST", "/admin/users/{user_id:int}/invitation"): MANAGERS,
    ("POST", "/admin/users/{user_id:int}/password-reset"): MANAGERS,
    ("POST", "/admin/users/{user_id:int}/two-factor-reset"): MANAGERS,
    ("POST", "/admin/users/{user_id:int}/deactivate"): MANAGERS,
    ("POST", "/admin/users/{user_id:int}/reactivate"): MANAGERS,
    ("GET", "/invitation/{token:str}"): PUBLIC,
    ("POST", "/invitation/{token:str}"): PUBLIC,
    ("GET", "/account/two-factor"): LOGGED_IN,
    ("POST", "/account/two-factor/start"): LOGGED_IN,
    ("POST", "/account/two-factor/confirm"): LOGGED_IN,
    ("POST", "/account/two-factor/recovery-codes"): LOGGED_IN,
    ("POST", "/account/two-factor/off"): LOGGED_IN,
    # Public: it finds the pending sign-in itself, and without one sends back to the password (test_two_factor).
    ("GET", "/login/code"): PUBLIC,
    ("POST", "/login/code"): PUBLIC,
    ("GET", "/static/{file_path:path}"): PUBLIC,
    ("GET", "/schema"): PUBLIC,
    ("GET", "/schema/openapi.json"): PUBLIC,
    ("GET", "/schema/openapi.yaml"): PUBLIC,
    ("GET", "/schema/openapi.yml"): PUBLIC,
    ("GET", "/schema/{path:str}"): PUBLIC,
    ("GET", "/indicators"): MANAGERS,
    ("GET", "/indicators/data.csv"): MANAGERS,
    ("GET", "/indicators/data.xlsx"): MANAGERS,
    ("GET", "/indicators/report.pdf"): MANAGERS,
    ("GET", "/indicators/summary"): PUBLIC,
    ("GET", "/indicators/targets"): MANAGERS,
    ("POST", "/indicators/targets"): MANAGERS,
    # An unknown target is a 404 for managers (checked in test_indicators), a refusal for the rest.
    ("POST", "/indicators/targets/{target_id:int}/delete"): MANAGERS,
    # Certificates: refused to anyone but the attendee, the organisers and the coordinators, and a
    # 404 for non-attendees (the record-level checks are in test_training_certificates).
    ("GET", "/training/registrations/{registration_id:int}/certificate.pdf"): LOGGED_IN,
    ("GET", "/account/training"): LOGGED_IN,
    ("GET", "/training/staff/{user_id:int}"): MANAGERS,
    ("GET", "/training/trained"): MANAGERS,
    ("GET", "/training/trained/staff"): MANAGERS,
}
# A case someone else leads: nobody outside its team may reach it (404 hides that it exists).
CASE_ROUTES = {
    ("GET", "/cases/{participant_id:int}"),
    ("GET", "/cases/{participant_id:int}/edit"),
    ("POST", "/cases/{participant_id:int}/edit"),
    ("POST", "/cases/{participant_id:int}/stage"),
    ("POST", "/cases/{participant_id:int}/consents"),
    ("POST", "/cases/{participant_id:int}/team"),
    ("POST", "/cases/{participant_id:int}/team/{member_id:int}/remove"),
    ("GET", "/cases/{participant_id:int}/profiling"),
    ("POST", "/cases/{participant_id:int}/profiling"),
    ("POST", "/cases/{participant_id:int}/plan"),
    ("POST", "/cases/{participant_id:int}/plan/{step_id:int}/done"),
    ("POST", "/cases/{participant_id:int}/notes"),
    ("POST", "/cases/{participant_id:int}/referrals"),
    ("GET", "/cases/{participant_id:int}/placements"),
    ("GET", "/cases/{participant_id:int}/opportunity-choices"),
    ("GET", "/cases/{participant_id:int}/team-choices"),
    # Subject access and erasure: the lead and administrators (below); anyone else finds no such case.
    ("GET", "/cases/{participant_id:int}/export"),
    ("GET", "/cases/{participant_id:int}/export.json"),
    ("GET", "/cases/{participant_id:int}/erase"),
    ("POST", "/cases/{participant_id:int}/erase"),
    ("GET", "/referrals/{referral_id:int}"),
    ("POST", "/referrals/{referral_id:int}/step"),
    ("POST", "/referrals/{referral_id:int}/undo"),
    # Placements (issue 12): the host side records attendance and names a mentor; the case team responds.
    ("GET", "/cases/{participant_id:int}/referrals/new"),
    ("POST", "/cases/{participant_id:int}/responses"),
    ("POST", "/referrals/{referral_id:int}/attendance"),
    ("POST", "/referrals/{referral_id:int}/mentor"),
    ("POST", "/referrals/{referral_id:int}/team-mentor"),
    # Another employer's request about that case: neither side of it, so hidden from everyone here.
    ("GET", "/introductions/{introduction_id:int}"),
    ("POST", "/introductions/{introduction_id:int}/answer"),
    ("POST", "/introductions/{introduction_id:int}/withdraw"),
}
RULES.update({route: frozenset() for route in CASE_ROUTES})
RULES.update({r: frozenset({"admin"}) for r in CASE_ROUTES if r[1].endswith(("/export", "/export.json", "/erase"))})
WHO = ["anonymous", *ROLES]


def all_rules() -> dict[tuple[str, str], frozenset[str]]:
    from tests.access_rules import OPPORTUNITY_RULES, TRAINING_RULES

    return {**RULES, **OPPORTUNITY_RULES, **TRAINING_RULES}


def test_every_route_has_a_rule(app):
    routes = {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in {"OPTIONS", "HEAD"}
    }
    assert routes == set(all_rules()), "add the new route to RULES with who may use it"


def _concrete(path: str, ids: dict[str, int]) -> str:
    return (
        path.replace("{org_id:int}", str(ids["org"]))
        .replace("{rel_id:int}", str(ids["rel"]))
        .replace("{participant_id:int}", str(ids["case"]))
        .replace("{member_id:int}", "1")
        .replace("{referral_id:int}", str(ids["referral"]))
        .replace("{step_id:int}", "1")
        .replace("{notification_id:int}", "1")
        .replace("{round_id:int}", "1")
        .replace("{proposal_id:int}", "1")
        .replace("{plan_id:int}", "1")
        .replace("{place_id:int}", "1")
        .replace("{removal_id:int}", "1")
        .replace("{export_id:int}", "1")
        .replace("{target_id:int}", "1")
        .replace("{registration_id:int}", "1")
        .replace("{introduction_id:int}", str(ids["introduction"]))
        .replace("{user_id:int}", str(ids["user"]))
        .replace("{pseudonym:str}", "K-NOBODY")
        .replace("{session_id:int}", str(2**31 - 1))
        .replace("{token:str}", "no-such-token")
        .replace("{file_path:path}", "css/portal.css")
        .replace("{path:str}", "openapi.json")
    )


async def _someone_elses_case(make_user, organisation_id: int) -> int:
    from portal.auth.current_user import CurrentUser
    from portal.cases import services

    lead_id = await make_user("lead-elsewhere", "counsellor", organisation_id=organisation_id)
    lead = CurrentUser(lead_id, "lead-elsewhere", "Lead", "counsellor", organisation_id, "Somebody else", "")
    values = {
        "first_name": "A",
        "last_name": "B",
        "birth_year": 1980,
        "phone": "",
        "email": "",
        "address": "",
        "region": "Podravska",
        "municipality": "Ptuj",
        "latitude": None,
        "longitude": None,
        "languages": "sl",
        "education_level": "primary",
        "skills": "[]",
        "interests": "",
        "hours_per_week": 20,
        "travel_km": 20,
        "support_needs": "",
        "available_from": None,
    }
    return await services.create_case(lead, values)


async def _someone_elses_referral(participant_id: int, organisation_id: int) -> int:
    from portal.db.tables import PortalUser, Referral
    from tests.factories import make_opportunity

    lead = (await PortalUser.select(PortalUser.id).where(PortalUser.username == "lead-elsewhere").first())["id"]
    opportunity = await make_opportunity(organisation_id, lead)
    rows = await Referral.insert(
        Referral(
            participant=participant_id, opportunity=opportunity, referred_by=lead, message="", status="sent", reason=""
        )
    )
    return rows[0]["id"]


async def _someone_elses_introduction(participant_id: int, organisation_id: int) -> int:
    from portal.db.tables import Introduction, PortalUser

    asker = (await PortalUser.select(PortalUser.id).where(PortalUser.username == "lead-elsewhere").first())["id"]
    rows = await Introduction.insert(
        Introduction(
            organisation=organisation_id,
            participant=participant_id,
            requested_by=asker,
            message="Hello",
            status="requested",
        )
    )
    return rows[0]["id"]


def _body(method: str, path: str, ids: dict[str, int]) -> dict:
    if path == "/api/v1/relationships" and method == "POST":
        return {"source_id": ids["org"], "target_id": ids["other"], "kind": "funding"}
    if path.startswith("/api/v1/organisations") and method == "POST":
        return {"name": "New", "kind": "ngo", "country": "SI", "region": "Podravska", "municipality": "Ptuj"}
    return {}


@pytest.mark.parametrize("who", WHO)
async def test_roles_outside_a_rule_are_refused(client, make_org, make_user, who):
    from portal.db.tables import PortalUser
    from portal.organisations import services

    home = await make_org(name="Home of the test user")
    ids = {"org": await make_org(name="Somebody else"), "other": await make_org(name="A third one")}
    ids["rel"] = await services.create_relationship(
        ids["org"], ids["other"], {"kind": "cooperation", "since": None, "until": None, "strength": 3, "note": ""}
    )
    ids["case"] = await _someone_elses_case(make_user, ids["org"])
    ids["referral"] = await _someone_elses_referral(ids["case"], ids["org"])
    ids["introduction"] = await _someone_elses_introduction(ids["case"], ids["org"])
    ids["user"] = (await PortalUser.select(PortalUser.id).where(PortalUser.username == "lead-elsewhere").first())["id"]
    if who != "anonymous":
        await make_user(who, who, organisation_id=home)
        await login(client, who)
    token = await csrf_token(client, "/")
    for (method, route), allowed in RULES.items():
        if route in ("/login", "/logout", "/language") and method == "POST" or route == "/login/code":
            continue  # these change the session itself; covered in test_auth and test_i18n
        path = _concrete(route, ids)
        if path.startswith("/api/"):
            body = _body(method, route, ids) if method in ("POST", "PATCH") else None
            response = await client.request(method, path, json=body, headers={"x-csrftoken": token})
        else:
            response = await client.request(method, path, data={"_csrf_token": token} if method == "POST" else None)
        hidden = (method, route) in CASE_ROUTES and response.status_code == 404
        refused = (
            hidden
            or response.status_code in (401, 403)
            or (response.status_code == 303 and response.headers["location"].startswith("/login"))
        )
        assert refused == (who not in allowed), f"{who} {method} {path} -> {response.status_code}"


async def test_logout_needs_a_session(client, db):
    token = await csrf_token(client, "/")
    response = await client.post("/logout", data={"_csrf_token": token})
    assert response.status_code == 401 or response.headers.get("location", "").startswith("/login")
