"""Route guards on bare connections: who gets through, who is refused and how."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from portal.auth.current_user import CurrentUser
from portal.auth.guards import login_required, network_manager, roles_allowed


def connection(role: str | None):
    user = None if role is None else CurrentUser(1, "u", "U", role, 7, "Org", "")
    return SimpleNamespace(scope={"user": user, "path": "/x"})


def test_login_required_refuses_anonymous_with_401():
    with pytest.raises(NotAuthorizedException):
        login_required(connection(None), None)
    login_required(connection("employer"), None)


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_network_manager_lets_managers_in(role):
    network_manager(connection(role), None)


@pytest.mark.parametrize("role", ["counsellor", "enterprise", "employer"])
def test_network_manager_refuses_other_roles_with_403(role):
    with pytest.raises(PermissionDeniedException):
        network_manager(connection(role), None)


def test_roles_allowed_refuses_anonymous_before_checking_roles():
    with pytest.raises(NotAuthorizedException):
        roles_allowed("employer")(connection(None), None)


def test_routes_fail_closed_unless_marked_public():
    from portal.auth.guards import deny_by_default

    private = SimpleNamespace(opt={})
    public = SimpleNamespace(opt={"access": "public"})
    anonymous = SimpleNamespace(scope={"user": None, "path": "/somewhere"})
    deny_by_default(anonymous, public)
    with pytest.raises(NotAuthorizedException):
        deny_by_default(anonymous, private)
    deny_by_default(SimpleNamespace(scope={"user": None, "path": "/schema/openapi.json"}), private)
    deny_by_default(connection("employer"), private)
