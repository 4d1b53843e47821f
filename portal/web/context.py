"""Per-request context: who is logged in and which language the page is in."""

from __future__ import annotations

from typing import Any, cast

from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from portal.auth.current_user import CurrentUser
from portal.auth.sessions import COOKIE_NAME, user_for_token
from portal.i18n import DEFAULT_LANGUAGE, LANGUAGES, negotiate_language
from portal.i18n.core import set_language
from portal.notifications.services import unread_count
from portal.web.templating import wants_fragment

LANGUAGE_COOKIE = "portal_lang"


def own_keys(scope: Scope) -> dict[str, Any]:
    """The scope as the dict it is, for the portal's own keys (``portal_language``, ``unread_notifications``)
    that Litestar's ``Scope`` type does not list."""
    return cast("dict[str, Any]", scope)


def _cookies(scope: Scope) -> dict[str, str]:
    header = Headers.from_scope(scope).get("cookie", "")
    cookies = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            cookies[name] = value
    return cookies


def choose_language(user: CurrentUser | None, cookie_value: str | None, accept_language: str | None) -> str:
    """The user's saved choice, else the visitor's cookie, else the browser's, else English."""
    if user and user.language in LANGUAGES:
        return user.language
    if cookie_value in LANGUAGES:
        return cookie_value
    return negotiate_language(accept_language) or DEFAULT_LANGUAGE


def _has_navigation(scope: Scope) -> bool:
    """Whether the answer may be a whole page (the one place the navigation is drawn)."""
    path = scope.get("path", "")
    if path.startswith(("/api/", "/static/", "/schema")):
        return False
    return not wants_fragment(Headers.from_scope(scope))


async def resolve(scope: Scope) -> None:
    """Fill ``scope['user']`` and the language context; safe to call more than once."""
    if "portal_language" in scope:
        set_language(own_keys(scope)["portal_language"])
        return
    cookies = _cookies(scope)
    user = await user_for_token(cookies.get(COOKIE_NAME))
    scope["user"] = user
    # The navigation shows the unread count on every page of a logged-in user; a fragment, the
    # API and static files have no navigation, so they skip the query.
    own_keys(scope)["unread_notifications"] = await unread_count(user.id) if user and _has_navigation(scope) else 0
    language = choose_language(user, cookies.get(LANGUAGE_COOKIE), Headers.from_scope(scope).get("accept-language"))
    own_keys(scope)["portal_language"] = language
    set_language(language)


def resolve_without_database(scope: Scope) -> None:
    """For errors raised before the middleware ran (unknown paths): language from the browser only."""
    if "portal_language" in scope:
        set_language(own_keys(scope)["portal_language"])
        return
    scope.setdefault("user", None)
    language = choose_language(
        None, _cookies(scope).get(LANGUAGE_COOKIE), Headers.from_scope(scope).get("accept-language")
    )
    own_keys(scope)["portal_language"] = language
    set_language(language)


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            if scope["path"].startswith("/static/"):
                resolve_without_database(scope)  # files are the same for everyone
            else:
                await resolve(scope)
        await app(scope, receive, send)

    return middleware
