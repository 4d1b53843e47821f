"""Who may use each opportunity and skills route, for records of an organisation the user is not in.

``OPPORTUNITY_RULES`` (in ``tests/access_rules.py``) is merged into the completeness check of ``test_permissions.py``.
"""

from __future__ import annotations

import pytest

from portal.auth.roles import ROLES
from portal.db.tables import PortalUser
from tests.access_rules import MANAGERS, OPPORTUNITY_RULES
from tests.factories import make_opportunity
from tests.fixtures import csrf_token, login

WHO = ["anonymous", *ROLES]

# A draft of another organisation: only managers reach it; to everyone else it does not exist.
DRAFT_RULES: dict[tuple[str, str], frozenset[str]] = {
    route: MANAGERS for route in OPPORTUNITY_RULES if "{opp_id:int}" in route[1]
}
_MINE = ("/opportunities", "/api/v1/opportunities", "/skills")


def test_every_opportunity_route_has_a_rule(app):
    routes = {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in {"OPTIONS", "HEAD"} and route.path.startswith(_MINE)
    }
    assert routes == set(OPPORTUNITY_RULES), "add the new route to OPPORTUNITY_RULES with who may use it"


async def _opportunity(organisation_id: int, status: str) -> int:
    author = (await PortalUser.select(PortalUser.id).order_by(PortalUser.id).first())["id"]
    return await make_opportunity(
        organisation_id, author, title=f"Mesto ({status})", sector="food", status=status, search_text="mesto"
    )


def _body(method: str, route: str, org_id: int) -> dict:
    if method == "POST" and route == "/api/v1/opportunities":
        return {
            "organisation_id": org_id,
            "kind": "job",
            "title": "Nova služba",
            "sector": "food",
            "hours_per_week": 20,
            "capacity": 1,
        }
    if method == "PATCH":
        return {"title": "Spremenjen naslov"}
    return {}


async def _check(client, rules, who: str, org_id: int, opp_id: int) -> None:
    token = await csrf_token(client, "/")
    for (method, route), allowed in rules.items():
        path = route.replace("{opp_id:int}", str(opp_id))
        if path.startswith("/api/"):
            body = _body(method, route, org_id) if method in ("POST", "PATCH") else None
            response = await client.request(method, path, json=body, headers={"x-csrftoken": token})
        elif method == "POST":
            form = {"_csrf_token": token, "organisation_id": str(org_id)}
            response = await client.post(path, data=form)
        else:
            response = await client.get(path)
        refused = response.status_code in (401, 403, 404) or (
            response.status_code == 303 and response.headers["location"].startswith("/login")
        )
        assert refused == (who not in allowed), f"{who} {method} {path} -> {response.status_code}"


@pytest.fixture
async def setting(make_org, make_user):
    """The user's own organisation, and another one with an open opportunity and a draft."""
    home = await make_org(name="Home of the test user")
    other = await make_org(name="Somebody else")
    await make_user("author", "enterprise", organisation_id=other)
    return {
        "home": home,
        "other": other,
        "open": await _opportunity(other, "open"),
        "draft": await _opportunity(other, "draft"),
    }


async def _log_in_as(client, make_user, who: str, home: int) -> None:
    if who != "anonymous":
        await make_user(who, who, organisation_id=home)
        await login(client, who)


@pytest.mark.parametrize("who", WHO)
async def test_roles_outside_a_rule_are_refused(client, make_user, setting, who):
    await _log_in_as(client, make_user, who, setting["home"])
    await _check(client, OPPORTUNITY_RULES, who, setting["other"], setting["open"])


@pytest.mark.parametrize("who", WHO)
async def test_another_organisations_draft_is_hidden(client, make_user, setting, who):
    await _log_in_as(client, make_user, who, setting["home"])
    await _check(client, DRAFT_RULES, who, setting["other"], setting["draft"])
    listed = (await client.get("/api/v1/opportunities", params={"organisation_id": setting["other"]})).json()
    assert ("draft" in {item["status"] for item in listed["items"]}) == (who in MANAGERS)
