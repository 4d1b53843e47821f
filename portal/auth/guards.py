"""Route guards: who may reach a handler at all. Finer rules (own organisation) live in services."""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from portal.auth import two_factor
from portal.auth.current_user import CurrentUser
from portal.auth.roles import ADMIN, COORDINATOR

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]


def current_user(connection: ASGIConnection) -> CurrentUser | None:
    return connection.scope.get("user")


def signed_in_user(connection: ASGIConnection) -> CurrentUser:
    """The user of a route that is not public: the guards let nobody else reach it."""
    user = current_user(connection)
    if user is None:
        raise NotAuthorizedException("log in first")
    return user


def login_required(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    signed_in_user(connection)


def roles_allowed(*roles: str) -> Guard:
    """A guard letting in logged-in users with one of ``roles``."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        if signed_in_user(connection).role not in allowed:
            raise PermissionDeniedException("your role may not do this")

    guard.__name__ = f"roles_allowed({', '.join(sorted(allowed))})"
    return guard


class TwoFactorEnrolmentRequired(PermissionDeniedException):
    """The user's role requires two-factor sign-in, which they have not set up yet."""


# What a user who must set up two-factor sign-in may still open; everything else sends them there.
BEFORE_TWO_FACTOR = ("/account/two-factor", "/login", "/logout", "/language", "/static/", "/schema", "/health")


def deny_by_default(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """App-wide: a route is for logged-in users unless it says ``opt={"access": "public"}``,
    so a handler that forgets its guard fails closed. The OpenAPI document is public.

    A user whose role requires two-factor sign-in and who has not set it up reaches only the
    enrolment pages (and logout, language, static files), public pages included."""
    path = connection.scope["path"]
    if two_factor.must_enrol(current_user(connection)) and not path.startswith(BEFORE_TWO_FACTOR):
        raise TwoFactorEnrolmentRequired("set up two-factor sign-in first: your role requires it")
    if handler.opt.get("access") == "public" or path.startswith("/schema"):
        return
    login_required(connection, handler)


network_manager = roles_allowed(ADMIN, COORDINATOR)
admin_only = roles_allowed(ADMIN)
