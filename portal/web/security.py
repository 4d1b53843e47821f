"""Security headers on every answer, router-level 404 and 405 included, and HSTS in production."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from portal.settings import get_settings


def _tile_origin(tiles_url: str) -> str:
    """The origin of the map's tile server, as a CSP source ("{s}" subdomains as a wildcard); '' for none."""
    if not tiles_url:
        return ""
    parts = urlsplit(tiles_url.replace("{s}", "*"))
    return f" {parts.scheme}://{parts.netloc}"


HEADERS = {
    # Everything the pages use is served from here, but the map's tiles (PORTAL_MAP_TILES_URL), which
    # are images only; htmx's inline indicator style is switched off.
    "content-security-policy": (
        f"default-src 'self'; img-src 'self' data:{_tile_origin(get_settings().map_tiles_url)}; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "geolocation=(), camera=(), microphone=()",
}
# Production is served over HTTPS only (behind a TLS-terminating proxy): browsers keep to it for a year.
HSTS = "max-age=31536000; includeSubDomains"


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A before-send hook, not a middleware: Litestar's app-level hooks also see the answers that the
    router gives before any route is chosen (unknown path, wrong method), which middleware never does."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in HEADERS.items():
        if name not in headers:
            headers[name] = value
    if get_settings().is_production:
        headers["strict-transport-security"] = HSTS
    if scope.get("user") is not None:
        # Pages for a logged-in user may hold personal data: no copies in caches or history.
        headers["cache-control"] = "no-store"
